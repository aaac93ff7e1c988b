//! QuerySets inside other queries: `is_in(queryset)` (Django's `__in=qs`),
//! [`Exists`] and [`Subquery`]. Each is part of the one statement of the outer
//! query: no query runs for the inner QuerySet.

use super::{Instances, QuerySet, RowShape, Values};
use crate::ast::{self, Cond, ExprNode};
use crate::dsl::{Expr, FromQuerySet, InValues, KeyColumn, SameColumn, Selection, SingleColumn, Q};
use crate::meta::Path;
use crate::model::{Model, SingleKey};

/// An inner query as `IN (..)` reads it: the ordering dropped unless a slice needs it
/// (Django's `clear_ordering(force=False)`).
fn in_subquery(mut query: ast::Query, columns: Vec<ExprNode>, lhs: ExprNode) -> Q {
    if query.is_empty() {
        return Q(Cond::Nothing); // Django's EmptyResultSet: no row can match
    }
    if !query.is_sliced() {
        query.order = Some(Vec::new());
        query.reversed = false;
    }
    Q(Cond::InQuery(lhs, ast::Subquery::new(query, columns)))
}

/// `b.author.is_in(Author::objects().filter(..))`: a QuerySet of a model selects its
/// primary key.
impl<M: SingleKey, T: KeyColumn<M>> InValues<T, FromQuerySet> for QuerySet<M, Instances> {
    fn into_in(self, lhs: ExprNode) -> Q {
        let pk = ExprNode::Column { meta: M::META, column: M::META.pk as u16, path: Path::ROOT };
        in_subquery(self.query, vec![pk], lhs)
    }
}

/// `b.title.is_in(Review::objects().values(|r| r.book().title))`: the one selected
/// column must have the type of the column it is compared with.
impl<M: Model, S: Selection + SingleColumn, T> InValues<T, FromQuerySet> for QuerySet<M, Values<S>>
where
    S::Output: SameColumn<T>,
{
    fn into_in(self, lhs: ExprNode) -> Q {
        let mut columns = Vec::with_capacity(1);
        self.shape.0.push_nodes(&mut columns);
        in_subquery(self.query, columns, lhs)
    }
}

/// Whether the QuerySet has any row, as a condition of the outer query (Django's
/// `Exists(queryset)`), usually correlated with it through an
/// [`OuterRef`](crate::OuterRef); `!Exists(..)` is `NOT EXISTS`. Written
/// `EXISTS(SELECT 1 FROM .. LIMIT 1)` in the same statement.
///
/// Annotated (`annotate(|_| Exists(..))`) it reads as a `bool` for each row, as any
/// condition does (see [`Annotation`](crate::Annotation)).
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model, Debug)] struct Author { id: i64, name: String, #[orm(related = "author")] books: HasMany<Book> }
/// # #[derive(Model, Debug)] struct Book { id: i64, title: String, author: ForeignKey<Author>, published_year: i32 }
/// use orm::Exists;
/// let authors = Author::objects().filter(|_| {
///     !Exists(Book::objects().filter(|b| b.author.eq(Author::outer_pk()) & b.published_year.lt(1950)))
/// });
/// ```
#[allow(non_snake_case)]
pub fn Exists<M: Model, S: RowShape<M>>(queryset: QuerySet<M, S>) -> Q {
    let query = queryset.query;
    if query.is_empty() {
        return Q(Cond::Nothing);
    }
    Q(Cond::Exists(ast::Subquery::new(query, Vec::new())))
}

/// The value of a one-column QuerySet as an expression of the outer query (Django's
/// `Subquery(queryset.values(..)[:1])`): `NULL` when it has no row, so its type is
/// `Option` of the column's, once (`Option<i32>` for an `i32` or an `Option<i32>`
/// column). A QuerySet not sliced is sliced to its first row (Django leaves that to
/// the user, and PostgreSQL then fails on a second row).
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model, Debug)] struct Author { id: i64, name: String, #[orm(related = "author")] books: HasMany<Book> }
/// # #[derive(Model, Debug)] struct Book { id: i64, title: String, author: ForeignKey<Author>, published_year: i32 }
/// use orm::Subquery;
/// let newest = |_: AuthorFields| {
///     Subquery(Book::objects().filter(|b| b.author.eq(Author::outer_pk())).order_by(|b| b.published_year.desc()).values(|b| b.title))
/// };
/// let rows = Author::objects().values(|a| (a.name, newest(a))); // Vec<(String, Option<String>)>
/// # let _ = rows;
/// ```
#[allow(non_snake_case)]
pub fn Subquery<M: Model, S: Selection + SingleColumn>(queryset: QuerySet<M, Values<S>>) -> Expr<S::OrNull> {
    let mut query = queryset.query;
    if !query.is_sliced() {
        query.set_limits(0, Some(1));
    }
    let mut columns = Vec::with_capacity(1);
    queryset.shape.0.push_nodes(&mut columns);
    Expr::from_node(ExprNode::Subquery(ast::Subquery::new(query, columns)))
}
