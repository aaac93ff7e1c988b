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

pub use crate::model::DecodeFn;
pub use crate::query::OrderBy;
pub use crate::relations::{
    cardinality, foreign_key_index, many_to_many_index, one_to_one_index, AnyModel, CannotClone, CloneIfPossible,
    Cloner, ForeignKeyTo, Loaded, ManyToManyTo, Named, OneToOneTo, RelationField,
};

/// The boxed decoder of a model, stored in its `ModelMeta`.
pub fn decode_boxed<M: crate::Model>(row: &Row<'_>, start: usize) -> crate::Result<Box<dyn AnyModel>> {
    Ok(Box::new(M::__from_row(row, start)?))
}

/// `order_by(|b| b.author())`: the related model's default ordering (or its key),
/// along the relation, as Django orders by a relation.
pub fn push_relation_ordering<M: crate::Model>(path: Path, out: &mut Vec<OrderBy>) {
    crate::query::relation_ordering(M::META, path, out);
}
