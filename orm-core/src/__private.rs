//! Items the generated code and the exported macros need. Not part of the public API:
//! nothing here is stable.

pub use crate::db::format_queries;
pub use crate::model::Path;
pub use crate::query::read_column;
pub use rusqlite::Row;

/// Decodes column `index` with `decode` (a `FieldType::from_value`); a mismatch is an
/// `Error::Decode` naming the model and column. Generated decoders call it with
/// `<Type as FieldType>::..` paths spanned at the field's type, so that an unsupported
/// type gives one error, at the type.
#[inline]
pub fn read_with<T>(
    row: &Row<'_>,
    index: usize,
    model: &'static str,
    column: &'static str,
    expected: &'static str,
    decode: impl FnOnce(crate::ValueRef<'_>) -> Result<T, crate::DecodeError>,
) -> crate::Result<T> {
    let value = row.get_ref(index)?;
    decode(value.into()).map_err(|err| crate::Error::Decode { model, column, expected, found: err.found })
}
