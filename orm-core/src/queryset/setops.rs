//! Set operations on QuerySets of one model and row shape (Django's `union`,
//! `intersection`, `difference`): one compound statement, ordered and sliced as a
//! whole.

use super::{QuerySet, RowShape};
use crate::ast::{Combinator, Query, SetOp};
use crate::model::Model;
use std::marker::PhantomData;

impl<M: Model, S: RowShape<M>> QuerySet<M, S> {
    /// The rows of either QuerySet, without duplicates (Django's `union()`): one
    /// statement, `SELECT .. UNION SELECT ..`. Chain it for more
    /// (`a.union(b).union(c)`). The result can be ordered by the columns it selects
    /// (`order_by(|b| b.title.asc())`, written `ORDER BY 2`) and sliced, but not
    /// filtered, updated, deleted or aggregated (an `Error::InvalidQuery` when it
    /// runs, as Django refuses). The parts' default orderings are dropped; a part
    /// that is ordered or sliced itself is refused (Django's SQLite refusal, on both
    /// backends here). Another operation on the result nests it:
    /// `a.union(b).intersection(c)` is `SELECT * FROM (a UNION b) INTERSECT c`.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String, published_year: i32 }
    /// let old = Book::objects().filter(|b| b.published_year.lt(1940));
    /// let new = Book::objects().filter(|b| b.published_year.gt(2000));
    /// let qs = old.union(new).order_by(|b| b.title.asc()).slice(..10);
    /// assert!(qs.sql().text.contains(" UNION SELECT "));
    /// assert!(qs.sql().text.ends_with(" ORDER BY 2 ASC LIMIT 10"));
    /// ```
    pub fn union(self, other: QuerySet<M, S>) -> Self {
        self.combine(SetOp::Union, other)
    }

    /// Every row of both QuerySets, duplicates kept (Django's `union(all=True)`).
    pub fn union_all(self, other: QuerySet<M, S>) -> Self {
        self.combine(SetOp::UnionAll, other)
    }

    /// The rows both QuerySets have (Django's `intersection()`, `INTERSECT`).
    pub fn intersection(self, other: QuerySet<M, S>) -> Self {
        self.combine(SetOp::Intersection, other)
    }

    /// The rows of this QuerySet that the other does not have (Django's
    /// `difference()`, `EXCEPT`).
    pub fn difference(self, other: QuerySet<M, S>) -> Self {
        self.combine(SetOp::Difference, other)
    }

    fn combine(self, op: SetOp, other: QuerySet<M, S>) -> Self {
        let mut combined = Query::new(M::META);
        combined.order = Some(Vec::new());
        let mut parts = Vec::with_capacity(2);
        for part in [self.query, other.query] {
            add_part(&mut combined, &mut parts, op, part);
        }
        combined.combinator = Some(Box::new(Combinator { op, parts }));
        QuerySet { query: combined, shape: self.shape, _model: PhantomData }
    }
}

/// Adds `part` to the parts of a compound query: a compound part of the same
/// operation is flattened (`a.union(b).union(c)`), one of another operation nested
/// (`a.union(b).intersection(c)`); a part ordered or sliced is an error.
fn add_part(combined: &mut Query, parts: &mut Vec<Query>, op: SetOp, mut part: Query) {
    if let Some(message) = part.error {
        combined.error.get_or_insert(message);
    }
    let explicitly_ordered = part.order.as_ref().is_some_and(|terms| !terms.is_empty());
    if part.is_sliced() {
        combined.error.get_or_insert("LIMIT/OFFSET not allowed in subqueries of compound statements.");
    } else if explicitly_ordered {
        combined.error.get_or_insert("ORDER BY not allowed in subqueries of compound statements.");
    }
    if let Some(inner) = part.combinator.take() {
        if inner.op == op {
            parts.extend(inner.parts);
            return;
        }
        // Another operation: a part of its own (`SELECT * FROM (a UNION b) ..`).
        part.combinator = Some(inner);
    }
    part.order = Some(Vec::new());
    part.reversed = false;
    part.select_related.clear();
    part.prefetch.clear();
    parts.push(part);
}
