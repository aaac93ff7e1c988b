//! chrono's `NaiveDate`, `NaiveDateTime` and `DateTime<Utc>`, stored as text exactly as
//! Django's SQLite backend stores them: `2024-05-02 12:00:00`, with `.ffffff` only when
//! the microseconds are not zero (Python's `str(datetime)`), so that values bound here
//! compare equal to rows Django wrote.
//!
//! SQL's text order is still the chronological order: a value without a fraction is a
//! prefix of the same second with one, and the fraction always has six digits. Django
//! keeps microseconds; a chrono value's nanoseconds below that are dropped.

use super::{DecodeError, FieldType, Ordered, Value, ValueRef};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

const DATE: &str = "%Y-%m-%d";
const SECONDS: &str = "%Y-%m-%d %H:%M:%S";

/// Django's text for a datetime: `YYYY-MM-DD HH:MM:SS[.ffffff]`.
fn django_text(value: &NaiveDateTime) -> String {
    use chrono::Timelike;
    use std::fmt::Write;
    let mut out = value.format(SECONDS).to_string();
    // A leap second's nanoseconds run past 1e9; Python has no leap seconds.
    let micros = (value.nanosecond() % 1_000_000_000) / 1_000;
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
    out
}

fn text(value: ValueRef<'_>) -> Result<&str, DecodeError> {
    match value {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).map_err(|_| DecodeError::unexpected(value)),
        other => Err(DecodeError::unexpected(other)),
    }
}

impl FieldType for NaiveDate {
    const SQL_TYPE: &'static str = "TEXT";
    const RUST_TYPE: &'static str = "NaiveDate";
    fn to_value(&self) -> Value {
        Value::Text(self.format(DATE).to_string())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        NaiveDate::parse_from_str(text(value)?, DATE).map_err(|_| DecodeError::unexpected(value))
    }
}
impl Ordered for NaiveDate {}

impl FieldType for NaiveDateTime {
    const SQL_TYPE: &'static str = "TEXT";
    const RUST_TYPE: &'static str = "NaiveDateTime";
    fn to_value(&self) -> Value {
        Value::Text(django_text(self))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        let s = text(value)?;
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
            .map_err(|_| DecodeError::unexpected(value))
    }
}
impl Ordered for NaiveDateTime {}

/// Stored in UTC, as Django stores aware datetimes on SQLite.
impl FieldType for DateTime<Utc> {
    const SQL_TYPE: &'static str = "TEXT";
    const RUST_TYPE: &'static str = "DateTime<Utc>";
    fn to_value(&self) -> Value {
        self.naive_utc().to_value()
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        NaiveDateTime::from_value(value).map(|naive| naive.and_utc())
    }
}
impl Ordered for DateTime<Utc> {}
