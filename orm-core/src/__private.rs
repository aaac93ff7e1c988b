//! Items the generated code and the exported macros need. Not part of the public API:
//! nothing here is stable.

pub use crate::exec::format_queries;
pub use crate::meta::Path;

/// Decodes column `index` with `decode` (a `FieldType::from_value`); a mismatch is an
/// `Error::Decode` naming the model and column. Generated decoders call it with
/// `<Type as FieldType>::..` paths spanned at the field's type, so that an unsupported
/// type gives one error, at the type.
#[inline]
pub fn read_with<T, R: crate::RowRead>(
    row: &R,
    index: usize,
    model: &'static str,
    column: &'static str,
    expected: &'static str,
    decode: impl FnOnce(crate::ValueRef<'_>) -> Result<T, crate::DecodeError>,
) -> crate::Result<T> {
    crate::dsl::decode_column(row, index, decode, || (model, column, expected))
}

pub use crate::ast::OrderBy;
pub use crate::dsl::cardinality;
pub use crate::dsl::OrderTerms;
pub use crate::meta::{
    foreign_key_index, many_to_many_index, one_to_one_index, ForeignKeyTo, ManyToManyTo, Named, OneToOneTo, Sole,
};
pub use crate::model::RelatedPlan;
pub use crate::model::{AnyModel, CannotClone, CloneIfPossible, Cloner, Loaded, RelationField};
pub use crate::queryset::RelatedAccessor;
pub use crate::relations::prefetch_level;

/// A ForeignKey field told its relation (see `RelationField::name`).
#[inline]
pub fn named<F: RelationField>(mut field: F, relation: &'static crate::RelationMeta) -> F {
    field.name(relation);
    field
}

/// `order_by(|b| b.author())`: the related model's default ordering (or its key),
/// along the relation, as Django orders by a relation.
pub fn push_relation_ordering<M: crate::Model>(path: Path, out: &mut OrderTerms) {
    out.relation(M::META, path, false);
}

/// The field set of a model whose derive failed: keeps other models' code compiling
/// so that the derive's own error is the one the user sees.
#[derive(Debug)]
pub struct StubFields<M, C>(pub std::marker::PhantomData<fn() -> (M, C)>);

impl<M, C> Clone for StubFields<M, C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, C> Copy for StubFields<M, C> {}

impl<M: crate::Model, C> crate::FieldSet for StubFields<M, C> {
    type Model = M;
    fn __path(&self) -> Path {
        Path::ROOT
    }
}

/// The insert struct of a model whose derive failed (see [`StubFields`]).
pub struct StubNew<M>(std::marker::PhantomData<M>);

impl<M: crate::Model> crate::Insert for StubNew<M> {
    type Model = M;
    fn __push_values(&self, _out: &mut Vec<crate::Value>) {}
    fn __into_values(self, _out: &mut Vec<crate::Value>) {}
    fn __into_model(self, _auto_pk: i64) -> M {
        unreachable!("a model whose derive failed does not compile")
    }
    fn __apply_to(self, _model: &mut M) {}
}

/// `impl Model` for a struct whose derive failed, emitted next to the errors (as
/// serde and thiserror do) so that code using the model reports no follow-on errors.
#[doc(hidden)]
#[macro_export]
macro_rules! __stub_model {
    ($model:ident) => {
        impl ::orm::Model for $model {
            type Fields = ::orm::__private::StubFields<$model, ::orm::Root>;
            type FieldsAt<__OrmC: ::orm::Cardinality> = ::orm::__private::StubFields<$model, __OrmC>;
            type New = ::orm::__private::StubNew<$model>;
            type NonKeyFields = ::orm::__private::StubFields<$model, ::orm::Root>;
            type Pk = i64;
            const META: &'static ::orm::ModelMeta = &::orm::ModelMeta {
                name: stringify!($model),
                table: "",
                columns: &[],
                pk: 0,
                pk_columns: &[],
                auto_pk: true,
                ordering: &[],
                unique_together: &[],
                index_together: &[],
                relations: &[],
                prefetch: ::orm::__private::prefetch_level::<$model>,
            };
            fn __fields(_: ::orm::__private::Path) -> Self::Fields {
                ::orm::__private::StubFields(::std::marker::PhantomData)
            }
            fn __non_key_fields() -> Self::NonKeyFields {
                ::orm::__private::StubFields(::std::marker::PhantomData)
            }
            fn __fields_at<__OrmC: ::orm::Cardinality>(_: ::orm::__private::Path) -> Self::FieldsAt<__OrmC> {
                ::orm::__private::StubFields(::std::marker::PhantomData)
            }
            fn __decode<R: ::orm::RowRead>(_: &R, _: usize) -> ::orm::Result<Self> {
                unreachable!("a model whose derive failed does not compile")
            }
            fn __load_related<R: ::orm::RowRead>(
                &mut self,
                _: usize,
                _: &R,
                _: &::orm::__private::RelatedPlan,
                _: usize,
            ) -> ::orm::Result<()> {
                Ok(())
            }
            fn __push_values(&self, _: &mut ::std::vec::Vec<::orm::Value>) {}
            fn pk(&self) -> ::orm::Value {
                ::orm::Value::Null
            }
            fn __pk(&self) -> i64 {
                0
            }
            fn __value_of(&self, _: usize) -> ::orm::Value {
                ::orm::Value::Null
            }
            fn __set_related(&mut self, _: usize, _: ::orm::__private::Loaded) -> ::orm::Result<()> {
                Ok(())
            }
            fn __clone_boxed(&self) -> ::std::option::Option<::std::boxed::Box<dyn ::orm::__private::AnyModel>> {
                None
            }
            fn __related_one(
                &mut self,
                _: usize,
            ) -> ::std::option::Option<::std::option::Option<&mut dyn ::orm::__private::AnyModel>> {
                None
            }
        }
        impl ::orm::SingleKey for $model {
            type Key = i64;
            fn __key(&self) -> i64 {
                0
            }
        }
    };
}

/// serde, for the impls the derive writes (feature `serde`).
#[cfg(feature = "serde")]
pub use serde;

#[cfg(feature = "serde")]
pub use crate::relations::Nested;

/// The derive's serde impls (`Serialize` for the model, `Deserialize` for its `New*`
/// value) of a model with `#[orm(serde)]`: written out with the feature `serde`, a
/// compile error naming the feature without it.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __serde {
    ($($item:tt)*) => { $($item)* };
}

/// The derive's serde impls: the feature `serde` is off.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __serde {
    ($($item:tt)*) => {
        ::core::compile_error!(
            "#[orm(serde)] needs orm's `serde` feature: orm = { version = \"0.1\", features = [\"serde\"] }"
        );
    };
}
/// The current time of an `auto_now` field (see `types/clock.rs`).
#[cfg(feature = "chrono")]
pub use crate::types::{now, AutoTime};
