//! Lazy, typed QuerySets: the builder (this file), evaluation (`eval`), writes
//! (`write`, `rows`), row shapes, streaming, pagination and the rest of the API.

mod cursor;
mod eval;
mod latest;
mod more;
mod paginate;
mod related;
pub(crate) mod rows;
mod setops;
mod shape;
mod subquery;
mod upsert;
mod write;

pub use cursor::{Cursor, Rows};
pub use more::ForUpdate;
pub use paginate::{KeysetOrdering, KeysetPage, Page};
pub use related::{prefetch_related_objects, prefetch_related_objects_with};
pub use related::{ManyToManyManager, ModelExt, RelatedAccessor};
pub use shape::{Annotated, Instances, RowShape, Values, ValuesAnnotated};
pub use subquery::{Exists, Subquery};
pub use write::DeleteCount;

use crate::ast::{Cond, ExprNode, Group, PrefetchSpec, Query};
use crate::dsl::{Annotation, IntoOrdering, OrderTerms, Selection, SingleValued, Q};
use crate::meta::Path;
use crate::model::{FieldSet, Model};
use crate::sql::{self, Sql};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

/// Django's `MAX_GET_RESULTS`: `get` reads at most this many rows to report how many
/// matched.
const MAX_GET_RESULTS: u64 = 21;

/// A lazy, typed description of a query over model `M`, Django's `QuerySet`.
///
/// It holds no connection and runs nothing: building, cloning and chaining it never
/// touch the database. Only the methods that take a [`Db`] run SQL, one query each
/// unless their documentation says otherwise.
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model, Debug)] struct Book { id: i64, title: String, published_year: i32 }
/// # fn main() -> orm::Result<()> {
/// let db = Db::open_in_memory()?;
/// db.create_tables::<(Book,)>()?;
/// let before = db.query_count();
/// let recent = Book::objects()
///     .filter(|b| b.published_year.gte(2020))
///     .exclude(|b| b.title.icontains("draft"))
///     .order_by(|b| (b.published_year.desc(), b.title.asc()));
/// assert_eq!(db.query_count(), before); // nothing ran yet
/// let books: Vec<Book> = recent.all(&db)?; // one query
/// assert_eq!(db.query_count(), before + 1);
/// # Ok(())
/// # }
/// ```
pub struct QuerySet<M, S = Instances> {
    query: Query,
    shape: S,
    _model: PhantomData<fn() -> M>,
}

impl<M, S: Clone> Clone for QuerySet<M, S> {
    fn clone(&self) -> Self {
        QuerySet { query: self.query.clone(), shape: self.shape.clone(), _model: PhantomData }
    }
}

impl<M: Model> QuerySet<M> {
    pub(crate) fn into_query(self) -> Query {
        self.query
    }

    /// Every row of `M`'s table; the same as `M::objects()`.
    pub fn new() -> Self {
        QuerySet { query: Query::new(M::META), shape: Instances, _model: PhantomData }
    }
}

impl<M: Model> Default for QuerySet<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model, S: RowShape<M>> fmt::Debug for QuerySet<M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QuerySet<{}>({})", M::META.name, self.sql())
    }
}

impl<M: Model, S: RowShape<M>> QuerySet<M, S> {
    /// Keeps the rows that match the condition (Django's `filter`). Several calls are
    /// combined with `AND`.
    ///
    /// After `annotate`, the closure also receives the annotations, and a condition on
    /// them is a `HAVING`: `.annotate(|a| a.books().count()).filter(|(a, n)| n.gt(2))`.
    pub fn filter(mut self, condition: impl FnOnce(S::View) -> Q) -> Self {
        let cond = condition(self.view()).0;
        self.add_condition(cond);
        self
    }

    fn view(&self) -> S::View {
        self.shape.view(M::__fields(Path::ROOT))
    }

    /// A condition on annotations goes to HAVING (its conjuncts without one to WHERE),
    /// any other to WHERE.
    fn add_condition(&mut self, cond: Cond) {
        if cond.has_aggregate() {
            self.query.add_having_call(cond);
        } else {
            self.query.add_filter_call(cond);
        }
    }

    /// [`filter`](Self::filter) when `value` is `Some`, nothing when it is `None`: typed
    /// optional filters for search forms, without string column names.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String, published_year: i32 }
    /// let min_year: Option<i32> = Some(2000);
    /// let title: Option<&str> = None;
    /// let qs = Book::objects()
    ///     .filter_opt(min_year, |b, year| b.published_year.gte(year))
    ///     .filter_opt(title, |b, t| b.title.icontains(t));
    /// assert_eq!(qs.sql().params.len(), 1);
    /// ```
    pub fn filter_opt<V>(self, value: Option<V>, condition: impl FnOnce(S::View, V) -> Q) -> Self {
        match value {
            Some(value) => self.filter(|f| condition(f, value)),
            None => self,
        }
    }

    /// Keeps the rows that do not match the condition (Django's `exclude`): rows where
    /// a compared column is `NULL` are kept, as in Django.
    pub fn exclude(mut self, condition: impl FnOnce(S::View) -> Q) -> Self {
        let cond = (!condition(self.view())).0;
        self.add_condition(cond);
        self
    }

    /// Replaces the ordering: `order_by(|b| (b.year.desc(), b.title.asc()))`. An empty
    /// tuple `()` removes every ordering, the model's default included.
    pub fn order_by<O: IntoOrdering>(mut self, ordering: impl FnOnce(S::View) -> O) -> Self {
        if self.query.is_sliced() {
            self.query.error.get_or_insert("cannot reorder a query once a slice has been taken");
        }
        let mut terms = OrderTerms::new(M::META);
        ordering(self.view()).push_terms(&mut terms);
        if let Some(err) = terms.error {
            self.query.error.get_or_insert(err);
        }
        self.query.order = Some(terms.terms);
        self.query.reversed = false;
        self
    }

    /// Reverses the ordering in effect. Without any ordering it does nothing, as in
    /// Django.
    pub fn reverse(mut self) -> Self {
        self.query.reversed = !self.query.reversed;
        self
    }

    /// `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.query.distinct = true;
        self
    }

    /// Django's slicing, `qs[5:10]` as `slice(5..10)`: `LIMIT`/`OFFSET`. A slice of a
    /// slice is relative to the first; an empty slice runs no query.
    pub fn slice(mut self, range: impl RangeBounds<usize>) -> Self {
        let low = match range.start_bound() {
            Bound::Included(&n) => n as u64,
            Bound::Excluded(&n) => n as u64 + 1,
            Bound::Unbounded => 0,
        };
        let high = match range.end_bound() {
            Bound::Included(&n) => Some(n as u64 + 1),
            Bound::Excluded(&n) => Some(n as u64),
            Bound::Unbounded => None,
        };
        let high = high.map(|h| h.max(low));
        self.query.set_limits(low, high);
        self
    }

    /// Selects columns or expressions instead of whole instances (Django's
    /// `values_list`): `values(|b| (b.title, b.published_year))` gives
    /// `Vec<(String, i32)>`; one field gives a flat `Vec<T>`.
    ///
    /// A column read through a nullable or many-valued relation is `Option<T>`: the
    /// related row may be missing. An aggregate among the values groups the rows per
    /// instance, as Django's `values("name", n=Count("skills"))` does (one row per
    /// developer, even two of the same name); to group by the values themselves, use
    /// `values(..).annotate(..)`.
    pub fn values<V: Selection>(mut self, select: impl FnOnce(M::Fields) -> V) -> QuerySet<M, Values<V>> {
        let selection = select(M::__fields(Path::ROOT));
        if V::AGGREGATE && self.query.group == Group::None {
            self.query.group = Group::Model(Vec::new());
            self.query.annotate_scope = Some(self.query.scopes);
        }
        QuerySet { shape: Values(selection), query: self.query, _model: PhantomData }
    }

    /// The SQL and parameters `all()` would send, without running anything (Django's
    /// `str(qs.query)`, with parameters kept apart).
    /// The text is SQLite's; [`sql_for`](Self::sql_for) writes it for a connection's
    /// database.
    pub fn sql(&self) -> Sql {
        self.sql_in(crate::default_dialect())
    }

    /// The SQL and parameters `all()` would send to `db`'s database (`$1` placeholders
    /// on PostgreSQL), without running anything.
    pub fn sql_for(&self, db: &crate::exec::Db) -> Sql {
        self.sql_in(db.dialect())
    }

    pub(crate) fn sql_in(&self, dialect: &'static dyn sql::Dialect) -> Sql {
        sql::select(&self.query, self.shape.columns().as_columns(), dialect)
    }
}

/// Iterating a QuerySet itself: never implemented (sealed), so that
/// `for b in Book::objects()` is a compile error that says how to run it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a QuerySet runs nothing until it is given a `Db`, so it cannot be iterated itself",
    label = "a lazy QuerySet, not its rows",
    note = "run it: `for book in qs.all(&db)? {{ .. }}` (every row, one query), or stream with `for book in qs.iter(&db)?.rows() {{ .. }}`"
)]
pub trait RunItFirst: crate::dsl::sealed::Never {}

/// Never usable (see [`RunItFirst`]): it turns `for b in qs` into an error that says
/// to run the QuerySet.
impl<M: Model, S: RowShape<M>> Iterator for QuerySet<M, S>
where
    S: RunItFirst,
{
    type Item = S::Item;
    fn next(&mut self) -> Option<S::Item> {
        unreachable!("RunItFirst has no implementation")
    }
}

/// A QuerySet of the model that the prefetch path `F` leads to: what `prefetch_with`
/// takes (or a reference to one, copied).
pub trait PrefetchQuerySet<F: FieldSet> {
    #[doc(hidden)]
    fn into_queryset(self) -> QuerySet<F::Model>;
}

/// `Self` is the model `M`: ties a prefetch path's model to its QuerySet's.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "prefetch_with got a QuerySet of `{M}`, but the prefetch path leads to `{Self}`",
    label = "expected a `QuerySet<{Self}>`",
    note = "the QuerySet filters and orders the related rows: `prefetch_with(|a| a.books(), Book::objects().filter(..))`"
)]
pub trait SameModel<M> {}
impl<M> SameModel<M> for M {}

impl<M: Model, F: FieldSet> PrefetchQuerySet<F> for QuerySet<M>
where
    F::Model: SameModel<M>,
{
    fn into_queryset(self) -> QuerySet<F::Model> {
        QuerySet { query: self.query, shape: Instances, _model: PhantomData }
    }
}

impl<M: Model, F: FieldSet> PrefetchQuerySet<F> for &QuerySet<M>
where
    F::Model: SameModel<M>,
{
    fn into_queryset(self) -> QuerySet<F::Model> {
        QuerySet { query: self.query.clone(), shape: Instances, _model: PhantomData }
    }
}

impl<M: Model, V: Selection> QuerySet<M, Values<V>> {
    /// Adds annotations to the selected values (Django's `values(..).annotate(..)`):
    /// the values, then the annotations, in one flat tuple (up to 6 values and 4
    /// annotations).
    ///
    /// With an aggregate, the rows are grouped by the values and by the annotations
    /// that are not aggregates (a subquery too, by its value), as Django 5.2 groups:
    /// `values(|b| b.author().name).annotate(|b| (b.id.count(), b.price_cents.sum()))`
    /// gives `Vec<(String, i64, Option<i64>)>`, and as in Django 3.1+ the model's
    /// default ordering does not apply. Without one (`annotate(|b| b.title.lower())`)
    /// nothing is grouped: one row per row, as Django does.
    pub fn annotate<A: Annotation>(
        mut self,
        annotations: impl FnOnce(M::Fields) -> A,
    ) -> QuerySet<M, ValuesAnnotated<V, A>> {
        let annotations = annotations(M::__fields(Path::ROOT));
        if annotates_aggregate(&mut self.query, &annotations) {
            let mut nodes = Vec::new();
            self.shape.0.push_nodes(&mut nodes);
            let mut extra = Vec::new();
            annotations.push_group(&mut extra, false);
            for node in extra {
                push_unique(&mut nodes, node);
            }
            self.query.group = Group::Exprs(nodes);
            self.query.annotate_scope = Some(self.query.scopes);
            if self.query.order.is_none() {
                self.query.order = Some(Vec::new());
            }
        }
        QuerySet { query: self.query, shape: ValuesAnnotated(self.shape.0, annotations), _model: PhantomData }
    }
}

/// The annotations' expressions (noted on the query: a subquery's error, an outer
/// reference) and whether one computes an aggregate, so that the query is grouped.
fn annotates_aggregate<A: Annotation>(query: &mut Query, annotations: &A) -> bool {
    let mut nodes = Vec::new();
    annotations.push_nodes(&mut nodes);
    query.note_annotations(&nodes);
    A::AGGREGATE || nodes.iter().any(crate::dsl::has_aggregate)
}

/// Adds `node` to `nodes` unless it is there already.
fn push_unique(nodes: &mut Vec<ExprNode>, node: ExprNode) {
    if !nodes.contains(&node) {
        nodes.push(node);
    }
}

/// Builders that load relations and add aggregates.
impl<M: Model> QuerySet<M> {
    /// Loads single-valued relations in the same query, with JOINs (Django's
    /// `select_related`): `select_related(|b| b.author())`, nested
    /// `select_related(|r| r.book().author())`; calls add up. A nullable ForeignKey or
    /// a reverse OneToOne is a LEFT OUTER JOIN and reads as `None` when absent.
    ///
    /// Only ForeignKey, OneToOne and HasOne paths compile; a many-valued relation is a
    /// compile error that says to use [`prefetch_related`](Self::prefetch_related).
    pub fn select_related<F: SingleValued>(mut self, relation: impl FnOnce(M::Fields) -> F) -> Self {
        let path = relation(M::__fields(Path::ROOT)).__path();
        if path.is_too_long() {
            self.query.error.get_or_insert("a select_related path follows more relations than orm supports (10)");
            return self;
        }
        for n in 1..=path.hops().len() {
            let prefix = path.prefix(n).with_scope(0);
            if !self.query.select_related.contains(&prefix) {
                self.query.select_related.push(prefix);
            }
        }
        self.query.select_related.sort_by(|a, b| (a.hops().len(), a.hops()).cmp(&(b.hops().len(), b.hops())));
        self
    }

    /// Loads a relation with one extra query per level (Django's `prefetch_related`),
    /// whatever the number of rows: `prefetch_related(|a| a.books())`, nested
    /// `prefetch_related(|a| a.books().reviews())` (one query per level). Works on
    /// every relation, many-valued or not; paths with a common prefix share its query.
    pub fn prefetch_related<F: FieldSet>(mut self, relation: impl FnOnce(M::Fields) -> F) -> Self {
        let path = relation(M::__fields(Path::ROOT)).__path().with_scope(0);
        self.check_prefetch_path(path);
        self.query.prefetch.push(PrefetchSpec { path, query: None });
        self
    }

    /// `prefetch_related` with a QuerySet of your own for the last relation of the
    /// path (Django's `Prefetch(path, queryset)`): it may filter, order,
    /// `select_related` and prefetch further.
    ///
    /// To keep a filtered result apart from the full relation (Django's `to_attr`),
    /// declare a second reverse field over the same ForeignKey
    /// (`#[orm(related = "author")] recent_books: HasMany<Book>`) and prefetch into it.
    pub fn prefetch_with<F: FieldSet, P: PrefetchQuerySet<F>>(
        mut self,
        relation: impl FnOnce(M::Fields) -> F,
        queryset: P,
    ) -> Self {
        let queryset = queryset.into_queryset();
        let path = relation(M::__fields(Path::ROOT)).__path().with_scope(0);
        self.check_prefetch_path(path);
        if queryset.query.is_sliced() {
            self.query.error.get_or_insert("a prefetch queryset cannot be sliced");
        }
        self.query.prefetch.push(PrefetchSpec { path, query: Some(Box::new(queryset.query)) });
        self
    }

    /// Adds annotations per instance (Django's `annotate`): aggregates
    /// (`annotate(|a| a.books().count())` gives `Vec<(Author, i64)>`), expressions
    /// (`case()`, [`Subquery`], functions, arithmetic), fields, and conditions read as
    /// `bool` ([`Exists`]); a tuple gives a tuple.
    ///
    /// With an aggregate among them, the rows are grouped per instance, and the other
    /// annotations join the `GROUP BY` as in Django (a subquery by the outer columns it
    /// reads). Instances without related rows are kept (count 0, sums `None`). A
    /// `filter` before it restricts what is aggregated; a `filter` on an aggregate
    /// after it is a HAVING, on another annotation a WHERE; `order_by(|(a, n)|
    /// n.desc())` orders by it. Without an aggregate nothing is grouped.
    pub fn annotate<A: Annotation>(mut self, annotations: impl FnOnce(M::Fields) -> A) -> QuerySet<M, Annotated<A>> {
        let annotations = annotations(M::__fields(Path::ROOT));
        if annotates_aggregate(&mut self.query, &annotations) {
            let mut group = Vec::new();
            annotations.push_group(&mut group, true);
            let mut extra = Vec::with_capacity(group.len());
            for node in group {
                // The model's own columns follow from its grouped key.
                if !matches!(&node, ExprNode::Column { path, .. } if path.is_root()) {
                    push_unique(&mut extra, node);
                }
            }
            self.query.group = Group::Model(extra);
            self.query.annotate_scope = Some(self.query.scopes);
        }
        QuerySet { query: self.query, shape: Annotated(annotations), _model: PhantomData }
    }

    fn check_prefetch_path(&mut self, path: Path) {
        if path.is_too_long() {
            self.query.error.get_or_insert("a prefetch_related path follows more relations than orm supports (10)");
        }
    }

    /// A QuerySet that matches nothing and never queries (Django's `none()`).
    pub fn none(mut self) -> Self {
        self.query.add_filter(Cond::Nothing);
        self
    }
}
