//! uuid's `Uuid`, stored as its 36-character hyphenated text.

use super::{DecodeError, FieldType, Value, ValueRef};
use uuid::Uuid;

impl FieldType for Uuid {
    const SQL_TYPE: &'static str = "TEXT";
    const RUST_TYPE: &'static str = "Uuid";
    fn to_value(&self) -> Value {
        Value::Text(self.hyphenated().to_string())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Text(bytes) => Uuid::try_parse_ascii(bytes).map_err(|_| DecodeError::unexpected(value)),
            ValueRef::Blob(bytes) => Uuid::from_slice(bytes).map_err(|_| DecodeError::unexpected(value)),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}
