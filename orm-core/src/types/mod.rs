//! Mapping between Rust values and SQL values.

mod builtin;
#[cfg(feature = "chrono")]
mod chrono_types;
#[cfg(feature = "decimal")]
mod decimal;
#[cfg(feature = "json")]
mod json;
#[cfg(feature = "uuid")]
mod uuid_type;

use std::fmt;

/// An owned SQL value: what is bound as a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// A borrowed SQL value: what a column of a row holds while it is decoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// SQL `NULL`.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Real(f64),
    /// Text, as SQLite stores it (normally UTF-8).
    Text(&'a [u8]),
    /// Bytes.
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    /// The SQL type name of the value, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Integer(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
        }
    }
}

impl fmt::Display for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueRef::Null => f.write_str("NULL"),
            ValueRef::Integer(v) => write!(f, "INTEGER {v}"),
            ValueRef::Real(v) => write!(f, "REAL {v}"),
            ValueRef::Text(v) => write!(f, "TEXT {:?}", String::from_utf8_lossy(v)),
            ValueRef::Blob(v) => write!(f, "BLOB of {} bytes", v.len()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Integer(v) => write!(f, "{v}"),
            Value::Real(v) => write!(f, "{v:?}"),
            Value::Text(v) => write!(f, "{v:?}"),
            Value::Blob(v) => write!(f, "<{} bytes>", v.len()),
        }
    }
}

impl Value {
    pub(crate) fn from_ref(value: rusqlite::types::ValueRef<'_>) -> Value {
        use rusqlite::types::ValueRef as R;
        match value {
            R::Null => Value::Null,
            R::Integer(i) => Value::Integer(i),
            R::Real(r) => Value::Real(r),
            R::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            R::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

impl<'a> From<rusqlite::types::ValueRef<'a>> for ValueRef<'a> {
    #[inline]
    fn from(v: rusqlite::types::ValueRef<'a>) -> Self {
        use rusqlite::types::ValueRef as R;
        match v {
            R::Null => ValueRef::Null,
            R::Integer(i) => ValueRef::Integer(i),
            R::Real(r) => ValueRef::Real(r),
            R::Text(t) => ValueRef::Text(t),
            R::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl rusqlite::ToSql for Value {
    #[inline]
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as R};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => R::Null,
            Value::Integer(i) => R::Integer(*i),
            Value::Real(r) => R::Real(*r),
            Value::Text(t) => R::Text(t.as_bytes()),
            Value::Blob(b) => R::Blob(b),
        }))
    }
}

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
/// use orm::{DecodeError, FieldType, Value, ValueRef};
///
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// enum Status { Draft, Published }
///
/// impl FieldType for Status {
///     const SQL_TYPE: &'static str = "TEXT";
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
    /// The SQL type used in `CREATE TABLE`, such as `"INTEGER"` or `"TEXT"`.
    const SQL_TYPE: &'static str;
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
    const SQL_TYPE: &'static str = T::SQL_TYPE;
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
