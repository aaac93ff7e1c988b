//! Subqueries (Django's `Subquery`, `Exists`, `__in=queryset`, `OuterRef`) and date
//! parts (`Extract`, `Trunc`, the `__year` lookups) in the query description.

use super::expr::{CmpOp, Cond, ExprNode};
use super::query::Query;
use crate::value::{ColumnType, Value};
use std::sync::Arc;

/// A QuerySet inside another query: its description and what it selects. Shared
/// (cheap to clone); two subqueries are equal when they are the same one.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Subquery(pub(crate) Arc<SubqueryBody>);

/// What a [`Subquery`] holds.
#[derive(Debug)]
pub(crate) struct SubqueryBody {
    pub query: Query,
    /// The one column selected (nothing for `EXISTS`).
    pub columns: Vec<ExprNode>,
    /// The outer query's columns the subquery reads ([`ExprNode::OuterColumn`]): the
    /// outer statement plans their joins before it writes its FROM clause.
    pub outer: Vec<ExprNode>,
}

impl PartialEq for Subquery {
    fn eq(&self, other: &Subquery) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Subquery {
    /// A subquery of `query` selecting `columns`. An error of the inner query (a filter
    /// after a slice, ..) becomes the outer query's when it is added to it.
    pub(crate) fn new(query: Query, columns: Vec<ExprNode>) -> Subquery {
        let mut outer = Vec::new();
        let mut collect = |n: &ExprNode| {
            if matches!(n, ExprNode::OuterColumn { .. }) && !outer.contains(n) {
                outer.push(n.clone());
            }
        };
        for cond in query.filter.iter().chain(query.having.iter()) {
            cond.visit_nodes(&mut collect);
        }
        for node in &columns {
            node.visit(&mut collect);
        }
        if let Some(order) = &query.order {
            for term in order {
                term.node.visit(&mut collect);
            }
        }
        Subquery(Arc::new(SubqueryBody { query, columns, outer }))
    }

    /// The inner model's name, for messages.
    pub(crate) fn model_name(&self) -> &'static str {
        self.0.query.meta.name
    }

    /// The inner query's error, if it has one.
    pub(crate) fn error(&self) -> Option<&'static str> {
        self.0.query.error
    }
}

impl Cond {
    /// The first error of a subquery in the condition (an inner QuerySet that could
    /// not be built), which the outer query then reports, and whether the condition
    /// reads a column of an outer query (so it can only run inside one). One walk.
    pub(crate) fn subquery_notes(&self) -> (Option<&'static str>, bool) {
        let mut error = None;
        self.visit_conds(&mut |c| {
            if let Cond::InQuery(_, s) | Cond::Exists(s) = c {
                error = error.or(s.error());
            }
        });
        let mut outer_ref = false;
        self.visit_nodes(&mut |n| match n {
            ExprNode::Subquery(s) => error = error.or(s.error()),
            ExprNode::OuterColumn { .. } => outer_ref = true,
            _ => {}
        });
        (error, outer_ref)
    }

    /// Calls `f` on this condition and every condition below it.
    fn visit_conds(&self, f: &mut impl FnMut(&Cond)) {
        f(self);
        match self {
            Cond::And(items) | Cond::Or(items) => items.iter().for_each(|c| c.visit_conds(f)),
            Cond::Not(inner) => inner.visit_conds(f),
            _ => {}
        }
    }
}

/// The parts of a compound query (Django's combinators) and how they combine.
#[derive(Debug, Clone)]
pub(crate) struct Combinator {
    pub op: SetOp,
    /// Each without ordering or slice.
    pub parts: Vec<Query>,
}

/// How the parts of a compound query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    /// `UNION`: the rows of any part, without duplicates.
    Union,
    /// `UNION ALL`: every row of every part.
    UnionAll,
    /// `INTERSECT`: the rows of every part.
    Intersection,
    /// `EXCEPT`: the rows of the first part that no other has.
    Difference,
}

/// A part of a date or time (Django's `Extract` lookups).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// `year`
    Year,
    /// `month`, 1 to 12
    Month,
    /// `day` of the month
    Day,
    /// `week_day`: 1 = Sunday .. 7 = Saturday, Django's
    WeekDay,
    /// `hour`
    Hour,
    /// `minute`
    Minute,
}

/// What a date or datetime is truncated to (Django's `Trunc`).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruncUnit {
    /// The first day of the month, at midnight.
    Month,
    /// Midnight of the day, same type.
    Day,
    /// The date alone (Django's `__date`, `TruncDate`): a date.
    Date,
}

/// Days from 1970-01-01 to `y-m-d` in the proleptic Gregorian calendar (Howard
/// Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The first and last value of `year` in a column of `column_type`.
fn year_bounds(year: i64, column_type: ColumnType) -> Option<(Value, Value)> {
    const MICROS_PER_DAY: i64 = 86_400_000_000;
    let first = days_from_civil(year, 1, 1);
    let next = days_from_civil(year + 1, 1, 1);
    match column_type {
        ColumnType::Date => Some((Value::Date(first as i32), Value::Date((next - 1) as i32))),
        ColumnType::Timestamp => {
            Some((Value::Timestamp(first * MICROS_PER_DAY), Value::Timestamp(next * MICROS_PER_DAY - 1)))
        }
        ColumnType::TimestampTz => {
            Some((Value::TimestampTz(first * MICROS_PER_DAY), Value::TimestampTz(next * MICROS_PER_DAY - 1)))
        }
        _ => None,
    }
}

/// Django's `YearLookup`: `created__year=2024` compares the column itself with the
/// year's bounds (`BETWEEN '2024-01-01 00:00:00' AND '2024-12-31 23:59:59.999999'`)
/// so that an index on it serves; `__year__gt` and the others likewise. `None` when
/// the lookup is not a year compared with a plain number (then `EXTRACT` it is).
pub(crate) fn year_lookup(op: CmpOp, lhs: &ExprNode, rhs: &ExprNode) -> Option<Cond> {
    let ExprNode::Extract { part: DatePart::Year, arg, column_type } = lhs else { return None };
    let ExprNode::Value(value) = rhs else { return None };
    let year = value.as_i64().filter(|y| (1..=9999).contains(y))?;
    let (first, last) = year_bounds(year, *column_type)?;
    let column = (**arg).clone();
    let v = ExprNode::Value;
    Some(match op {
        CmpOp::Eq => Cond::Range(column, v(first), v(last)),
        CmpOp::Gt => Cond::Compare(CmpOp::Gt, column, v(last)),
        CmpOp::Gte => Cond::Compare(CmpOp::Gte, column, v(first)),
        CmpOp::Lt => Cond::Compare(CmpOp::Lt, column, v(first)),
        CmpOp::Lte => Cond::Compare(CmpOp::Lte, column, v(last)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_civil_counts_from_the_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 1, 1), 19_723);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn a_year_is_bounded_by_its_first_and_last_microsecond() {
        let (first, last) = year_bounds(2024, ColumnType::Timestamp).unwrap();
        assert_eq!(first, Value::Timestamp(19_723 * 86_400_000_000));
        assert_eq!(last, Value::Timestamp(20_089 * 86_400_000_000 - 1));
        let (first, last) = year_bounds(2024, ColumnType::Date).unwrap();
        assert_eq!((first, last), (Value::Date(19_723), Value::Date(20_088)));
    }
}
