//! chrono's `NaiveDate`, `NaiveDateTime` and `DateTime<Utc>`, stored as ISO 8601 text.
//!
//! The text has a fixed width (microseconds always written), so SQL's text order is
//! the chronological order and `gt`/`lt`/`order_by` work on the column.

use super::{DecodeError, FieldType, Ordered, Value, ValueRef};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

const DATE: &str = "%Y-%m-%d";
const DATETIME: &str = "%Y-%m-%d %H:%M:%S%.6f";

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
        Value::Text(self.format(DATETIME).to_string())
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
