//! rust_decimal's `Decimal`, bound as its exact text (`Value::Decimal`); SQLite keeps
//! it in a `NUMERIC` column, as Django does, so no precision is lost on the way in.

use super::{ColumnType, DecodeError, FieldType, Numeric, Ordered, Value, ValueRef};
use rust_decimal::Decimal;
use std::str::FromStr;

impl FieldType for Decimal {
    const COLUMN: ColumnType = ColumnType::Decimal;
    const RUST_TYPE: &'static str = "Decimal";
    fn to_value(&self) -> Value {
        Value::Decimal(self.to_string())
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Integer(i) => Ok(Decimal::from(i)),
            ValueRef::Real(r) => Decimal::try_from(r).map_err(|_| DecodeError::unexpected(value)),
            ValueRef::Text(bytes) => std::str::from_utf8(bytes)
                .ok()
                .and_then(|s| Decimal::from_str(s).ok())
                .ok_or_else(|| DecodeError::unexpected(value)),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}
impl Ordered for Decimal {}
impl Numeric for Decimal {
    type Sum = Decimal;
}
