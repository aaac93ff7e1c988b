//! `FieldType` for the integers, floats, `bool`, `String` and `Vec<u8>`.

use super::{ColumnType, DecodeError, FieldType, Numeric, Ordered, Text, Value, ValueRef};

macro_rules! integer {
    ($($ty:ty => $column:ident, $variant:ident($bound:ty)),*) => {$(
        impl FieldType for $ty {
            const COLUMN: ColumnType = ColumnType::$column;
            const RUST_TYPE: &'static str = stringify!($ty);
            #[inline]
            fn to_value(&self) -> Value {
                Value::$variant(<$bound>::from(*self))
            }
            #[inline]
            fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
                match value {
                    ValueRef::Integer(i) => <$ty>::try_from(i).map_err(|_| {
                        DecodeError::new(format!("INTEGER {i}, out of range for {}", stringify!($ty)))
                    }),
                    other => Err(DecodeError::unexpected(other)),
                }
            }
        }
        impl Ordered for $ty {}
        impl Numeric for $ty {
            type Sum = i64;
        }
    )*};
}
// Each binds as the width its column has (a typed backend checks it): u8 in a
// SMALLINT, u16 in an INTEGER, u32 in a BIGINT.
integer!(
    i8 => Int16, Int16(i16),
    i16 => Int16, Int16(i16),
    i32 => Int32, Int32(i32),
    i64 => Int64, Integer(i64),
    u8 => UInt8, Int16(i16),
    u16 => UInt16, Int32(i32),
    u32 => UInt32, Integer(i64)
);

macro_rules! float {
    ($($ty:ty => $column:ident, $variant:ident),*) => {$(
        impl FieldType for $ty {
            const COLUMN: ColumnType = ColumnType::$column;
            const RUST_TYPE: &'static str = stringify!($ty);
            #[inline]
            fn to_value(&self) -> Value {
                Value::$variant(*self)
            }
            #[inline]
            #[allow(clippy::cast_possible_truncation)]
            fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
                match value {
                    ValueRef::Real(r) => Ok(r as $ty),
                    // SQLite stores a REAL column's whole numbers as INTEGER in some cases.
                    ValueRef::Integer(i) => Ok(i as $ty),
                    other => Err(DecodeError::unexpected(other)),
                }
            }
        }
        impl Ordered for $ty {}
        impl Numeric for $ty {
            type Sum = f64;
        }
    )*};
}
float!(f32 => Float32, Float32, f64 => Float64, Real);

impl FieldType for bool {
    const COLUMN: ColumnType = ColumnType::Bool;
    const RUST_TYPE: &'static str = "bool";
    #[inline]
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Bool(b) => Ok(b),
            ValueRef::Integer(0) => Ok(false),
            ValueRef::Integer(1) => Ok(true),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}

impl FieldType for String {
    const COLUMN: ColumnType = ColumnType::Text;
    const RUST_TYPE: &'static str = "String";
    #[inline]
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
    #[inline]
    fn into_value(self) -> Value {
        Value::Text(self)
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => Ok(s.to_owned()),
                Err(_) => Err(DecodeError::new("TEXT that is not valid UTF-8")),
            },
            other => Err(DecodeError::unexpected(other)),
        }
    }
}
impl Ordered for String {}
impl Text for String {}

impl FieldType for Vec<u8> {
    const COLUMN: ColumnType = ColumnType::Bytes;
    const RUST_TYPE: &'static str = "Vec<u8>";
    #[inline]
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
    #[inline]
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Blob(bytes) => Ok(bytes.to_vec()),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}
