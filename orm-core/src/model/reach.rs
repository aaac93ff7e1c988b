//! How a field was reached, in the types: from the query's own model (`Root`), through
//! required single-valued relations (`One`), through a relation that may find no row
//! (`Nullable`), or through a many-valued one (`Many`). With the column's own
//! [`Flavor`], this decides the Rust type a column reads as: a column reached through a
//! LEFT JOIN reads as `Option<T>`, so `values()` is right by construction.

use crate::types::FieldType;

/// The query's own model: `b.title` in `Book::objects().filter(|b| ..)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Root;

/// Reached through required single-valued relations only (a non-null ForeignKey):
/// `b.author()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct One;

/// Reached through a single-valued relation that may find no row (a nullable
/// ForeignKey, a reverse OneToOne): its columns read as `Option<T>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nullable;

/// Reached through at least one many-valued relation (`a.books()`): its columns read
/// as `Option<T>` (a LEFT JOIN may find no related row).
#[derive(Debug, Clone, Copy, Default)]
pub struct Many;

/// [`Root`], [`One`], [`Nullable`] or [`Many`]: how a field set was reached.
pub trait Cardinality: Copy + Default + Send + Sync + 'static {
    /// After following a required ForeignKey from here.
    type Required: Cardinality;
    /// After following a relation that may find no row from here.
    type Optional: Cardinality;
    /// The type a column of type `T` and flavor `X` reads as when reached this way.
    type Read<T: FieldType, X: Flavor>: FieldType;
}

impl Cardinality for Root {
    type Required = One;
    type Optional = Nullable;
    type Read<T: FieldType, X: Flavor> = T;
}
impl Cardinality for One {
    type Required = One;
    type Optional = Nullable;
    type Read<T: FieldType, X: Flavor> = T;
}
impl Cardinality for Nullable {
    type Required = Nullable;
    type Optional = Nullable;
    type Read<T: FieldType, X: Flavor> = X::OrNull<T>;
}
impl Cardinality for Many {
    type Required = Many;
    type Optional = Many;
    type Read<T: FieldType, X: Flavor> = X::OrNull<T>;
}

/// A plain column: not null, not unique.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

/// A column whose non-null values name one row: the primary key, or a `unique` column
/// that is not nullable. What a keyset page must end its ordering with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unique;

/// A nullable column (`Option<T>`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Null;

/// [`Plain`], [`Unique`] or [`Null`]: what the derive knows of a column besides its type.
pub trait Flavor: Copy + Default + Send + Sync + 'static {
    /// The column's type read through a join that may find no row: `Option<T>`, or `T`
    /// itself for a column that is nullable already.
    type OrNull<T: FieldType>: FieldType;
}
impl Flavor for Plain {
    type OrNull<T: FieldType> = Option<T>;
}
impl Flavor for Unique {
    type OrNull<T: FieldType> = Option<T>;
}
impl Flavor for Null {
    type OrNull<T: FieldType> = T;
}

/// A column that is never NULL: it can order a keyset page.
#[diagnostic::on_unimplemented(
    message = "a nullable column cannot order a keyset page",
    label = "this column may be NULL",
    note = "a cursor names a row by the values of its ordering columns: order by columns that are never NULL, ending with a unique one such as the primary key"
)]
pub trait NotNull: Flavor {}
impl NotNull for Plain {}
impl NotNull for Unique {}

/// The query's own model, where `update()` may set a field.
#[diagnostic::on_unimplemented(
    message = "update() sets fields of the QuerySet's own model; this field is reached through a relation",
    label = "a field of a related model",
    note = "to change the related rows, update a QuerySet of their model, such as `Company::objects().filter(..).update(&db, |c| c.name.set(..))`"
)]
pub trait OwnModel: Cardinality {}
impl OwnModel for Root {}
