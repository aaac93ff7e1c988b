//! Queries for the dialects' snapshots (`sqlite/tests.rs`, `postgres/tests.rs`):
//! subqueries, date parts, compound statements, aggregates over grouped rows.

use crate::ast::{
    AggFunc, CmpOp, Combinator, Cond, DatePart, ExprNode, Group, OrderBy, Query, SetOp, Subquery, TruncUnit,
};
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
    inner.filter =
        Some(Cond::and(Cond::Compare(CmpOp::Eq, col(1), value("Dune")), Cond::Compare(CmpOp::Lt, col(2), outer(2))));
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
    inner.order = Some(vec![OrderBy { node: col(1), desc: true, nulls: None }]);
    inner.set_limits(0, Some(1));
    (query, vec![col(1), ExprNode::Subquery(Subquery::new(inner, vec![col(1)]))])
}

/// Every date part and truncation of a UTC timestamp column.
pub(crate) fn date_parts(column_type: ColumnType) -> Vec<ExprNode> {
    let parts = [DatePart::Year, DatePart::Month, DatePart::Day, DatePart::WeekDay, DatePart::Hour, DatePart::Minute];
    let mut out: Vec<ExprNode> =
        parts.into_iter().map(|part| ExprNode::Extract { part, arg: Box::new(col(2)), column_type }).collect();
    for unit in [TruncUnit::Month, TruncUnit::Day, TruncUnit::Date] {
        out.push(ExprNode::Trunc { unit, arg: Box::new(col(2)), column_type });
    }
    out
}

/// `year < 1940 UNION year > ?`, by title descending, rows 1 to 3.
pub(crate) fn union() -> Query {
    let part = |op, year: i64| {
        let mut q = Query::new(&BOOK);
        q.filter = Some(Cond::Compare(op, col(2), value(year)));
        q.order = Some(Vec::new());
        q
    };
    let mut query = Query::new(&BOOK);
    query.combinator =
        Some(Box::new(Combinator { op: SetOp::Union, parts: vec![part(CmpOp::Lt, 1940), part(CmpOp::Gt, 2000)] }));
    query.order = Some(vec![OrderBy { node: col(1), desc: true, nulls: None }]);
    query.set_limits(1, Some(3));
    query
}

/// Books grouped by year, `HAVING COUNT(id) > ?`, and `(AVG(count), COUNT(*))`
/// over the groups.
pub(crate) fn grouped() -> (Query, Vec<ExprNode>) {
    let count = ExprNode::Aggregate { func: AggFunc::Count, arg: Some(Box::new(col(0))), distinct: false };
    let mut query = Query::new(&BOOK);
    query.group = Group::Exprs(vec![col(2)]);
    query.having = Some(Cond::Compare(CmpOp::Gt, count.clone(), value(1)));
    let avg = ExprNode::Aggregate { func: AggFunc::Avg, arg: Some(Box::new(count)), distinct: false };
    (query, vec![avg, ExprNode::Aggregate { func: AggFunc::Count, arg: None, distinct: false }])
}
