//! A row of a PostgreSQL query, as the runtime reads it: each column's binary value
//! borrowed as the crate's value, by the column's type.

use super::value::{numeric_integer, numeric_text, EPOCH_DAYS, EPOCH_MICROS};
use crate::backend::RowRead;
use crate::error::{DatabaseErrorKind, Error, Result};
use crate::value::ValueRef;
use postgres::types::{FromSql, Type};
use std::cell::OnceCell;

/// A column's bytes, whatever its type (`None` for NULL).
struct Raw<'a>(Option<&'a [u8]>);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(Some(raw)))
    }
    fn from_sql_null(_: &Type) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(None))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// One row, read by column index. A NUMERIC that is not a whole `i64` is read as its
/// text, decoded once per row and column into `text`.
pub(crate) struct Row<'a> {
    pub(crate) row: &'a postgres::Row,
    pub(crate) text: Vec<OnceCell<String>>,
}

impl<'a> Row<'a> {
    pub(crate) fn new(row: &'a postgres::Row, numeric_columns: bool) -> Self {
        let text = if numeric_columns { (0..row.len()).map(|_| OnceCell::new()).collect() } else { Vec::new() };
        Row { row, text }
    }
}

fn malformed(ty: &Type) -> Error {
    Error::Database {
        kind: DatabaseErrorKind::Other,
        code: None,
        message: format!("malformed {ty} value from the server"),
        source: format!("malformed {ty} value").into(),
    }
}

fn be<const N: usize>(raw: &[u8], ty: &Type) -> Result<[u8; N]> {
    raw.try_into().map_err(|_| malformed(ty))
}

impl RowRead for Row<'_> {
    fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        let Raw(raw) = self.row.try_get::<_, Raw<'_>>(index).map_err(super::error::from_postgres)?;
        let Some(raw) = raw else { return Ok(ValueRef::Null) };
        let ty = self.row.columns()[index].type_();
        Ok(match *ty {
            Type::BOOL => ValueRef::Bool(raw.first().is_some_and(|b| *b != 0)),
            Type::INT2 => ValueRef::Integer(i64::from(i16::from_be_bytes(be(raw, ty)?))),
            Type::INT4 => ValueRef::Integer(i64::from(i32::from_be_bytes(be(raw, ty)?))),
            Type::INT8 => ValueRef::Integer(i64::from_be_bytes(be(raw, ty)?)),
            Type::OID => ValueRef::Integer(i64::from(u32::from_be_bytes(be(raw, ty)?))),
            Type::FLOAT4 => ValueRef::Real(f64::from(f32::from_be_bytes(be(raw, ty)?))),
            Type::FLOAT8 => ValueRef::Real(f64::from_be_bytes(be(raw, ty)?)),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => ValueRef::Text(raw),
            Type::JSONB => ValueRef::Text(raw.get(1..).ok_or_else(|| malformed(ty))?),
            Type::BYTEA => ValueRef::Blob(raw),
            Type::DATE => ValueRef::Date(i32::from_be_bytes(be(raw, ty)?) + EPOCH_DAYS),
            Type::TIMESTAMP => ValueRef::Timestamp(i64::from_be_bytes(be(raw, ty)?) + EPOCH_MICROS),
            Type::TIMESTAMPTZ => ValueRef::TimestampTz(i64::from_be_bytes(be(raw, ty)?) + EPOCH_MICROS),
            Type::UUID => ValueRef::Uuid(be(raw, ty)?),
            Type::NUMERIC => match numeric_integer(raw) {
                Some(i) => ValueRef::Integer(i),
                None => {
                    let cell = self.text.get(index).ok_or_else(|| malformed(ty))?;
                    let text = match cell.get() {
                        Some(text) => text,
                        None => {
                            let decoded = numeric_text(raw).ok_or_else(|| malformed(ty))?;
                            cell.get_or_init(|| decoded)
                        }
                    };
                    ValueRef::Text(text.as_bytes())
                }
            },
            _ => {
                return Err(Error::Database {
                    kind: DatabaseErrorKind::Other,
                    code: None,
                    message: format!("columns of type {ty} cannot be read"),
                    source: format!("unsupported type {ty}").into(),
                })
            }
        })
    }
}
