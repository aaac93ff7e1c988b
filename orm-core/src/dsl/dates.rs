//! Date and time parts as expressions (Django's transforms `__year`, `__month`,
//! `__week_day`, `__date` and the functions `Extract*`, `TruncMonth`, `TruncDay`).

use super::expr::Expr;
use super::lookups::Lookups;
use crate::ast::{DatePart, ExprNode, TruncUnit};
use crate::types::{DateColumn, DateTimeColumn, FieldType};

fn extract<T: DateColumn>(part: DatePart, arg: ExprNode) -> Expr<T::Int> {
    Expr::from_node(ExprNode::Extract { part, arg: Box::new(arg), column_type: T::COLUMN })
}

fn trunc<T: DateColumn, Out>(unit: TruncUnit, arg: ExprNode) -> Expr<Out> {
    Expr::from_node(ExprNode::Trunc { unit, arg: Box::new(arg), column_type: T::COLUMN })
}

/// The parts of a date or datetime column (the chrono types), as integer
/// expressions usable in lookups, `values`, grouping and ordering:
/// `b.created.year().eq(2024)` (Django's `created__year=2024`),
/// `values(|b| b.created.trunc_month()).annotate(|b| b.id.count())` (a report per
/// month). On any other column type they do not compile. A datetime is read in UTC, as the ORM stores it. In `orm::prelude`.
///
/// `year()` compared with a number is written as a range on the column itself, as
/// Django writes it (`created BETWEEN '2024-01-01 00:00:00' AND '2024-12-31
/// 23:59:59.999999'`), so that an index on the column serves.
pub trait DateLookups<T: FieldType>: Lookups<T> {
    /// The year (Django's `__year`, `ExtractYear`).
    fn year(self) -> Expr<T::Int>
    where
        T: DateColumn,
    {
        extract::<T>(DatePart::Year, self.into_expr_node())
    }

    /// The month, 1 to 12 (`__month`, `ExtractMonth`).
    fn month(self) -> Expr<T::Int>
    where
        T: DateColumn,
    {
        extract::<T>(DatePart::Month, self.into_expr_node())
    }

    /// The day of the month (`__day`, `ExtractDay`).
    fn day(self) -> Expr<T::Int>
    where
        T: DateColumn,
    {
        extract::<T>(DatePart::Day, self.into_expr_node())
    }

    /// The day of the week, 1 = Sunday .. 7 = Saturday (Django's `__week_day`,
    /// `ExtractWeekDay`).
    fn week_day(self) -> Expr<T::Int>
    where
        T: DateColumn,
    {
        extract::<T>(DatePart::WeekDay, self.into_expr_node())
    }

    /// The hour, 0 to 23, in UTC (`__hour`, `ExtractHour`).
    fn hour(self) -> Expr<T::Int>
    where
        T: DateTimeColumn,
    {
        extract::<T>(DatePart::Hour, self.into_expr_node())
    }

    /// The minute, 0 to 59 (`__minute`, `ExtractMinute`).
    fn minute(self) -> Expr<T::Int>
    where
        T: DateTimeColumn,
    {
        extract::<T>(DatePart::Minute, self.into_expr_node())
    }

    /// The date of a datetime, in UTC (`__date`, `TruncDate`).
    fn date(self) -> Expr<T::Date>
    where
        T: DateTimeColumn,
    {
        trunc::<T, T::Date>(TruncUnit::Date, self.into_expr_node())
    }

    /// The first day of the month (at midnight, for a datetime): Django's
    /// `TruncMonth`, of the column's own type.
    fn trunc_month(self) -> Expr<T>
    where
        T: DateColumn,
    {
        trunc::<T, T>(TruncUnit::Month, self.into_expr_node())
    }

    /// The day (at midnight, for a datetime): Django's `TruncDay`.
    fn trunc_day(self) -> Expr<T>
    where
        T: DateColumn,
    {
        trunc::<T, T>(TruncUnit::Day, self.into_expr_node())
    }
}

impl<T: FieldType, L: Lookups<T>> DateLookups<T> for L {}
