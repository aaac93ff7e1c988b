//! chrono's `NaiveDate`, `NaiveDateTime` and `DateTime<Utc>`, bound as the logical
//! `Date`, `Timestamp` and `TimestampTz` values.
//!
//! SQLite stores them as text exactly as Django's SQLite backend does:
//! `2024-05-02 12:00:00`, with `.ffffff` only when the microseconds are not zero
//! (Python's `str(datetime)`), aware values in UTC; so values bound here compare equal
//! to rows Django wrote. Text order is still time order: a value without a fraction
//! is a prefix of the same second with one, and the fraction always has six digits.
//! Django keeps microseconds; a chrono value's nanoseconds below that are dropped.

use super::{ColumnType, DecodeError, FieldType, Ordered, Value, ValueRef};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};

fn text(value: ValueRef<'_>) -> Result<&str, DecodeError> {
    match value {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).map_err(|_| DecodeError::unexpected(value)),
        other => Err(DecodeError::unexpected(other)),
    }
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};

/// Microseconds since the epoch, the nanoseconds below a microsecond dropped.
fn micros(value: &NaiveDateTime) -> i64 {
    // A leap second's nanoseconds run past 1e9; Python has no leap seconds.
    let sub = i64::from(value.nanosecond() % 1_000_000_000) / 1_000;
    value.and_utc().timestamp() * 1_000_000 + sub
}

fn from_micros(micros: i64, value: ValueRef<'_>) -> Result<NaiveDateTime, DecodeError> {
    DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc()).ok_or_else(|| DecodeError::unexpected(value))
}

impl FieldType for NaiveDate {
    const COLUMN: ColumnType = ColumnType::Date;
    const RUST_TYPE: &'static str = "NaiveDate";
    fn to_value(&self) -> Value {
        Value::Date(self.signed_duration_since(EPOCH).num_days() as i32)
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Date(days) => EPOCH
                .checked_add_signed(chrono::Duration::days(i64::from(days)))
                .ok_or_else(|| DecodeError::unexpected(value)),
            _ => NaiveDate::parse_from_str(text(value)?, "%Y-%m-%d").map_err(|_| DecodeError::unexpected(value)),
        }
    }
}
impl Ordered for NaiveDate {}

impl FieldType for NaiveDateTime {
    const COLUMN: ColumnType = ColumnType::Timestamp;
    const RUST_TYPE: &'static str = "NaiveDateTime";
    fn to_value(&self) -> Value {
        Value::Timestamp(micros(self))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Timestamp(t) | ValueRef::TimestampTz(t) => from_micros(t, value),
            _ => {
                let s = text(value)?;
                NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                    .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
                    .map_err(|_| DecodeError::unexpected(value))
            }
        }
    }
}
impl Ordered for NaiveDateTime {}

/// Stored in UTC, as Django stores aware datetimes.
impl FieldType for DateTime<Utc> {
    const COLUMN: ColumnType = ColumnType::TimestampTz;
    const RUST_TYPE: &'static str = "DateTime<Utc>";
    fn to_value(&self) -> Value {
        Value::TimestampTz(micros(&self.naive_utc()))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        NaiveDateTime::from_value(value).map(|naive| naive.and_utc())
    }
}
impl Ordered for DateTime<Utc> {}

macro_rules! date_columns {
    (@time yes $t:ty) => {
        impl super::DateTimeColumn for $t {}
        impl super::DateTimeColumn for Option<$t> {}
    };
    (@time no $t:ty) => {};
    ($($t:ty: $time:tt),*) => {$(
        impl super::DateColumn for $t {
            type Int = i32;
            type Date = NaiveDate;
        }
        impl super::DateColumn for Option<$t> {
            type Int = Option<i32>;
            type Date = Option<NaiveDate>;
        }
        date_columns!(@time $time $t);
    )*};
}
date_columns!(NaiveDate: no, NaiveDateTime: yes, DateTime<Utc>: yes);
