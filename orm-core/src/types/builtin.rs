//! `FieldType` for the integers, floats, `bool`, `String` and `Vec<u8>`.

use super::{DecodeError, FieldType, Numeric, Ordered, Text, Value, ValueRef};

macro_rules! integer {
    ($($ty:ty),*) => {$(
        impl FieldType for $ty {
            const SQL_TYPE: &'static str = "INTEGER";
            const RUST_TYPE: &'static str = stringify!($ty);
            #[inline]
            fn to_value(&self) -> Value {
                Value::Integer(i64::from(*self))
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
integer!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! float {
    ($($ty:ty),*) => {$(
        impl FieldType for $ty {
            const SQL_TYPE: &'static str = "REAL";
            const RUST_TYPE: &'static str = stringify!($ty);
            #[inline]
            fn to_value(&self) -> Value {
                Value::Real(f64::from(*self))
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
float!(f32, f64);

impl FieldType for bool {
    const SQL_TYPE: &'static str = "INTEGER";
    const RUST_TYPE: &'static str = "bool";
    #[inline]
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
    #[inline]
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Integer(0) => Ok(false),
            ValueRef::Integer(1) => Ok(true),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}

impl FieldType for String {
    const SQL_TYPE: &'static str = "TEXT";
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
    const SQL_TYPE: &'static str = "BLOB";
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
