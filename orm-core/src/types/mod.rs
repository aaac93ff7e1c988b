//! Mapping between Rust values and SQL values.

mod builtin;
mod dates;
pub use dates::{DateColumn, DateTimeColumn};
#[cfg(feature = "chrono")]
mod chrono_types;
mod clock;
#[cfg(feature = "decimal")]
mod decimal;
#[cfg(feature = "json")]
mod json;
#[cfg(feature = "uuid")]
mod uuid_type;

pub use crate::value::{ColumnType, Value, ValueRef};
pub(crate) use clock::Clock;
#[cfg(feature = "chrono")]
pub use clock::{now, AutoTime};

/// Why a database value could not become a Rust value: a description of what was found.
///
/// Returned by [`FieldType::from_value`]; the crate wraps it into
/// [`Error::Decode`](crate::Error::Decode) with the model and column names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What the database held, for example `NULL` or `TEXT "abc"`.
    pub found: String,
}

impl DecodeError {
    /// The value has the wrong SQL type (or is `NULL` where none is allowed).
    pub fn unexpected(value: ValueRef<'_>) -> Self {
        DecodeError { found: value.to_string() }
    }

    /// Any other problem, described in words.
    pub fn new(found: impl Into<String>) -> Self {
        DecodeError { found: found.into() }
    }
}

/// A Rust type that can be stored in one column.
///
/// Implemented for the integers `i8`..`i64` and `u8`..`u32`, `f32`, `f64`, `bool`,
/// `String`, `Vec<u8>` and `Option<T>` (a nullable column), and behind cargo features
/// for chrono, rust_decimal, uuid and serde_json types. Implement it for your own type
/// (an enum of choices, a newtype) to use that type as a model field:
///
/// ```
/// use orm::{ColumnType, DecodeError, FieldType, Value, ValueRef};
///
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// enum Status { Draft, Published }
///
/// impl FieldType for Status {
///     const COLUMN: ColumnType = ColumnType::Text;
///     const RUST_TYPE: &'static str = "Status";
///     fn to_value(&self) -> Value {
///         Value::Text(match self { Status::Draft => "draft", Status::Published => "published" }.into())
///     }
///     fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
///         match value {
///             ValueRef::Text(b"draft") => Ok(Status::Draft),
///             ValueRef::Text(b"published") => Ok(Status::Published),
///             other => Err(DecodeError::unexpected(other)),
///         }
///     }
/// }
/// ```
///
/// Also implement the marker [`Ordered`] if `gt`/`lt`/`range` and `min`/`max` make
/// sense for the type and the SQL order of its stored form is the type's order.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a database column",
    label = "unsupported field type",
    note = "supported field types: i8, i16, i32, i64, u8, u16, u32, f32, f64, bool, String, Vec<u8>, Option<T> of those, and chrono/rust_decimal/uuid/serde_json types behind the cargo features of the same names",
    note = "to store your own type (an enum of choices, a newtype), implement `orm::FieldType` for it"
)]
pub trait FieldType: Sized {
    /// The column's logical type, which each backend's `CREATE TABLE` writes in its
    /// own words (`Text`, `Int64`, ..).
    const COLUMN: ColumnType;
    /// The Rust type's name, for decode errors.
    const RUST_TYPE: &'static str;
    /// Whether the column accepts `NULL` (true only for `Option<T>`).
    const NULLABLE: bool = false;
    /// Converts the value into an SQL value to bind.
    fn to_value(&self) -> Value;
    /// Converts the value into an SQL value, moving it where it can (`String`,
    /// `Vec<u8>`): what inserts use.
    fn into_value(self) -> Value {
        self.to_value()
    }
    /// Reads the value back from what the database holds.
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError>;
}

/// Marker for field types with a meaningful order: enables `gt`, `gte`, `lt`, `lte`,
/// `range` and the `min`/`max` aggregates (on the type and on `Option` of it).
pub trait Ordered: FieldType {}

/// Marker for text field types: enables `contains`, `startswith`, `iexact` and the
/// other text lookups (on the type and on `Option` of it).
pub trait Text: FieldType {}

/// Marker for numeric field types: enables `+ - * /` expressions and `sum`/`avg`
/// (on the type and on `Option` of it).
pub trait Numeric: FieldType {
    /// The type of `SUM` over this type (`i64` for integers, `f64` for floats).
    type Sum: FieldType;
}

/// A column type whose values are ordered: an [`Ordered`] type or `Option` of one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no order: `gt`, `gte`, `lt`, `lte`, `range`, `min` and `max` need an ordered column",
    label = "this column's type is not ordered",
    note = "ordered types: integers, floats, String, date/time and Decimal types (and Option of them); use `eq`/`ne`/`is_in` here, or implement `orm::Ordered` for your own type"
)]
pub trait OrderedColumn: FieldType {
    /// The type without its `Option`: `MIN`/`MAX` return `Option<Inner>`.
    type Inner: FieldType;
}

/// A text column: `String` or `Option<String>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not text: `contains`, `startswith`, `endswith`, `iexact` and their `i` forms need a text column",
    label = "not a text column",
    note = "compare this column with `eq`, `ne` or `is_in`"
)]
pub trait TextColumn: FieldType {}

/// A numeric column: a [`Numeric`] type or `Option` of one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not numeric: arithmetic, `sum` and `avg` need a number column",
    label = "not a numeric column"
)]
pub trait NumericColumn: FieldType {
    /// The type of `SUM` over the column.
    type Sum: FieldType;
}

impl<T: FieldType> FieldType for Option<T> {
    const COLUMN: ColumnType = T::COLUMN;
    const RUST_TYPE: &'static str = T::RUST_TYPE;
    const NULLABLE: bool = true;
    #[inline]
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
    #[inline]
    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => Value::Null,
        }
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl<T: Ordered> OrderedColumn for T {
    type Inner = T;
}
impl<T: Ordered> OrderedColumn for Option<T> {
    type Inner = T;
}
impl<T: Text> TextColumn for T {}
impl<T: Text> TextColumn for Option<T> {}
impl<T: Numeric> NumericColumn for T {
    type Sum = T::Sum;
}
impl<T: Numeric> NumericColumn for Option<T> {
    type Sum = T::Sum;
}
