//! Subqueries inside a statement: `IN (SELECT ..)`, `EXISTS(SELECT 1 ..)`, a scalar
//! `(SELECT .. LIMIT 1)`, and the outer query's columns they read (Django's
//! `OuterRef`). The inner query is written by the same writer, so its parameters are
//! numbered in the one sequence (`$3` after the outer query's `$1, $2`); its tables
//! are aliased `U0, U1, ..` (Django's names), so they never hide the outer ones.

use super::dialect::Dialect;
use super::joins::{JoinPlan, Reuse};
use super::select::write_select;
use super::writer::{Ctx, Writer};
use super::{Columns, Sql};
use crate::ast::{AggFunc, ExprNode, Query, Subquery};
use crate::meta::{ModelMeta, Path};

impl Writer {
    /// Writes the SELECT of `sub` (for `EXISTS`, `SELECT 1 .. LIMIT 1` when `exists`).
    /// While planning, only the joins of the outer columns it reads are planned: the
    /// subquery adds no other join to the statement around it.
    pub(super) fn subquery(&mut self, sub: &Subquery, exists: bool) {
        let body = &*sub.0;
        if self.planning {
            for node in &body.outer {
                if let ExprNode::OuterColumn { path, .. } = node {
                    self.plan.alias(*path, false, Reuse::Latest);
                }
            }
            return;
        }
        let query = &body.query;
        let depth = self.outer_plans.len();
        let outer = std::mem::replace(&mut self.plan, JoinPlan::for_subquery(query.meta, depth));
        self.outer_plans.push(outer);
        let reuse =
            std::mem::replace(&mut self.aggregate_reuse, Reuse::UpTo(query.annotate_scope.unwrap_or(query.scopes)));
        if exists && !query.is_grouped() {
            // Django's `EXISTS(SELECT 1 AS "a" FROM .. LIMIT 1)`, ordering dropped.
            self.planning(|w| w.where_clause(query));
            self.push("SELECT 1");
            self.write_from_joins();
            self.where_clause(query);
            let dialect = self.dialect();
            dialect.limit(Some(1), query.low, self.raw());
        } else {
            write_select(self, query, &Columns::Exprs(&body.columns));
        }
        self.aggregate_reuse = reuse;
        self.plan = self.outer_plans.pop().expect("pushed above");
    }

    /// `before arg after`: a date part or truncation, as the dialect writes it.
    pub(super) fn wrapped(&mut self, (before, after): (&str, &str), arg: &ExprNode, ctx: Option<Ctx>) {
        self.push(before);
        self.expr_in(arg, ctx);
        self.push(after);
    }

    /// A column of the query around the subquery being written; outside any, the
    /// column of the query itself (such a query is refused before it runs).
    pub(super) fn outer_column(&mut self, meta: &ModelMeta, column: u16, path: Path) {
        let alias = match self.outer_plans.last_mut() {
            Some(plan) => plan.alias(path, false, Reuse::Latest),
            None => self.plan.alias(path, false, Reuse::Latest),
        };
        if !self.planning {
            self.column_at(&alias, meta.columns[usize::from(column)].name);
        }
    }
}

/// The name of a subquery's column `i`: `__col0`, Django's names.
pub(super) fn column_alias(i: usize) -> String {
    format!("__col{i}")
}

/// Aggregates over the rows of an annotated query, as Django computes them:
/// `SELECT AVG("__col0") FROM (SELECT COUNT("book"."id") AS "__col0" FROM .. GROUP BY
/// .. HAVING ..) subquery`. Each aggregate's argument is a column of the subquery
/// (an annotation, or a column of the grouped rows).
pub(crate) fn aggregate_over_rows(query: &Query, aggregates: &[ExprNode], dialect: &'static dyn Dialect) -> Sql {
    let mut columns: Vec<ExprNode> = Vec::with_capacity(aggregates.len());
    for node in aggregates {
        if let ExprNode::Aggregate { arg: Some(arg), .. } = node {
            columns.push((**arg).clone());
        }
    }
    if columns.is_empty() {
        // Only `COUNT(*)`: the subquery still needs a column.
        columns.push(ExprNode::Column { meta: query.meta, column: query.meta.pk as u16, path: Path::ROOT });
    }
    let mut w = Writer::for_query(query, dialect);
    w.push("SELECT ");
    let mut next = 0;
    for (i, node) in aggregates.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        let ExprNode::Aggregate { func, arg, distinct } = node else { continue };
        w.push(match func {
            AggFunc::Count => "COUNT(",
            AggFunc::Sum => "SUM(",
            AggFunc::Avg => "AVG(",
            AggFunc::Min => "MIN(",
            AggFunc::Max => "MAX(",
        });
        if *distinct {
            w.push("DISTINCT ");
        }
        if arg.is_some() {
            w.ident(&column_alias(next));
            next += 1;
        } else {
            w.push("*");
        }
        w.push(")");
        if *func == AggFunc::Avg {
            w.push(dialect.avg_cast());
        }
    }
    w.push(" FROM (");
    write_select(&mut w, query, &Columns::Aliased(&columns));
    w.push(") subquery");
    w.finish()
}
