//! The typed side of subqueries: what `is_in` accepts (a list, or a one-column
//! QuerySet of the column's type), and [`OuterRef`], a column of the enclosing query.
//! (`Subquery(qs)` and `Exists(qs)` take QuerySets, so they live in `queryset/`.)

use super::expr::{Field, Operand, Q};
use crate::ast::{Cond, ExprNode};
use crate::meta::Path;
use crate::model::{Cardinality, Flavor, Model};
use crate::types::FieldType;
use crate::value::Value;
use std::marker::PhantomData;

/// What [`Lookups::is_in`](super::Lookups::is_in) accepts for a column of type `T`:
/// values (any `IntoIterator` of values, fields or expressions of type `T`), or a
/// QuerySet that selects one column of type `T` (Django's `__in=queryset`):
/// `values(|a| a.id)`, or a QuerySet of a model for a ForeignKey to it (its primary
/// key), or of the model itself for its key. `V` is the values' type, or
/// [`FromQuerySet`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither values nor a QuerySet of values of type `{T}`",
    label = "expected values of type `{T}`, or a QuerySet selecting one column of type `{T}`",
    note = "is_in takes a list (`[1, 2]`, a Vec, an iterator) or a one-column QuerySet: `Author::objects().filter(..)` for a ForeignKey<Author> (its primary key), `.values(|x| x.field)` for a field of type `{T}`"
)]
pub trait InValues<T, V> {
    #[doc(hidden)]
    fn into_in(self, lhs: ExprNode) -> Q;
}

impl<T, V: Operand<T>, I: IntoIterator<Item = V>> InValues<T, V> for I {
    fn into_in(self, lhs: ExprNode) -> Q {
        let list: Vec<ExprNode> =
            self.into_iter().map(Operand::into_node).filter(|v| *v != ExprNode::Value(Value::Null)).collect();
        if list.is_empty() {
            Q(Cond::Nothing)
        } else {
            Q(Cond::In(lhs, list))
        }
    }
}

/// The `V` of [`InValues`] for a QuerySet (no value has this type).
#[doc(hidden)]
#[derive(Debug)]
pub enum FromQuerySet {}

/// The values of a column selected by a subquery can be compared with a column of
/// type `T`: the same type, nullable or not.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the QuerySet selects `{Self}`, which cannot be compared with a column of type `{T}`",
    label = "selects `{Self}`",
    note = "select a field of type `{T}`: `.values(|x| x.field)`"
)]
pub trait SameColumn<T> {}
impl<T: FieldType> SameColumn<T> for T {}
impl<T: FieldType> SameColumn<Option<T>> for T {}
impl<T: FieldType> SameColumn<T> for Option<T> {}

/// A column of type `Self` holds keys of model `M`: a `ForeignKey<M>` (nullable or
/// not), or `M`'s own key type. What a QuerySet of `M` itself is compared with in
/// `is_in` (it selects `M`'s primary key, as in Django).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a QuerySet of `{M}` selects its primary key, which a column of type `{Self}` does not hold",
    label = "a QuerySet of `{M}`",
    note = "compare a ForeignKey to `{M}` (or `{M}`'s key) with it, or select a field of this column's type with `.values(|x| x.field)`"
)]
pub trait KeyColumn<M> {}
impl<M: crate::model::SingleKey<Key = i64>> KeyColumn<M> for i64 {}
impl<M: crate::model::SingleKey<Key = i64>> KeyColumn<M> for Option<i64> {}
impl<M: crate::model::SingleKey<Key = String>> KeyColumn<M> for String {}
impl<M: crate::model::SingleKey<Key = String>> KeyColumn<M> for Option<String> {}

/// A column of the query around a subquery (Django's `OuterRef`), typed as the
/// column reads there: built by [`OuterRefs::outer_ref`] and
/// [`OuterRefs::outer_pk`], used as the value of a lookup of the inner QuerySet.
///
/// A QuerySet with an outer reference only runs inside another (in `Subquery`,
/// `Exists` or `is_in`); on its own it is an `Error::InvalidQuery`, as in Django.
#[derive(Debug, PartialEq)]
pub struct OuterRef<T> {
    pub(crate) node: ExprNode,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Clone for OuterRef<T> {
    fn clone(&self) -> Self {
        OuterRef { node: self.node.clone(), _marker: PhantomData }
    }
}

impl<T> OuterRef<T> {
    pub(crate) fn from_node(node: ExprNode) -> Self {
        OuterRef { node, _marker: PhantomData }
    }
}

impl<T> Operand<T> for OuterRef<T> {
    fn into_node(self) -> ExprNode {
        self.node
    }
}
impl<T> Operand<Option<T>> for OuterRef<T> {
    fn into_node(self) -> ExprNode {
        self.node
    }
}
impl<T> Operand<T> for OuterRef<Option<T>> {
    fn into_node(self) -> ExprNode {
        self.node
    }
}

/// Outer references from a model: `Author::outer_pk()`, `Author::outer_ref(|a|
/// a.name)`, for a QuerySet used inside a query of `Author` (Django's
/// `OuterRef("pk")`, `OuterRef("name")`). In `orm::prelude`.
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model, Debug)] struct Author { id: i64, name: String, #[orm(related = "author")] books: HasMany<Book> }
/// # #[derive(Model, Debug)] struct Book { id: i64, title: String, author: ForeignKey<Author> }
/// use orm::Exists;
/// let with_books = Author::objects().filter(|_| Exists(Book::objects().filter(|b| b.author.eq(Author::outer_pk()))));
/// assert!(with_books.sql().text.contains("EXISTS(SELECT 1 FROM \"book\" \"U0\" WHERE \"U0\".\"author_id\" = \"author\".\"id\""));
/// ```
pub trait OuterRefs: Model {
    /// A column of the outer query's `Self`, typed as the column: the closure gets the
    /// outer model's fields (`|a| a.name`, `|b| b.author().name`).
    fn outer_ref<N: Model, T: FieldType, C: Cardinality, X: Flavor>(
        field: impl FnOnce(Self::Fields) -> Field<N, T, C, X>,
    ) -> OuterRef<C::Read<T, X>> {
        let node = field(Self::__fields(Path::ROOT)).node();
        let ExprNode::Column { meta, column, path } = node else { unreachable!("a field is a column") };
        OuterRef::from_node(ExprNode::OuterColumn { meta, column, path })
    }

    /// The outer query's primary key (Django's `OuterRef("pk")`): compared with a
    /// ForeignKey to `Self` (`b.author.eq(Author::outer_pk())`) or a key column.
    fn outer_pk() -> OuterRef<<Self as crate::model::SingleKey>::Key>
    where
        Self: crate::model::SingleKey,
    {
        OuterRef::from_node(ExprNode::OuterColumn { meta: Self::META, column: Self::META.pk as u16, path: Path::ROOT })
    }
}

impl<M: Model> OuterRefs for M {}
