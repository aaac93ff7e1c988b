//! uuid's `Uuid`, bound as its 16 bytes (`Value::Uuid`); SQLite stores its
//! 36-character hyphenated text.

use super::{ColumnType, DecodeError, FieldType, Value, ValueRef};
use uuid::Uuid;

impl FieldType for Uuid {
    const COLUMN: ColumnType = ColumnType::Uuid;
    const RUST_TYPE: &'static str = "Uuid";
    fn to_value(&self) -> Value {
        Value::Uuid(*self.as_bytes())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Uuid(bytes) => Ok(Uuid::from_bytes(bytes)),
            ValueRef::Text(bytes) => Uuid::try_parse_ascii(bytes).map_err(|_| DecodeError::unexpected(value)),
            ValueRef::Blob(bytes) => Uuid::from_slice(bytes).map_err(|_| DecodeError::unexpected(value)),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}
