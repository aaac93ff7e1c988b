//! Lazy, typed QuerySets.

pub(crate) mod compile;
mod cursor;
pub(crate) mod expr;
mod joins;
mod more;
mod ordering;
mod paginate;
mod reach;
mod select;
mod shape;

pub use compile::Sql;
pub use cursor::{Cursor, Rows};
pub use expr::{
    count_all, Aggregate, Assignment, Expr, Field, FieldOrder, IntoAssignments, IntoOrdering, Lookups, Operand,
    OrderBy, Q,
};
#[doc(hidden)]
pub use expr::{Cond, ExprNode, UseLookups};
#[doc(hidden)]
pub use ordering::OrderTerms;
pub use ordering::RelationOrder;
pub use paginate::{KeysetOrdering, KeysetPage, Page};
pub use reach::{Cardinality, Flavor, Many, NotNull, Null, Nullable, One, OwnModel, Plain, Root, Unique};
pub(crate) use select::decode_column;
#[doc(hidden)]
pub use select::EmptyAggregate;
pub use select::{AggregateSelection, Selection};
pub(crate) use shape::ShapeColumns;
pub use shape::{Annotated, Instances, RowShape, Values, ValuesAnnotated};

use crate::db::Db;
use crate::model::{Insert, Model, ModelMeta, Path};
use crate::relations::load::PrefetchSpec;
use crate::relations::RelatedPlan;
use crate::relations::{FieldSet, SingleValued};
use crate::{Error, Result};
use expr::{Cond as C, ExprNode as N};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

/// Django's `MAX_GET_RESULTS`: `get` reads at most this many rows to report how many
/// matched.
const MAX_GET_RESULTS: u64 = 21;

/// The untyped description of a query that a `QuerySet` wraps.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Query {
    pub(crate) meta: &'static ModelMeta,
    pub(crate) filter: Option<Cond>,
    /// `None`: the model's default ordering.
    pub(crate) order: Option<Vec<OrderBy>>,
    pub(crate) reversed: bool,
    pub(crate) low: u64,
    pub(crate) high: Option<u64>,
    pub(crate) distinct: bool,
    pub(crate) error: Option<&'static str>,
    /// `select_related` paths, every prefix included, shortest first.
    pub(crate) select_related: Vec<Path>,
    pub(crate) prefetch: Vec<PrefetchSpec>,
    /// How many `filter`/`exclude` calls have been made: each call's joins along
    /// many-valued relations are its own.
    pub(crate) scopes: u16,
    /// Set on the queries of `prefetch_related`: ties the rows to their parents.
    pub(crate) link: Option<compile::Link>,
    /// `GROUP BY`, set by `annotate`.
    pub(crate) group: Group,
    /// Conditions on annotations (`HAVING`).
    pub(crate) having: Option<Cond>,
    /// How many `filter` calls preceded the aggregates (`annotate`): their joins along
    /// many-valued relations are the ones the aggregates may share.
    pub(crate) annotate_scope: Option<u16>,
}

/// The grouping of an annotated query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Group {
    /// No aggregation per row.
    None,
    /// One group per instance (`annotate`): `GROUP BY pk`.
    Model,
    /// One group per distinct value (`values(..).annotate(..)`).
    Exprs(Vec<ExprNode>),
}

impl Query {
    pub(crate) fn new(meta: &'static ModelMeta) -> Self {
        Query {
            meta,
            filter: None,
            order: None,
            reversed: false,
            low: 0,
            high: None,
            distinct: false,
            error: None,
            select_related: Vec::new(),
            prefetch: Vec::new(),
            scopes: 0,
            link: None,
            group: Group::None,
            having: None,
            annotate_scope: None,
        }
    }

    /// Whether the query is `objects().all()` as it stands: no condition, ordering,
    /// slice, distinct, loader, grouping or link.
    pub(crate) fn is_plain(&self) -> bool {
        self.filter.is_none()
            && self.order.is_none()
            && !self.reversed
            && !self.is_sliced()
            && !self.distinct
            && self.select_related.is_empty()
            && self.link.is_none()
            && self.group == Group::None
            && self.having.is_none()
    }

    /// Whether a prefetch path goes through a `select_related` relation (whose
    /// instances the prefetch then fills).
    pub(crate) fn prefetch_follows_select_related(&self) -> bool {
        self.prefetch.iter().any(|p| self.select_related.iter().any(|s| p.path.hops().starts_with(s.hops())))
    }

    pub(crate) fn is_grouped(&self) -> bool {
        self.group != Group::None
    }

    pub(crate) fn is_sliced(&self) -> bool {
        self.low > 0 || self.high.is_some()
    }

    /// Whether the query can return no row without asking the database.
    pub(crate) fn is_empty(&self) -> bool {
        if self.link.as_ref().is_some_and(|l| l.keys.is_empty()) {
            return true;
        }
        self.filter == Some(C::Nothing) || self.high == Some(self.low)
    }

    /// Adds the condition of one `filter`/`exclude` call.
    fn add_filter_call(&mut self, mut cond: Cond) {
        let scope = self.next_scope();
        self.scope_paths(&mut cond, scope);
        self.add_filter(cond);
    }

    /// A new `filter` call's scope.
    fn next_scope(&mut self) -> u16 {
        self.scopes = self.scopes.saturating_add(1);
        self.scopes
    }

    /// Gives the columns of `cond` outside aggregates the scope of their `filter` call
    /// (an aggregate's columns keep the annotation's joins).
    fn scope_paths(&mut self, cond: &mut Cond, scope: u16) {
        let mut too_long = false;
        cond.plain_paths_mut(&mut |path| {
            too_long |= path.is_too_long();
            *path = path.with_scope(scope);
        });
        if too_long {
            self.error.get_or_insert("a lookup follows more relations than orm supports (10)");
        }
    }

    /// Adds a condition that contains aggregates, as Django splits one: the conjuncts
    /// without aggregates to WHERE (with their own joins, as any `filter` call's), the
    /// rest to HAVING.
    fn add_having_call(&mut self, cond: Cond) {
        let (having, plain): (Vec<Cond>, Vec<Cond>) = match cond {
            Cond::And(items) => items.into_iter().partition(Cond::has_aggregate),
            other => (vec![other], Vec::new()),
        };
        let scope = self.next_scope();
        if !plain.is_empty() {
            let mut plain = Cond::And(plain);
            self.scope_paths(&mut plain, scope);
            self.add_filter(plain);
        }
        let mut having = if having.len() == 1 { having.into_iter().next().expect("one") } else { Cond::And(having) };
        self.scope_paths(&mut having, scope);
        self.having = Some(match self.having.take() {
            None => having,
            Some(prev) => (Q(prev) & Q(having)).0,
        });
    }

    fn add_filter(&mut self, cond: Cond) {
        if self.is_sliced() {
            self.error.get_or_insert("cannot filter a query once a slice has been taken");
        }
        self.filter = Some(match self.filter.take() {
            None => cond,
            Some(prev) => (Q(prev) & Q(cond)).0,
        });
    }

    /// Django's `set_limits`: a slice of a slice is relative to the first.
    fn set_limits(&mut self, low: u64, high: Option<u64>) {
        if let Some(high) = high {
            let high = self.low.saturating_add(high);
            self.high = Some(self.high.map_or(high, |h| h.min(high)));
        }
        let low = self.low.saturating_add(low);
        self.low = self.high.map_or(low, |h| h.min(low));
    }

    pub(crate) fn check(&self) -> Result<()> {
        match self.error {
            Some(message) => Err(Error::InvalidQuery { message }),
            None => Ok(()),
        }
    }

    /// [`check`](Self::check) for a query whose rows are read in order: the default
    /// ordering must not loop (counts and writes drop the ordering, as in Django).
    pub(crate) fn check_ordered(&self) -> Result<()> {
        match self.error.or_else(|| self.ordering_error()) {
            Some(message) => Err(Error::InvalidQuery { message }),
            None => Ok(()),
        }
    }
}

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
        let mut terms = ordering::OrderTerms::new(M::META);
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
            self.query.group = Group::Model;
            self.query.annotate_scope = Some(self.query.scopes);
        }
        QuerySet { shape: Values(selection), query: self.query, _model: PhantomData }
    }

    /// The SQL and parameters `all()` would send, without running anything (Django's
    /// `str(qs.query)`, with parameters kept apart).
    pub fn sql(&self) -> Sql {
        compile::select(&self.query, self.shape.columns().as_columns())
    }

    /// Runs the query and collects every row (one query; none for an empty filter or
    /// slice).
    pub fn all(&self, db: &Db) -> Result<Vec<S::Item>> {
        self.query.check_ordered()?;
        if self.query.is_empty() {
            return Ok(Vec::new());
        }
        let related = self.related_plan().sharing(self.query.prefetch_follows_select_related());
        let decode = shape::ShapeRows { shape: &self.shape, related: &related, _model: PhantomData };
        let mut items = if self.query.is_plain() && matches!(self.shape.columns(), ShapeColumns::Model) {
            // `objects().all()`: its SQL depends only on the model; built once per Db.
            db.fetch(&db.cached_sql::<M>(0, crate::db::SqlKind::SelectAll), &[], decode)?
        } else {
            let sql = self.sql();
            db.fetch(&sql.text, &sql.params, decode)?
        };
        S::after_fetch(&mut items, db, &self.query)?;
        Ok(items)
    }

    fn related_plan(&self) -> RelatedPlan {
        if self.query.select_related.is_empty() || !self.shape.has_instances() {
            RelatedPlan::default()
        } else {
            RelatedPlan::new(M::META, &self.query.select_related)
        }
    }

    /// Runs the query and streams its rows without collecting them: the returned
    /// cursor's [`rows`](Cursor::rows) iterator decodes one row at a time.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// for book in Book::objects().iter(&db)?.rows() {
    ///     println!("{}", book?.title);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn iter<'db>(&self, db: &'db Db) -> Result<Cursor<'db, M, S>> {
        self.query.check_ordered()?;
        if !self.query.prefetch.is_empty() {
            return Err(Error::InvalidQuery {
                message: "iter() streams rows one at a time and cannot prefetch_related: use all()",
            });
        }
        if self.query.is_empty() {
            return Ok(Cursor::empty(self.shape.clone()));
        }
        let sql = self.sql();
        Ok(Cursor::new(db.prepare(&sql.text, &sql.params)?, self.shape.clone(), self.related_plan()))
    }

    /// The number of rows (`SELECT COUNT(*)`).
    pub fn count(&self, db: &Db) -> Result<i64> {
        self.query.check()?;
        if self.query.is_empty() {
            return Ok(0);
        }
        let sql = if self.query.is_grouped() || self.query.distinct || self.query.is_sliced() {
            // Count the rows of the query itself, as Django does: its ordering dropped
            // unless a slice needs it (so distinct values are not made distinct by
            // the default ordering's columns), and without select_related's joins.
            let mut inner = self.query.clone();
            if !inner.is_sliced() {
                inner.order = Some(Vec::new());
                inner.reversed = false;
            }
            inner.select_related.clear();
            wrap_count(&inner, &self.shape.columns())
        } else {
            compile::count(&self.query)
        };
        db.fetch_one(&sql.text, &sql.params, crate::backend::Column::<i64>::at(0))
    }

    /// Whether any row matches (`SELECT 1 ... LIMIT 1`).
    pub fn exists(&self, db: &Db) -> Result<bool> {
        self.query.check()?;
        if self.query.is_empty() {
            return Ok(false);
        }
        if self.query.is_grouped() {
            return Ok(self.clone().slice(..1).all(db)?.len() == 1);
        }
        let sql = compile::exists(&self.query);
        Ok(db.fetch(&sql.text, &sql.params, crate::backend::FirstColumn)?.len() == 1)
    }

    /// The first row in the ordering in effect, or by primary key if there is none.
    pub fn first(&self, db: &Db) -> Result<Option<S::Item>> {
        let mut qs = self.clone();
        if !qs.query.is_ordered() {
            qs.query.order = Some(ordering::pk_order_at(M::META, Path::ROOT, false).collect());
        }
        qs.query.set_limits(0, Some(1));
        Ok(qs.all(db)?.pop())
    }

    /// The last row in the ordering in effect, or by primary key if there is none.
    pub fn last(&self, db: &Db) -> Result<Option<S::Item>> {
        let mut qs = self.clone();
        if qs.query.is_sliced() {
            qs.query.error.get_or_insert("cannot reverse a query once a slice has been taken");
        }
        if qs.query.is_ordered() {
            qs.query.reversed = !qs.query.reversed;
        } else {
            qs.query.order = Some(ordering::pk_order_at(M::META, Path::ROOT, true).collect());
        }
        qs.query.high = Some(qs.query.low + 1);
        Ok(qs.all(db)?.pop())
    }

    /// The one row that matches `condition` (Django's `get`): `Error::DoesNotExist`
    /// if none does, `Error::MultipleObjectsReturned` if more do.
    pub fn get(&self, db: &Db, condition: impl FnOnce(S::View) -> Q) -> Result<S::Item> {
        let mut qs = self.clone().filter(condition);
        if !qs.query.is_sliced() {
            qs.query.order = Some(Vec::new());
            qs.query.high = Some(MAX_GET_RESULTS);
        }
        let mut rows = qs.all(db)?;
        match rows.len() {
            0 => Err(Error::DoesNotExist { model: M::META.name }),
            1 => Ok(rows.pop().expect("one row")),
            n => Err(Error::MultipleObjectsReturned {
                model: M::META.name,
                count: (n < MAX_GET_RESULTS as usize).then_some(n),
            }),
        }
    }

    /// Computes aggregates over the rows (Django's `aggregate`):
    /// `aggregate(&db, |b| (b.price_cents.avg(), b.published_year.max()))` gives
    /// `(Option<f64>, Option<i32>)`. Over no rows, counts are 0 and the others `None`;
    /// an empty filter sends no query.
    pub fn aggregate<A: AggregateSelection>(&self, db: &Db, select: impl FnOnce(M::Fields) -> A) -> Result<A::Output> {
        self.query.check()?;
        if self.query.is_grouped() {
            return Err(Error::InvalidQuery { message: "aggregate() over an annotated QuerySet is not supported yet" });
        }
        let aggregates = select(M::__fields(Path::ROOT));
        if self.query.is_empty() {
            return Ok(aggregates.empty_output());
        }
        let mut nodes = Vec::new();
        aggregates.push_nodes(&mut nodes);
        let sql = compile::aggregate(&self.query, &nodes);
        db.fetch_one(&sql.text, &sql.params, select::Selected(&aggregates))
    }
}

/// `COUNT(column)` at `path`.
pub(crate) fn count_column(meta: &'static ModelMeta, column: usize, path: Path) -> Aggregate<i64> {
    Aggregate::new(expr::AggFunc::Count, Some(N::Column { meta, column: column as u16, path }), false)
}

/// `pk IN (value)`, Django's condition for deleting one instance.
pub(crate) fn pk_condition(meta: &'static ModelMeta, pk: crate::Value) -> Q {
    Q(C::In(N::Column { meta, column: meta.pk as u16, path: Path::ROOT }, vec![N::Value(pk)]))
}

/// The condition naming one row by all its key columns (`a = ? AND b = ?` for a
/// composite key).
pub(crate) fn pk_values_condition(meta: &'static ModelMeta, values: Vec<crate::Value>) -> Q {
    if let [single] = meta.pk_columns {
        let _ = single;
        return pk_condition(meta, values.into_iter().next().unwrap_or(crate::Value::Null));
    }
    let column = |c: usize| N::Column { meta, column: c as u16, path: Path::ROOT };
    Q(C::And(
        meta.pk_columns.iter().zip(values).map(|(&c, v)| C::Compare(expr::CmpOp::Eq, column(c), N::Value(v))).collect(),
    ))
}

/// `SELECT COUNT(*) FROM (the query) subquery`, as Django counts grouped or distinct
/// rows.
fn wrap_count(query: &Query, columns: &ShapeColumns) -> Sql {
    let inner = compile::select(query, columns.as_columns());
    Sql { text: format!("SELECT COUNT(*) FROM ({}) subquery", inner.text), params: inner.params }
}

/// Iterating a QuerySet itself: never implemented (sealed), so that
/// `for b in Book::objects()` is a compile error that says how to run it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a QuerySet runs nothing until it is given a `Db`, so it cannot be iterated itself",
    label = "a lazy QuerySet, not its rows",
    note = "run it: `for book in qs.all(&db)? {{ .. }}` (every row, one query), or stream with `for book in qs.iter(&db)?.rows() {{ .. }}`"
)]
pub trait RunItFirst: expr::sealed::Never {}

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
    /// Groups by the selected values and adds aggregates per group (Django's
    /// `values(..).annotate(..)`): `values(|b| b.author().name).annotate(|b| (b.id.count(),
    /// b.price_cents.sum()))` gives `Vec<(String, i64, Option<i64>)>`: the values, then
    /// the aggregates, in one tuple (up to 6 values and 4 aggregates). As in Django
    /// 3.1+, the model's default ordering does not apply to such a query.
    pub fn annotate<A: AggregateSelection>(
        mut self,
        annotations: impl FnOnce(M::Fields) -> A,
    ) -> QuerySet<M, ValuesAnnotated<V, A>> {
        let annotations = annotations(M::__fields(Path::ROOT));
        let mut nodes = Vec::new();
        self.shape.0.push_nodes(&mut nodes);
        self.query.group = Group::Exprs(nodes);
        self.query.annotate_scope = Some(self.query.scopes);
        if self.query.order.is_none() {
            self.query.order = Some(Vec::new());
        }
        QuerySet { query: self.query, shape: ValuesAnnotated(self.shape.0, annotations), _model: PhantomData }
    }
}

/// The number of rows a delete removed in all, and per model name (models with none
/// left out), as Django's `delete()` returns them.
pub type DeleteCount = (usize, std::collections::BTreeMap<String, usize>);

/// Writes through a QuerySet.
impl<M: Model> QuerySet<M> {
    /// Inserts one row and returns it with its primary key (`INSERT ... RETURNING`,
    /// one query).
    pub fn create(&self, db: &Db, new: M::New) -> Result<M> {
        crate::write::create(db, new)
    }

    /// Inserts many rows in as few statements as SQLite's parameter limit allows,
    /// inside one transaction, and returns them with their keys. Django's
    /// `bulk_create`; no query at all for an empty list.
    pub fn bulk_create(&self, db: &Db, rows: impl IntoIterator<Item = M::New>) -> Result<Vec<M>> {
        crate::write::bulk_create(db, rows.into_iter().collect())
    }

    /// Like [`bulk_create`](Self::bulk_create) but does not read the keys back: returns
    /// the number of rows inserted. Cheaper for large loads.
    pub fn bulk_insert(&self, db: &Db, rows: impl IntoIterator<Item = M::New>) -> Result<usize> {
        crate::write::bulk_insert(db, rows)
    }

    /// Sets columns on every matching row (Django's `update`), one query, and returns
    /// the number of rows changed: `update(&db, |b| b.price_cents.set(b.price_cents * 2))`.
    pub fn update<A: IntoAssignments>(&self, db: &Db, assignments: impl FnOnce(M::Fields) -> A) -> Result<usize> {
        self.query.check()?;
        if self.query.is_sliced() {
            return Err(Error::InvalidQuery { message: "cannot update a query once a slice has been taken" });
        }
        let mut list = Vec::new();
        assignments(M::__fields(Path::ROOT)).push_assignments(&mut list);
        if list.iter().any(|a| !a.path.is_root()) {
            return Err(Error::InvalidQuery { message: "update() can only set fields of the QuerySet's own model" });
        }
        for a in &list {
            if let N::Value(value) = &a.value {
                crate::write::check_length(M::META, usize::from(a.column), value)?;
            }
        }
        if self.query.is_empty() || list.is_empty() {
            return Ok(0);
        }
        let sql = compile::update(&self.query, &list);
        db.execute(&sql.text, &sql.params)
    }

    /// Deletes every matching row (Django's `QuerySet.delete`) in a transaction and
    /// returns the counts. An empty filter sends no query.
    pub fn delete(&self, db: &Db) -> Result<DeleteCount> {
        self.query.check()?;
        if self.query.is_sliced() {
            return Err(Error::InvalidQuery { message: "cannot delete a query once a slice has been taken" });
        }
        if self.query.is_empty() {
            return Ok((0, Default::default()));
        }
        // With delete receivers, each instance is read and signalled, as Django does.
        let signalled = {
            use crate::signals::Kind;
            let id = std::any::TypeId::of::<M>();
            if db.signals().has(id, Kind::PreDelete) || db.signals().has(id, Kind::PostDelete) {
                let instances = self.all(db)?;
                for m in &instances {
                    crate::signals::send(db, Kind::PreDelete, m, false)?;
                }
                Some(instances)
            } else {
                None
            }
        };
        let counts = self.delete_rows(db)?;
        for m in signalled.iter().flatten() {
            crate::signals::send(db, crate::signals::Kind::PostDelete, m, false)?;
        }
        Ok(counts)
    }

    fn delete_rows(&self, db: &Db) -> Result<DeleteCount> {
        if crate::relations::delete::is_standalone(db, M::META) {
            let sql = compile::delete(&self.query);
            let n = db.atomic_inner(false, |db| db.execute(&sql.text, &sql.params))?;
            return Ok(crate::write::delete_count(M::META, n));
        }
        // Django's collector: read the keys first, then delete what depends on them
        // and the rows themselves in one transaction.
        let mut keys_query = self.query.clone();
        keys_query.order = Some(Vec::new());
        let pk = Path::ROOT;
        let pk_node = N::Column { meta: M::META, column: M::META.pk as u16, path: pk };
        let sql = compile::select(&keys_query, compile::Columns::Exprs(std::slice::from_ref(&pk_node)));
        let pks = db.fetch(&sql.text, &sql.params, crate::backend::FirstColumn)?;
        db.atomic_inner(false, |db| crate::relations::delete::delete_collected(db, M::META, pks))
    }

    /// The row matching `condition`, or a new one created from `defaults` (Django's
    /// `get_or_create`): returns `(instance, created)`. One query when found; when
    /// created, the insert runs in a savepoint (SELECT, SAVEPOINT, INSERT, RELEASE) or
    /// a transaction (BEGIN ... COMMIT), as in Django.
    pub fn get_or_create(&self, db: &Db, condition: impl Fn(M::Fields) -> Q, defaults: M::New) -> Result<(M, bool)> {
        match self.get(db, &condition) {
            Ok(found) => Ok((found, false)),
            Err(Error::DoesNotExist { .. }) => match db.atomic(|db| crate::write::create::<M::New>(db, defaults)) {
                Ok(created) => Ok((created, true)),
                Err(err @ Error::Integrity { .. }) => match self.get(db, &condition) {
                    Ok(found) => Ok((found, false)),
                    Err(_) => Err(err),
                },
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        }
    }

    /// Updates the row matching `condition` with every field of `defaults`, or creates
    /// it from `defaults` (Django's `update_or_create`), in one transaction; returns
    /// `(instance, created)`.
    pub fn update_or_create(&self, db: &Db, condition: impl Fn(M::Fields) -> Q, defaults: M::New) -> Result<(M, bool)> {
        db.atomic(|db| match self.get(db, &condition) {
            Ok(mut found) => {
                defaults.__apply_to(&mut found);
                crate::write::save(db, &found)?;
                Ok((found, false))
            }
            Err(Error::DoesNotExist { .. }) => {
                let created = db.atomic(|db| crate::write::create::<M::New>(db, defaults))?;
                Ok((created, true))
            }
            Err(err) => Err(err),
        })
    }

    /// One `DELETE` without a transaction, for a model nothing depends on.
    pub(crate) fn delete_fast(&self, db: &Db) -> Result<usize> {
        let sql = compile::delete(&self.query);
        db.execute(&sql.text, &sql.params)
    }

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

    /// Adds aggregates per instance (Django's `annotate`): `annotate(|a| a.books().count())`
    /// gives `Vec<(Author, i64)>`; a tuple gives a tuple. Instances without related
    /// rows are kept (count 0, sums `None`), as in Django. A `filter` before it
    /// restricts what is aggregated; a `filter` on the annotation after it is a HAVING;
    /// `order_by(|(a, n)| n.desc())` orders by it.
    pub fn annotate<A: AggregateSelection>(
        mut self,
        annotations: impl FnOnce(M::Fields) -> A,
    ) -> QuerySet<M, Annotated<A>> {
        let annotations = annotations(M::__fields(Path::ROOT));
        self.query.group = Group::Model;
        self.query.annotate_scope = Some(self.query.scopes);
        QuerySet { query: self.query, shape: Annotated(annotations), _model: PhantomData }
    }

    fn check_prefetch_path(&mut self, path: Path) {
        if path.is_too_long() {
            self.query.error.get_or_insert("a prefetch_related path follows more relations than orm supports (10)");
        }
    }

    /// A QuerySet that matches nothing and never queries (Django's `none()`).
    pub fn none(mut self) -> Self {
        self.query.add_filter(C::Nothing);
        self
    }
}
