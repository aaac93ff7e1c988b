//! serde_json's `Value`, bound as JSON text (`Value::Json`).

use super::{ColumnType, DecodeError, FieldType, Value, ValueRef};

impl FieldType for serde_json::Value {
    const COLUMN: ColumnType = ColumnType::Json;
    const RUST_TYPE: &'static str = "serde_json::Value";
    fn to_value(&self) -> Value {
        Value::Json(self.to_string())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Text(bytes) => {
                serde_json::from_slice(bytes).map_err(|e| DecodeError::new(format!("invalid JSON ({e})")))
            }
            other => Err(DecodeError::unexpected(other)),
        }
    }
}
