//! Subqueries inside a statement: `IN (SELECT ..)`, `EXISTS(SELECT 1 ..)`, a scalar
//! `(SELECT .. LIMIT 1)`, and the outer query's columns they read (Django's
//! `OuterRef`). The inner query is written by the same writer, so its parameters are
//! numbered in the one sequence (`$3` after the outer query's `$1, $2`); its tables
//! are aliased `U0, U1, ..` (Django's names), so they never hide the outer ones.

use super::joins::{JoinPlan, Reuse};
use super::select::write_select;
use super::dialect::Dialect;
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

/// Queries with subqueries and date parts for the dialects' snapshots.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::ast::{CmpOp, Cond, DatePart, ExprNode, OrderBy, Query, Subquery, TruncUnit};
    use crate::meta::Path;
    use crate::sql::tests::{col, value, BOOK};
    use crate::value::ColumnType;

    fn outer(index: u16) -> ExprNode {
        ExprNode::OuterColumn { meta: &BOOK, column: index, path: Path::ROOT }
    }

    /// `year > 2000 AND id IN (SELECT U0.id .. WHERE U0.title = 'Dune' AND U0.year <
    /// book.year) AND year < 2020`: a bound value on each side of the subquery's.
    pub(crate) fn in_correlated() -> Query {
        let mut inner = Query::new(&BOOK);
        inner.filter = Some(Cond::and(
            Cond::Compare(CmpOp::Eq, col(1), value("Dune")),
            Cond::Compare(CmpOp::Lt, col(2), outer(2)),
        ));
        let mut query = Query::new(&BOOK);
        query.filter = Some(Cond::And(vec![
            Cond::Compare(CmpOp::Gt, col(2), value(2000)),
            Cond::InQuery(col(0), Subquery::new(inner, vec![col(0)])),
            Cond::Compare(CmpOp::Lt, col(2), value(2020)),
        ]));
        query
    }

    /// `NOT EXISTS(..)` and a scalar subquery ordered and sliced, in one statement.
    pub(crate) fn exists_and_scalar() -> (Query, Vec<ExprNode>) {
        let mut inner = Query::new(&BOOK);
        inner.filter = Some(Cond::Compare(CmpOp::Eq, col(2), outer(2)));
        let mut query = Query::new(&BOOK);
        query.filter = Some(Cond::not(Cond::Exists(Subquery::new(inner.clone(), Vec::new()))));
        inner.order = Some(vec![OrderBy { node: col(1), desc: true }]);
        inner.set_limits(0, Some(1));
        (query, vec![col(1), ExprNode::Subquery(Subquery::new(inner, vec![col(1)]))])
    }

    /// Every date part and truncation of a UTC timestamp column.
    pub(crate) fn date_parts(column_type: ColumnType) -> Vec<ExprNode> {
        let parts = [DatePart::Year, DatePart::Month, DatePart::Day, DatePart::WeekDay, DatePart::Hour, DatePart::Minute];
        let mut out: Vec<ExprNode> = parts
            .into_iter()
            .map(|part| ExprNode::Extract { part, arg: Box::new(col(2)), column_type })
            .collect();
        for unit in [TruncUnit::Month, TruncUnit::Day, TruncUnit::Date] {
            out.push(ExprNode::Trunc { unit, arg: Box::new(col(2)), column_type });
        }
        out
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
