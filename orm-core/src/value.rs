//! The values that travel between Rust and a database, in logical types that any
//! backend can bind and read: what a typed driver (PostgreSQL's) needs to know, and
//! what a dynamically typed one (SQLite) stores in its few storage classes.

use std::fmt;

/// An owned value: what is bound as a parameter.
///
/// The variants are logical types. A backend binds each in its own way: SQLite stores
/// the integer widths and `Bool` as INTEGER, `Date` and the timestamps as Django's text
/// (`2024-05-02 12:00:00`), `Decimal`, `Uuid` and `Json` as TEXT.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 16-bit signed integer (`SMALLINT`).
    Int16(i16),
    /// A 32-bit signed integer (`INTEGER`).
    Int32(i32),
    /// A 64-bit signed integer (`BIGINT`).
    Integer(i64),
    /// A 32-bit float (`REAL`).
    Float32(f32),
    /// A 64-bit float (`DOUBLE PRECISION`).
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// A calendar date: days since 1970-01-01.
    Date(i32),
    /// A date and time without a time zone: microseconds since 1970-01-01 00:00:00.
    Timestamp(i64),
    /// An instant in UTC: microseconds since 1970-01-01 00:00:00 UTC.
    TimestampTz(i64),
    /// A decimal number, as its exact text (`"12.50"`).
    Decimal(String),
    /// A UUID's 16 bytes.
    Uuid([u8; 16]),
    /// A JSON document's text.
    Json(String),
    /// A list bound as one parameter: PostgreSQL's `col = ANY($1)`, so that one
    /// statement serves any number of keys. The SQL writer makes these.
    Array(Vec<Value>),
}

/// A borrowed value: what a column of a row holds while it is decoded.
///
/// Backends give integers as `Integer` and floats as `Real` whatever their width, so a
/// decoder matches one variant; SQLite gives only `Null`, `Integer`, `Real`, `Text`
/// and `Blob` (its storage classes), a typed backend the others too.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ValueRef<'a> {
    /// SQL `NULL`.
    Null,
    /// An integer of any width.
    Integer(i64),
    /// A float of any width.
    Real(f64),
    /// Text, as stored (normally UTF-8).
    Text(&'a [u8]),
    /// Bytes.
    Blob(&'a [u8]),
    /// A boolean (from a backend with a boolean type).
    Bool(bool),
    /// A calendar date: days since 1970-01-01.
    Date(i32),
    /// A date and time without a time zone: microseconds since the epoch.
    Timestamp(i64),
    /// An instant: microseconds since the epoch, UTC.
    TimestampTz(i64),
    /// A UUID's 16 bytes.
    Uuid([u8; 16]),
}

impl ValueRef<'_> {
    /// The type name of the value, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Integer(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
            ValueRef::Bool(_) => "BOOLEAN",
            ValueRef::Date(_) => "DATE",
            ValueRef::Timestamp(_) => "TIMESTAMP",
            ValueRef::TimestampTz(_) => "TIMESTAMPTZ",
            ValueRef::Uuid(_) => "UUID",
        }
    }
}

impl fmt::Display for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueRef::Null => f.write_str("NULL"),
            ValueRef::Integer(v) => write!(f, "INTEGER {v}"),
            ValueRef::Real(v) => write!(f, "REAL {v}"),
            ValueRef::Text(v) => write!(f, "TEXT {:?}", String::from_utf8_lossy(v)),
            ValueRef::Blob(v) => write!(f, "BLOB of {} bytes", v.len()),
            ValueRef::Bool(v) => write!(f, "BOOLEAN {v}"),
            ValueRef::Date(d) => write!(f, "DATE {}", date_text(*d)),
            ValueRef::Timestamp(t) => write!(f, "TIMESTAMP {}", timestamp_text(*t)),
            ValueRef::TimestampTz(t) => write!(f, "TIMESTAMPTZ {}", timestamp_text(*t)),
            ValueRef::Uuid(u) => write!(f, "UUID {}", uuid_text(u)),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Int16(v) => write!(f, "{v}"),
            Value::Int32(v) => write!(f, "{v}"),
            Value::Integer(v) => write!(f, "{v}"),
            Value::Float32(v) => write!(f, "{v:?}"),
            Value::Real(v) => write!(f, "{v:?}"),
            Value::Text(v) | Value::Decimal(v) | Value::Json(v) => write!(f, "{v:?}"),
            Value::Blob(v) => write!(f, "<{} bytes>", v.len()),
            Value::Date(d) => write!(f, "{:?}", date_text(*d)),
            Value::Timestamp(t) | Value::TimestampTz(t) => write!(f, "{:?}", timestamp_text(*t)),
            Value::Uuid(u) => write!(f, "{:?}", uuid_text(u)),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl Value {
    /// The owned form of a borrowed value (text that is not UTF-8 is replaced lossily).
    pub fn from_ref(value: ValueRef<'_>) -> Value {
        match value {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Date(d) => Value::Date(d),
            ValueRef::Timestamp(t) => Value::Timestamp(t),
            ValueRef::TimestampTz(t) => Value::TimestampTz(t),
            ValueRef::Uuid(u) => Value::Uuid(u),
        }
    }

    /// The value as a 64-bit integer, whatever its integer width (or a boolean as
    /// 0/1): how keys compare across backends.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int16(i) => Some(i64::from(i)),
            Value::Int32(i) => Some(i64::from(i)),
            Value::Integer(i) => Some(i),
            Value::Bool(b) => Some(i64::from(b)),
            _ => None,
        }
    }
}

/// The logical type of a column: what `CREATE TABLE` declares, in each backend's own
/// words (the dialect writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnType {
    /// `i8`, `i16`.
    Int16,
    /// `i32`.
    Int32,
    /// `i64`.
    Int64,
    /// `u8`: a wider signed column that refuses negatives.
    UInt8,
    /// `u16`.
    UInt16,
    /// `u32`.
    UInt32,
    /// `f32`.
    Float32,
    /// `f64`.
    Float64,
    /// `bool`.
    Bool,
    /// Text (`VARCHAR(n)` where the field has a `max_length` and the backend checks it).
    Text,
    /// Bytes.
    Bytes,
    /// A calendar date.
    Date,
    /// A date and time without a time zone.
    Timestamp,
    /// An instant (date and time in UTC).
    TimestampTz,
    /// An exact decimal number.
    Decimal,
    /// A UUID.
    Uuid,
    /// A JSON document.
    Json,
}

/// Days since 1970-01-01 as `(year, month, day)` (the proleptic Gregorian calendar).
pub(crate) fn civil_from_days(days: i32) -> (i32, u32, u32) {
    // Howard Hinnant's `civil_from_days`.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// `(year, month, day)` as days since 1970-01-01.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// `YYYY-MM-DD`.
pub(crate) fn date_text(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Django's text for a timestamp: `YYYY-MM-DD HH:MM:SS`, then `.ffffff` only when the
/// microseconds are not zero (Python's `str(datetime)`).
pub(crate) fn timestamp_text(micros: i64) -> String {
    use std::fmt::Write;
    let days = micros.div_euclid(86_400_000_000);
    let rest = micros.rem_euclid(86_400_000_000);
    let (secs, frac) = (rest / 1_000_000, rest % 1_000_000);
    let mut out = date_text(days as i32);
    let _ = write!(out, " {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac != 0 {
        let _ = write!(out, ".{frac:06}");
    }
    out
}

/// A UUID's hyphenated text.
pub(crate) fn uuid_text(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 1, 59, 10_957, 19_845, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(date_text(0), "1970-01-01");
        assert_eq!(date_text(19_845), "2024-05-02");
        assert_eq!(timestamp_text(1_714_651_200_000_000), "2024-05-02 12:00:00");
        assert_eq!(timestamp_text(1_714_651_200_123_456), "2024-05-02 12:00:00.123456");
        assert_eq!(timestamp_text(-1), "1969-12-31 23:59:59.999999");
    }
}
