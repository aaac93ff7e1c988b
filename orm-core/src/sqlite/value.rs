//! Values in and out of SQLite: each logical value bound in the storage class and text
//! form Django's SQLite backend uses, and SQLite's five storage classes read back.

use crate::value::{date_text, timestamp_text, uuid_text, Value, ValueRef};
use rusqlite::types::{ToSqlOutput, Value as Owned, ValueRef as Ref};

impl rusqlite::ToSql for Value {
    #[inline]
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(Ref::Null),
            Value::Bool(b) => ToSqlOutput::Borrowed(Ref::Integer(i64::from(*b))),
            Value::Int16(i) => ToSqlOutput::Borrowed(Ref::Integer(i64::from(*i))),
            Value::Int32(i) => ToSqlOutput::Borrowed(Ref::Integer(i64::from(*i))),
            Value::Integer(i) => ToSqlOutput::Borrowed(Ref::Integer(*i)),
            Value::Float32(r) => ToSqlOutput::Borrowed(Ref::Real(f64::from(*r))),
            Value::Real(r) => ToSqlOutput::Borrowed(Ref::Real(*r)),
            Value::Text(t) | Value::Decimal(t) | Value::Json(t) => ToSqlOutput::Borrowed(Ref::Text(t.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(Ref::Blob(b)),
            Value::Date(d) => ToSqlOutput::Owned(Owned::Text(date_text(*d))),
            Value::Timestamp(t) | Value::TimestampTz(t) => ToSqlOutput::Owned(Owned::Text(timestamp_text(*t))),
            Value::Uuid(u) => ToSqlOutput::Owned(Owned::Text(uuid_text(u))),
            // SQLite's dialect lists keys as placeholders: no statement binds a list.
            Value::Array(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite cannot bind a list as one parameter".into(),
                ))
            }
        })
    }
}

/// A column of a row as the crate's borrowed value.
#[inline]
pub(crate) fn value_ref(value: Ref<'_>) -> ValueRef<'_> {
    match value {
        Ref::Null => ValueRef::Null,
        Ref::Integer(i) => ValueRef::Integer(i),
        Ref::Real(r) => ValueRef::Real(r),
        Ref::Text(t) => ValueRef::Text(t),
        Ref::Blob(b) => ValueRef::Blob(b),
    }
}
