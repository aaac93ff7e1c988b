//! Lists of a model's own columns, typed: the fields a write sets
//! (`book.save_fields(&db, |b| (b.title, b.price_cents))`, the `update_fields` of an
//! upsert) and the unique columns an upsert's `ON CONFLICT` names.

use super::expr::Field;
use crate::meta::ModelMeta;
use crate::model::{Flavor, Model, Root, Unique};

/// Where a primary key column sits in a model's
/// [`NonKeyFields`](crate::Model::NonKeyFields): a row keeps its key, so a write that
/// sets chosen fields cannot name it (a compile error naming [`ColumnList`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct PrimaryKeyField;

/// Columns of model `M` that a write sets: one field, a tuple of fields, or `()` for
/// none. Only the model's own columns other than the primary key qualify: the closure
/// receives the model's [`NonKeyFields`](crate::Model::NonKeyFields), whose key fields
/// are a [`PrimaryKeyField`], not a column.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column of `{M}` that this write can set",
    label = "expected a field of the model itself, such as `|b| (b.title, b.price_cents)`",
    note = "list the model's own columns: not its primary key (a row keeps its key; create a new row instead), not a field reached through a relation (write that model's rows)"
)]
pub trait ColumnList<M> {
    #[doc(hidden)]
    fn push_columns(self, out: &mut Vec<usize>);
}

impl<M: Model, T, X: Flavor> ColumnList<M> for Field<M, T, Root, X> {
    fn push_columns(self, out: &mut Vec<usize>) {
        let column = self.column_index();
        if !out.contains(&column) {
            out.push(column);
        }
    }
}

impl<M> ColumnList<M> for () {
    fn push_columns(self, _out: &mut Vec<usize>) {}
}

macro_rules! column_tuples {
    ($($name:ident)+) => {
        impl<M, $($name: ColumnList<M>),+> ColumnList<M> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn push_columns(self, out: &mut Vec<usize>) {
                let ($($name,)+) = self;
                $($name.push_columns(out);)+
            }
        }
    };
}
column_tuples!(A);
column_tuples!(A B);
column_tuples!(A B C);
column_tuples!(A B C D);
column_tuples!(A B C D E);
column_tuples!(A B C D E F);
column_tuples!(A B C D E F G);
column_tuples!(A B C D E F G H);
column_tuples!(A B C D E F G H I);
column_tuples!(A B C D E F G H I J);
column_tuples!(A B C D E F G H I J K);
column_tuples!(A B C D E F G H I J K L);

/// The columns of a unique constraint of model `M`, which an upsert's
/// `ON CONFLICT (..)` names (Django's `unique_fields`): one column that is `unique`
/// and never NULL (or the primary key), checked by the types; or two or three columns
/// of a `unique_together` group (or a composite primary key), checked when the
/// statement is built.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a unique column of `{M}`: ON CONFLICT needs the columns of a unique constraint",
    label = "not known to be unique",
    note = "name a column declared `#[orm(unique)]` (never NULL) or the primary key, such as `|b| b.isbn`; or the columns of a `unique_together` group as a tuple, `|b| (b.shelf, b.position)`"
)]
pub trait ConflictTarget<M> {
    #[doc(hidden)]
    fn conflict_columns(self, out: &mut Vec<usize>);
    /// Whether the types already prove the columns unique.
    #[doc(hidden)]
    const PROVEN: bool;
}

impl<M: Model, T> ConflictTarget<M> for Field<M, T, Root, Unique> {
    const PROVEN: bool = true;
    fn conflict_columns(self, out: &mut Vec<usize>) {
        out.push(self.column_index());
    }
}

impl<M: Model, A, XA: Flavor, B, XB: Flavor> ConflictTarget<M> for (Field<M, A, Root, XA>, Field<M, B, Root, XB>) {
    const PROVEN: bool = false;
    fn conflict_columns(self, out: &mut Vec<usize>) {
        out.extend([self.0.column_index(), self.1.column_index()]);
    }
}

impl<M: Model, A, XA: Flavor, B, XB: Flavor, C, XC: Flavor> ConflictTarget<M>
    for (Field<M, A, Root, XA>, Field<M, B, Root, XB>, Field<M, C, Root, XC>)
{
    const PROVEN: bool = false;
    fn conflict_columns(self, out: &mut Vec<usize>) {
        out.extend([self.0.column_index(), self.1.column_index(), self.2.column_index()]);
    }
}

/// Whether `columns` are exactly those of a `unique_together` group or of the
/// primary key of `meta` (in any order).
pub(crate) fn is_unique_group(meta: &ModelMeta, columns: &[usize]) -> bool {
    let same = |group: &[usize]| group.len() == columns.len() && group.iter().all(|c| columns.contains(c));
    same(meta.pk_columns) || meta.unique_together.iter().any(|g| same(g))
}
