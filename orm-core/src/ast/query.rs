//! The untyped description of a query: what a `QuerySet` holds and the SQL writer
//! reads.

use super::expr::{Cond, ExprNode, OrderBy};
use crate::error::{Error, Result};
use crate::meta::{ModelMeta, Path};
use crate::value::Value;

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
    pub(crate) link: Option<Link>,
    /// `GROUP BY`, set by `annotate`.
    pub(crate) group: Group,
    /// Conditions on annotations (`HAVING`).
    pub(crate) having: Option<Cond>,
    /// How many `filter` calls preceded the aggregates (`annotate`): their joins along
    /// many-valued relations are the ones the aggregates may share.
    pub(crate) annotate_scope: Option<u16>,
    /// `FOR UPDATE` (`select_for_update`), where the database has row locks.
    pub(crate) lock: Option<Lock>,
    /// `DISTINCT ON (..)` (PostgreSQL's, `distinct_on`).
    pub(crate) distinct_on: Vec<ExprNode>,
    /// A condition reads a column of an outer query (Django's `OuterRef`): the query
    /// only runs inside another.
    pub(crate) outer_ref: bool,
    /// `union`, `intersection`, `difference`: the query is its parts combined.
    pub(crate) combinator: Option<Box<super::subquery::Combinator>>,
}

/// The row locks of `select_for_update` (Django's `nowait`, `skip_locked`, `no_key`
/// and `of`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Lock {
    pub nowait: bool,
    pub skip_locked: bool,
    pub no_key: bool,
    /// The tables whose rows are locked (`Path::ROOT` for the model's own); every
    /// table of the query when empty.
    pub of: Vec<Path>,
}

/// The grouping of an annotated query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Group {
    /// No aggregation per row.
    None,
    /// One group per instance (`annotate`): `GROUP BY pk`, then these expressions
    /// (the annotations that are not aggregates, as Django groups by them).
    Model(Vec<ExprNode>),
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
            lock: None,
            distinct_on: Vec::new(),
            outer_ref: false,
            combinator: None,
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
            && self.lock.is_none()
            && self.distinct_on.is_empty()
            && self.combinator.is_none()
    }

    /// Whether rows are made distinct (`distinct()` or `distinct_on(..)`).
    pub(crate) fn is_distinct(&self) -> bool {
        self.distinct || !self.distinct_on.is_empty()
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
        self.filter == Some(Cond::Nothing) || self.high == Some(self.low)
    }

    /// Adds the condition of one `filter`/`exclude` call.
    pub(crate) fn add_filter_call(&mut self, mut cond: Cond) {
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
    pub(crate) fn add_having_call(&mut self, cond: Cond) {
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
        self.note_subqueries(&having);
        self.having = Some(match self.having.take() {
            None => having,
            Some(prev) => Cond::and(prev, having),
        });
    }

    /// Takes on the errors of the subqueries in `cond`, and notes an outer reference.
    fn note_subqueries(&mut self, cond: &Cond) {
        let (error, outer_ref) = cond.subquery_notes();
        if let Some(message) = error {
            self.error.get_or_insert(message);
        }
        self.outer_ref |= outer_ref;
    }

    /// Takes on the errors of the subqueries in annotations, and notes an outer
    /// reference among them (as [`add_filter`](Self::add_filter) does for a condition).
    pub(crate) fn note_annotations(&mut self, nodes: &[ExprNode]) {
        for node in nodes {
            node.visit(&mut |n| match n {
                ExprNode::Subquery(sub) => {
                    if let Some(message) = sub.error() {
                        self.error.get_or_insert(message);
                    }
                }
                ExprNode::OuterColumn { .. } => self.outer_ref = true,
                ExprNode::Case { whens, .. } => {
                    for (cond, _) in whens {
                        if let (Some(message), _) = cond.subquery_notes() {
                            self.error.get_or_insert(message);
                        }
                    }
                }
                _ => {}
            });
        }
    }

    pub(crate) fn add_filter(&mut self, cond: Cond) {
        self.note_subqueries(&cond);
        if self.combinator.is_some() && cond != Cond::Nothing {
            self.error.get_or_insert("Calling QuerySet.filter() after union() is not supported.");
        }
        if self.is_sliced() {
            self.error.get_or_insert("cannot filter a query once a slice has been taken");
        }
        self.filter = Some(match self.filter.take() {
            None => cond,
            Some(prev) => Cond::and(prev, cond),
        });
    }

    /// Django's `set_limits`: a slice of a slice is relative to the first.
    pub(crate) fn set_limits(&mut self, low: u64, high: Option<u64>) {
        if let Some(high) = high {
            let high = self.low.saturating_add(high);
            self.high = Some(self.high.map_or(high, |h| h.min(high)));
        }
        let low = self.low.saturating_add(low);
        self.low = self.high.map_or(low, |h| h.min(low));
    }

    pub(crate) fn check(&self) -> Result<()> {
        match self.error.or_else(|| self.outer_ref_error()) {
            Some(message) => Err(Error::InvalidQuery { message }),
            None => Ok(()),
        }
    }

    /// [`check`](Self::check) for a query whose rows are read in order: the default
    /// ordering must not loop (counts and writes drop the ordering, as in Django).
    pub(crate) fn check_ordered(&self) -> Result<()> {
        match self.error.or_else(|| self.outer_ref_error()).or_else(|| self.ordering_error()) {
            Some(message) => Err(Error::InvalidQuery { message }),
            None => Ok(()),
        }
    }
}

impl Query {
    /// `message` as an error for a compound query (what Django refuses after `union()`).
    pub(crate) fn check_not_combined(&self, message: &'static str) -> Result<()> {
        match self.combinator {
            Some(_) => Err(Error::InvalidQuery { message }),
            None => Ok(()),
        }
    }

    /// Django's error for a QuerySet with an `OuterRef` run on its own.
    fn outer_ref_error(&self) -> Option<&'static str> {
        self.outer_ref
            .then_some("This queryset contains a reference to an outer query and may only be used in a subquery.")
    }
}

/// How a prefetch query is tied to its parents: the rows whose `column` (on the
/// through table, if any) is one of `keys`. A through table's column is also
/// selected, last, so that each row says which parent it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// `(through table, its column matching the queried model's key)`.
    pub through: Option<(&'static str, &'static str)>,
    /// The column matched against the keys.
    pub column: &'static str,
    /// The parents' keys.
    pub keys: Vec<Value>,
}

/// One `prefetch_related` path, with the QuerySet of `prefetch_with` for its last
/// relation.
#[derive(Debug, Clone)]
pub(crate) struct PrefetchSpec {
    pub(crate) path: Path,
    pub(crate) query: Option<Box<Query>>,
}
