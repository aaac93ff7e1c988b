//! SQL functions on fields and expressions (Django's `Coalesce`, `NullIf`,
//! `Greatest`, `Least`, `Lower`, `Upper`, `Length`, `Concat`, `Abs`, `Round`, `Cast`),
//! as methods of the [`Functions`] trait, each typed by what it computes.

use super::expr::{Expr, Field, Operand};
use crate::ast::{ExprNode, Func};
use crate::model::{Cardinality, Flavor, Model};
use crate::types::{FieldType, Numeric, NumericColumn, OrderedColumn, TextColumn};
use crate::value::Value;

/// A field type's nullability as a type function: what `NULLIF`, a `CASE` without a
/// default, `Length` and `Cast` return. Implemented for the built-in field types (and
/// the feature types), plain (`With<U> = U`), and for `Option<T>` (`With<U> =
/// Option<U>`).
///
/// For a field type of your own, implement it as a plain type:
///
/// ```
/// # use orm::{ColumnType, DecodeError, FieldType, MaybeNull, Value, ValueRef};
/// # #[derive(Debug, Clone, Copy, PartialEq)] struct Status;
/// # impl FieldType for Status {
/// #     const COLUMN: ColumnType = ColumnType::Text;
/// #     const RUST_TYPE: &'static str = "Status";
/// #     fn to_value(&self) -> Value { Value::Text("s".into()) }
/// #     fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> { Ok(Status) }
/// # }
/// impl MaybeNull for Status {
///     type Inner = Status;
///     type With<U: FieldType> = U;
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not say whether it is nullable (`orm::MaybeNull`)",
    label = "`MaybeNull` is not implemented for this type",
    note = "for a field type of your own: `impl orm::MaybeNull for {Self} {{ type Inner = {Self}; type With<U: orm::FieldType> = U; }}`"
)]
pub trait MaybeNull: FieldType {
    /// The type without its `Option`.
    type Inner: FieldType;
    /// `U`, nullable as this type is: `U` for a plain type, `Option<U>` for an `Option`.
    type With<U: FieldType>: FieldType;
}

impl<T: FieldType> MaybeNull for Option<T> {
    type Inner = T;
    type With<U: FieldType> = Option<U>;
}

macro_rules! plain {
    ($($(#[$attr:meta])* $ty:ty),* $(,)?) => {$(
        $(#[$attr])*
        impl MaybeNull for $ty {
            type Inner = $ty;
            type With<U: FieldType> = U;
        }
    )*};
}
plain!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    f32,
    f64,
    bool,
    String,
    Vec<u8>,
    #[cfg(feature = "chrono")]
    chrono::NaiveDate,
    #[cfg(feature = "chrono")]
    chrono::NaiveDateTime,
    #[cfg(feature = "chrono")]
    chrono::DateTime<chrono::Utc>,
    #[cfg(feature = "decimal")]
    rust_decimal::Decimal,
    #[cfg(feature = "uuid")]
    uuid::Uuid,
    #[cfg(feature = "json")]
    serde_json::Value,
);

/// A type a numeric expression can be cast to with [`Functions::cast`]: the integer
/// and float types (and `Decimal`, feature `decimal`).
#[diagnostic::on_unimplemented(
    message = "`cast::<{Self}>()` casts between numeric types; `{Self}` is not one",
    label = "not a numeric type",
    note = "cast to an integer or float type: `i16`, `i32`, `i64`, `u8`, `u16`, `u32`, `f32`, `f64` (or `Decimal`)"
)]
pub trait CastTarget: Numeric {}

macro_rules! cast_targets {
    ($($(#[$attr:meta])* $ty:ty),* $(,)?) => {$(
        $(#[$attr])*
        impl CastTarget for $ty {}
    )*};
}
cast_targets!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    f32,
    f64,
    #[cfg(feature = "decimal")]
    rust_decimal::Decimal,
);

/// The type an operand has on its own: a value's type, `String` for `&str`, a field's
/// type as it reads (`Option<T>` through a join that may find no row), an
/// expression's type. What types a `coalesce`, `greatest` or the first `when` of a
/// [`case`](crate::case) by its argument.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value, field or expression",
    label = "expected a value, a field or an expression"
)]
pub trait OperandType {
    /// The operand's type.
    type Type: FieldType;
    #[doc(hidden)]
    fn operand_node(self) -> ExprNode;
}

impl<T: FieldType> OperandType for T {
    type Type = T;
    fn operand_node(self) -> ExprNode {
        ExprNode::Value(self.into_value())
    }
}
impl OperandType for &str {
    type Type = String;
    fn operand_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.to_owned()))
    }
}
impl OperandType for &String {
    type Type = String;
    fn operand_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.clone()))
    }
}
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> OperandType for Field<M, T, C, X> {
    type Type = C::Read<T, X>;
    fn operand_node(self) -> ExprNode {
        self.node()
    }
}
impl<T: FieldType> OperandType for Expr<T> {
    type Type = T;
    fn operand_node(self) -> ExprNode {
        self.node
    }
}

/// `func(first, second)`, a call of the same function in `first` extended instead
/// (`a.coalesce(b).coalesce(c)` is one `COALESCE(a, b, c)`).
fn chained(func: Func, first: ExprNode, second: ExprNode) -> ExprNode {
    match first {
        ExprNode::Func { func: f, mut args } if f == func => {
            args.push(second);
            ExprNode::Func { func, args }
        }
        first => ExprNode::Func { func, args: vec![first, second] },
    }
}

fn call(func: Func, args: Vec<ExprNode>) -> ExprNode {
    ExprNode::Func { func, args }
}

/// SQL functions of a column or expression, typed by what they compute; in
/// `orm::prelude`. Implemented for [`Field`] (typed as the field reads: `Option<T>`
/// through a join that may find no row) and [`Expr`].
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model)] struct Book { id: i64, title: String, subtitle: Option<String>, year: i32, price: i64 }
/// let qs = Book::objects()
///     .filter(|b| b.price.gt(b.year.cast::<i64>()))                  // Cast
///     .order_by(|b| b.subtitle.coalesce(b.title).lower().asc());      // Coalesce, Lower
/// let _: QuerySet<Book, _> = qs.values(|b| (b.title.length(), b.title.concat(" (").concat(b.subtitle).concat(")")));
/// ```
pub trait Functions: Sized {
    /// The type of the column or expression, as it reads.
    type Type: FieldType;
    #[doc(hidden)]
    fn function_node(self) -> ExprNode;

    /// `COALESCE(self, other)`: `self`, or `other` where `self` is NULL (Django's
    /// `Coalesce`). Typed as `other` is: `b.nickname.coalesce(b.name)` is a `String`,
    /// `a.birth_year.coalesce(0)` an `i32`. Chained calls make one `COALESCE(a, b, c)`.
    fn coalesce<V>(self, other: V) -> Expr<V::Type>
    where
        V: OperandType + Operand<Self::Type>,
    {
        Expr::from_node(chained(Func::Coalesce, self.function_node(), Operand::into_node(other)))
    }

    /// `NULLIF(self, other)`: NULL where `self = other`, else `self` (Django's
    /// `NullIf`); `b.stock.nullif(0)` makes a division by it NULL instead of an error.
    fn nullif(self, other: impl Operand<Self::Type>) -> Expr<Option<<Self::Type as MaybeNull>::Inner>>
    where
        Self::Type: MaybeNull,
    {
        Expr::from_node(call(Func::NullIf, vec![self.function_node(), other.into_node()]))
    }

    /// The larger of `self` and `other` (Django's `Greatest`), NULLs ignored on every
    /// backend: NULL only when both are (PostgreSQL's `GREATEST`; on SQLite, where
    /// Django's `MAX(a, b)` is NULL when either is, the SQL makes it so). Typed as
    /// `other` is; chained calls make one `GREATEST(a, b, c)`.
    fn greatest<V>(self, other: V) -> Expr<V::Type>
    where
        Self::Type: OrderedColumn,
        V: OperandType + Operand<Self::Type>,
    {
        Expr::from_node(chained(Func::Greatest, self.function_node(), Operand::into_node(other)))
    }

    /// The smaller of `self` and `other` (Django's `Least`), NULLs ignored on every
    /// backend, as [`greatest`](Self::greatest).
    fn least<V>(self, other: V) -> Expr<V::Type>
    where
        Self::Type: OrderedColumn,
        V: OperandType + Operand<Self::Type>,
    {
        Expr::from_node(chained(Func::Least, self.function_node(), Operand::into_node(other)))
    }

    /// The text in lower case, for all of Unicode on every backend (Django's `Lower`;
    /// Django's SQLite `LOWER()` folds ASCII only).
    fn lower(self) -> Expr<Self::Type>
    where
        Self::Type: TextColumn,
    {
        Expr::from_node(call(Func::Lower, vec![self.function_node()]))
    }

    /// The text in upper case, for all of Unicode (Django's `Upper`).
    fn upper(self) -> Expr<Self::Type>
    where
        Self::Type: TextColumn,
    {
        Expr::from_node(call(Func::Upper, vec![self.function_node()]))
    }

    /// The text's length in characters (Django's `Length`): an `i64`, or `Option<i64>`
    /// for a nullable text.
    fn length(self) -> Expr<<Self::Type as MaybeNull>::With<i64>>
    where
        Self::Type: TextColumn + MaybeNull,
    {
        Expr::from_node(call(Func::Length, vec![self.function_node()]))
    }

    /// The text followed by `other` (Django's `Concat`): a NULL part reads as `''`, so
    /// the result is never NULL. Chained calls make one concatenation.
    fn concat(self, other: impl Operand<String>) -> Expr<String>
    where
        Self::Type: TextColumn,
    {
        Expr::from_node(chained(Func::Concat, self.function_node(), other.into_node()))
    }

    /// The absolute value (Django's `Abs`).
    fn abs(self) -> Expr<Self::Type>
    where
        Self::Type: NumericColumn,
    {
        Expr::from_node(call(Func::Abs, vec![self.function_node()]))
    }

    /// Rounded to a whole number, halves away from zero on every backend (Django's
    /// `Round`), of the same type: `round()` of an `f64` is an `f64`, of an `i32` the
    /// `i32` itself.
    fn round(self) -> Expr<Self::Type>
    where
        Self::Type: NumericColumn,
    {
        self.round_to(0)
    }

    /// Rounded to `places` decimal places, halves away from zero (Django's
    /// `Round(x, precision)`), of the same type.
    fn round_to(self, places: u8) -> Expr<Self::Type>
    where
        Self::Type: NumericColumn,
    {
        let round = call(Func::Round, vec![self.function_node(), ExprNode::Value(Value::Int32(i32::from(places)))]);
        Expr::from_node(ExprNode::Cast { expr: Box::new(round), to: <Self::Type as FieldType>::COLUMN })
    }

    /// `CAST(self AS U)` between numeric types (Django's `Cast`): compares an `i32`
    /// column with an `i64` one, `b.year.cast::<i64>()`, or divides as floats,
    /// `b.pages.cast::<f64>()`. Nullable as `self` is. A float cast to an integer is
    /// truncated on SQLite and rounded on PostgreSQL, as in Django.
    fn cast<U: CastTarget>(self) -> Expr<<Self::Type as MaybeNull>::With<U>>
    where
        Self::Type: NumericColumn + MaybeNull,
    {
        Expr::from_node(ExprNode::Cast { expr: Box::new(self.function_node()), to: U::COLUMN })
    }
}

impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> Functions for Field<M, T, C, X> {
    type Type = C::Read<T, X>;
    fn function_node(self) -> ExprNode {
        self.node()
    }
}

impl<T: FieldType> Functions for Expr<T> {
    type Type = T;
    fn function_node(self) -> ExprNode {
        self.node
    }
}
