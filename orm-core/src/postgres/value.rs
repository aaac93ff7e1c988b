//! Values in and out of PostgreSQL's binary format: each logical value bound as the
//! type the server inferred for its parameter (an `i64` key into an `INTEGER` column
//! is range-checked and sent as four bytes), and each column read as the crate's
//! borrowed value.

use crate::value::Value;
use bytes::{BufMut, BytesMut};
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use std::error::Error as StdError;

type BoxError = Box<dyn StdError + Sync + Send>;

/// Days from 1970-01-01 (the crate's epoch) to 2000-01-01 (PostgreSQL's).
pub(super) const EPOCH_DAYS: i32 = 10_957;
/// Microseconds between the two epochs.
pub(super) const EPOCH_MICROS: i64 = EPOCH_DAYS as i64 * 86_400_000_000;

fn mismatch(value: &Value, ty: &Type) -> BoxError {
    format!("cannot bind {} to a parameter of type {ty}", kind_name(value)).into()
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Bool(_) => "a boolean",
        Value::Int16(_) | Value::Int32(_) | Value::Integer(_) => "an integer",
        Value::Float32(_) | Value::Real(_) => "a float",
        Value::Text(_) => "text",
        Value::Blob(_) => "bytes",
        Value::Date(_) => "a date",
        Value::Timestamp(_) | Value::TimestampTz(_) => "a timestamp",
        Value::Decimal(_) => "a decimal",
        Value::Uuid(_) => "a UUID",
        Value::Json(_) => "JSON",
        Value::Array(_) => "a list",
    }
}

fn is_text(ty: &Type) -> bool {
    matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN)
}

fn integer(i: i64, value: &Value, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    let out_of_range = || -> BoxError { format!("{i} is out of range for a parameter of type {ty}").into() };
    match *ty {
        Type::INT2 => out.put_i16(i16::try_from(i).map_err(|_| out_of_range())?),
        Type::INT4 => out.put_i32(i32::try_from(i).map_err(|_| out_of_range())?),
        Type::INT8 => out.put_i64(i),
        Type::FLOAT4 => out.put_f32(i as f32),
        Type::FLOAT8 => out.put_f64(i as f64),
        Type::NUMERIC => numeric(&i.to_string(), out)?,
        Type::BOOL => out.put_u8(u8::from(i != 0)),
        _ => return Err(mismatch(value, ty)),
    }
    Ok(IsNull::No)
}

fn float(f: f64, value: &Value, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::FLOAT4 => out.put_f32(f as f32),
        Type::FLOAT8 => out.put_f64(f),
        Type::NUMERIC if f.is_finite() => numeric(&f.to_string(), out)?,
        _ => return Err(mismatch(value, ty)),
    }
    Ok(IsNull::No)
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Value::Null => return Ok(IsNull::Yes),
            Value::Bool(b) => match *ty {
                Type::BOOL => out.put_u8(u8::from(*b)),
                _ => return integer(i64::from(*b), self, ty, out),
            },
            Value::Int16(i) => return integer(i64::from(*i), self, ty, out),
            Value::Int32(i) => return integer(i64::from(*i), self, ty, out),
            Value::Integer(i) => return integer(*i, self, ty, out),
            Value::Float32(f) => return float(f64::from(*f), self, ty, out),
            Value::Real(f) => return float(*f, self, ty, out),
            Value::Text(t) => match *ty {
                _ if is_text(ty) || *ty == Type::JSON => out.put_slice(t.as_bytes()),
                Type::JSONB => {
                    out.put_u8(1);
                    out.put_slice(t.as_bytes());
                }
                Type::NUMERIC => numeric(t, out)?,
                Type::UUID => out.put_slice(&parse_uuid(t).ok_or_else(|| mismatch(self, ty))?),
                _ => return Err(mismatch(self, ty)),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => out.put_slice(b),
                Type::UUID if b.len() == 16 => out.put_slice(b),
                _ => return Err(mismatch(self, ty)),
            },
            Value::Date(d) => match *ty {
                Type::DATE => out.put_i32(d - EPOCH_DAYS),
                Type::TIMESTAMP | Type::TIMESTAMPTZ => out.put_i64(i64::from(*d) * 86_400_000_000 - EPOCH_MICROS),
                _ => return Err(mismatch(self, ty)),
            },
            Value::Timestamp(t) | Value::TimestampTz(t) => match *ty {
                Type::TIMESTAMP | Type::TIMESTAMPTZ => out.put_i64(t - EPOCH_MICROS),
                _ if is_text(ty) => out.put_slice(crate::value::timestamp_text(*t).as_bytes()),
                _ => return Err(mismatch(self, ty)),
            },
            Value::Decimal(d) => match *ty {
                Type::NUMERIC => numeric(d, out)?,
                _ if is_text(ty) => out.put_slice(d.as_bytes()),
                Type::FLOAT8 => out.put_f64(d.parse().map_err(|_| mismatch(self, ty))?),
                _ => return Err(mismatch(self, ty)),
            },
            Value::Uuid(u) => match *ty {
                Type::UUID => out.put_slice(u),
                _ if is_text(ty) => out.put_slice(crate::value::uuid_text(u).as_bytes()),
                _ => return Err(mismatch(self, ty)),
            },
            Value::Json(j) => match *ty {
                Type::JSONB => {
                    out.put_u8(1);
                    out.put_slice(j.as_bytes());
                }
                Type::JSON => out.put_slice(j.as_bytes()),
                _ if is_text(ty) => out.put_slice(j.as_bytes()),
                _ => return Err(mismatch(self, ty)),
            },
            Value::Array(items) => return items.as_slice().to_sql(ty, out),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let hex: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

/// Writes a decimal's text (`-12.50`) as PostgreSQL's binary NUMERIC: base-10000
/// digits around the decimal point, a weight, a sign and the display scale.
pub(super) fn numeric(text: &str, out: &mut BytesMut) -> Result<(), BoxError> {
    let bad = || -> BoxError { format!("{text:?} is not a decimal number").into() };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty()) || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let int = int.trim_start_matches('0');
    let scale = u16::try_from(frac.len()).map_err(|_| bad())?;
    // Groups of four digits: the integer part aligned at its right end, the fraction
    // at its left.
    let lead = (4 - int.len() % 4) % 4;
    let int_digits: Vec<u8> = std::iter::repeat_n(b'0', lead).chain(int.bytes()).collect();
    let mut frac_digits: Vec<u8> = frac.bytes().collect();
    while !frac_digits.len().is_multiple_of(4) {
        frac_digits.push(b'0');
    }
    let group = |chunk: &[u8]| chunk.iter().fold(0i16, |acc, d| acc * 10 + i16::from(d - b'0'));
    let mut groups: Vec<i16> = int_digits.chunks(4).chain(frac_digits.chunks(4)).map(group).collect();
    let mut weight = i16::try_from(int_digits.len() / 4).map_err(|_| bad())? - 1;
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    out.put_i16(i16::try_from(groups.len()).map_err(|_| bad())?);
    out.put_i16(weight);
    out.put_u16(if negative && !groups.is_empty() { 0x4000 } else { 0 });
    out.put_u16(scale);
    for g in groups {
        out.put_i16(g);
    }
    Ok(())
}

/// The text of a binary NUMERIC (`None` for NaN or a malformed value).
pub(super) fn numeric_text(raw: &[u8]) -> Option<String> {
    let word = |i: usize| raw.get(i..i + 2).map(|b| i16::from_be_bytes([b[0], b[1]]));
    let (ndigits, weight, sign, scale) = (word(0)?, word(2)?, word(4)? as u16, word(6)? as u16);
    if sign == 0xC000 || ndigits < 0 {
        return None;
    }
    let digits: Vec<i16> = (0..ndigits as usize).map(|i| word(8 + 2 * i)).collect::<Option<_>>()?;
    let digit = |i: i32| if i >= 0 && (i as usize) < digits.len() { digits[i as usize] } else { 0 };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for i in 0..=i32::from(weight) {
            if i == 0 {
                out.push_str(&digit(i).to_string());
            } else {
                out.push_str(&format!("{:04}", digit(i)));
            }
        }
    }
    if scale > 0 {
        out.push('.');
        let mut frac = String::new();
        let mut i = i32::from(weight) + 1;
        while frac.len() < scale as usize {
            frac.push_str(&format!("{:04}", digit(i)));
            i += 1;
        }
        frac.truncate(scale as usize);
        out.push_str(&frac);
    }
    Some(out)
}

/// Whether a binary NUMERIC is a whole number that fits an `i64`, and which.
pub(super) fn numeric_integer(raw: &[u8]) -> Option<i64> {
    let text = numeric_text(raw)?;
    let whole = match text.split_once('.') {
        Some((int, frac)) if frac.bytes().all(|b| b == b'0') => int,
        Some(_) => return None,
        None => &text,
    };
    whole.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let mut out = BytesMut::new();
        numeric(text, &mut out).expect("encodes");
        numeric_text(&out).expect("decodes")
    }

    #[test]
    fn numeric_round_trips_keep_value_and_scale() {
        for (input, expected) in [
            ("0", "0"),
            ("0.00", "0.00"),
            ("12.50", "12.50"),
            ("-12.5", "-12.5"),
            ("10000", "10000"),
            ("123456789.000123", "123456789.000123"),
            ("0.0001", "0.0001"),
            ("-0.00001", "-0.00001"),
            ("99999999999999999999.9", "99999999999999999999.9"),
            ("007", "7"),
        ] {
            assert_eq!(round_trip(input), expected, "{input}");
        }
        assert_eq!(
            numeric_integer(&{
                let mut b = BytesMut::new();
                numeric("42.000", &mut b).unwrap();
                b
            }),
            Some(42)
        );
    }

    #[test]
    fn numeric_refuses_what_is_not_a_number() {
        for bad in ["", ".", "1e5", "abc", "1.2.3", "--1"] {
            assert!(numeric(bad, &mut BytesMut::new()).is_err(), "{bad:?}");
        }
    }
}
