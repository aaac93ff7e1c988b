//! Items the generated code and the exported macros need. Not part of the public API:
//! nothing here is stable.

pub use crate::db::format_queries;
pub use crate::model::Path;
pub use crate::query::read_column;
pub use rusqlite::Row;

/// Fails to compile unless `T` can be stored in a column; spanned at the field's type.
pub const fn assert_field_type<T: crate::FieldType>() {}
