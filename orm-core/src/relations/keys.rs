//! A ForeignKey column in subqueries: a QuerySet of the related model is its keys
//! (Django's `author__in=Author.objects.filter(..)`), and a key selected or read from
//! an outer query compares with it.

use super::fields::ForeignKey;
use crate::ast::ExprNode;
use crate::dsl::{KeyColumn, Operand, OuterRef, SameColumn};
use crate::model::SingleKey;

impl<M: SingleKey> KeyColumn<M> for ForeignKey<M> {}
impl<M: SingleKey> KeyColumn<M> for Option<ForeignKey<M>> {}

// `values(|a| a.id)` against a ForeignKey column, and a key column against
// `values(|b| b.author)`.
impl<M: SingleKey<Key = i64>> SameColumn<ForeignKey<M>> for i64 {}
impl<M: SingleKey<Key = i64>> SameColumn<Option<ForeignKey<M>>> for i64 {}
impl<M: SingleKey<Key = i64>> SameColumn<ForeignKey<M>> for Option<i64> {}
impl<M: SingleKey<Key = i64>> SameColumn<i64> for ForeignKey<M> {}
impl<M: SingleKey<Key = i64>> SameColumn<i64> for Option<ForeignKey<M>> {}
impl<M: SingleKey<Key = i64>> SameColumn<Option<i64>> for ForeignKey<M> {}

// An outer key against a ForeignKey (`b.author.eq(Author::outer_pk())`), and an
// outer ForeignKey against a key (`a.id.eq(Book::outer_ref(|b| b.author))`).
macro_rules! outer_key {
    ($($column:ty => $outer:ty),* $(,)?) => {$(
        impl<M: SingleKey<Key = i64>> Operand<$column> for OuterRef<$outer> {
            fn into_node(self) -> ExprNode {
                self.node
            }
        }
    )*};
}
outer_key!(
    ForeignKey<M> => i64,
    Option<ForeignKey<M>> => i64,
    ForeignKey<M> => Option<i64>,
    i64 => ForeignKey<M>,
    Option<i64> => ForeignKey<M>,
    i64 => Option<ForeignKey<M>>,
);
