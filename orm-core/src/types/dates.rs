//! The column types with date parts (the chrono types, behind the `chrono` feature):
//! what `year()`, `month()`, `date()` and the truncations return on them.

use super::FieldType;

/// A date or datetime column (or `Option` of one): `year()`, `month()`, `day()`,
/// `week_day()`, `trunc_month()` and `trunc_day()` apply.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a date or datetime column",
    label = "date parts apply to dates and datetimes",
    note = "`year()`, `month()`, `day()`, `week_day()`, `trunc_month()` and `trunc_day()` apply to `NaiveDate`, `NaiveDateTime` and `DateTime<Utc>` columns (the `chrono` feature)"
)]
pub trait DateColumn: FieldType {
    /// A part as a number: `i32`, or `Option<i32>` for a nullable column.
    type Int: FieldType;
    /// The date of a datetime: `NaiveDate`, or `Option<NaiveDate>`.
    type Date: FieldType;
}

/// A datetime column (or `Option` of one): `hour()`, `minute()` and `date()` apply too.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no time of day",
    label = "`hour()`, `minute()` and `date()` apply to datetimes",
    note = "`hour()`, `minute()` and `date()` apply to `NaiveDateTime` and `DateTime<Utc>` columns"
)]
pub trait DateTimeColumn: DateColumn {}
