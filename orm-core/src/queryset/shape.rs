//! What one row of a QuerySet is: a model instance, a `values()` tuple, an instance
//! with its annotations, or grouped values with their aggregates.

use crate::ast::{ExprNode, Query};
use crate::backend::{DecodeRow, RowRead};
use crate::dsl::{Annotation, Concat, Selection};
use crate::error::Result;
use crate::exec::Db;
use crate::model::{AnyModel, Model, RelatedPlan};
use crate::sql::Columns;

/// The columns a shape selects.
#[doc(hidden)]
pub enum ShapeColumns {
    /// The model's columns (and its select_related models').
    Model,
    /// These expressions only.
    Exprs(Vec<ExprNode>),
    /// The model's columns, then these expressions.
    ModelAnd(Vec<ExprNode>),
}

impl ShapeColumns {
    pub(crate) fn as_columns(&self) -> Columns<'_> {
        match self {
            ShapeColumns::Model => Columns::Model,
            ShapeColumns::Exprs(e) => Columns::Exprs(e),
            ShapeColumns::ModelAnd(e) => Columns::ModelAnd(e),
        }
    }
}

/// The row shape of a QuerySet: whole model instances, `values()` tuples, or either
/// with annotations.
#[doc(hidden)]
pub trait RowShape<M: Model>: Clone {
    /// One row.
    type Item;
    /// What `filter` and `order_by` closures receive: the model's field set, and for an
    /// annotated QuerySet its annotations too.
    type View;
    #[doc(hidden)]
    fn view(&self, fields: M::Fields) -> Self::View;
    #[doc(hidden)]
    fn columns(&self) -> ShapeColumns;
    /// Whether the model's instances are decoded (so `select_related` applies).
    #[doc(hidden)]
    fn has_instances(&self) -> bool {
        false
    }
    #[doc(hidden)]
    fn decode_row<R: RowRead>(&self, row: &R, related: &RelatedPlan) -> Result<Self::Item>;
    #[doc(hidden)]
    fn after_fetch(_items: &mut [Self::Item], _db: &Db, _query: &Query) -> Result<()> {
        Ok(())
    }
}

/// The row shape of a QuerySet that returns model instances (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct Instances;

#[inline(always)]
fn decode_instance<M: Model, R: RowRead>(row: &R, related: &RelatedPlan) -> Result<M> {
    let mut model = M::__decode(row, 0)?;
    if !related.is_empty() {
        related.attach(row, &mut model)?;
    }
    Ok(model)
}

fn prefetch_instances<'a, M: Model>(items: impl Iterator<Item = &'a mut M>, db: &Db, query: &Query) -> Result<()> {
    if query.prefetch.is_empty() {
        return Ok(());
    }
    let mut refs: Vec<&mut dyn AnyModel> = items.map(|m| m as &mut dyn AnyModel).collect();
    crate::relations::prefetch::prefetch(db, M::META, &mut refs, &query.prefetch)
}

impl<M: Model> RowShape<M> for Instances {
    type Item = M;
    type View = M::Fields;
    fn view(&self, fields: M::Fields) -> M::Fields {
        fields
    }
    fn columns(&self) -> ShapeColumns {
        ShapeColumns::Model
    }
    fn has_instances(&self) -> bool {
        true
    }
    #[inline]
    fn decode_row<R: RowRead>(&self, row: &R, related: &RelatedPlan) -> Result<M> {
        decode_instance(row, related)
    }
    fn after_fetch(items: &mut [M], db: &Db, query: &Query) -> Result<()> {
        prefetch_instances(items.iter_mut(), db, query)
    }
}

/// The row shape of a `values()` QuerySet: typed tuples (or one flat value).
#[derive(Debug, Clone)]
pub struct Values<S>(pub(crate) S);

fn nodes_of(selection: &impl Selection) -> Vec<ExprNode> {
    let mut out = Vec::new();
    selection.push_nodes(&mut out);
    out
}

impl<M: Model, S: Selection> RowShape<M> for Values<S> {
    type Item = S::Output;
    type View = M::Fields;
    fn view(&self, fields: M::Fields) -> M::Fields {
        fields
    }
    fn columns(&self) -> ShapeColumns {
        ShapeColumns::Exprs(nodes_of(&self.0))
    }
    #[inline]
    fn decode_row<R: RowRead>(&self, row: &R, _related: &RelatedPlan) -> Result<S::Output> {
        self.0.decode(row, &mut 0)
    }
}

/// The row shape of `annotate()`: each instance with its annotations,
/// `(Author, i64)`.
#[derive(Debug, Clone)]
pub struct Annotated<A>(pub(crate) A);

impl<M: Model, A: Annotation> RowShape<M> for Annotated<A> {
    type Item = (M, A::Output);
    type View = (M::Fields, A::View);
    fn view(&self, fields: M::Fields) -> Self::View {
        (fields, self.0.view())
    }
    fn columns(&self) -> ShapeColumns {
        ShapeColumns::ModelAnd(nodes_of(&self.0))
    }
    fn has_instances(&self) -> bool {
        true
    }
    fn decode_row<R: RowRead>(&self, row: &R, related: &RelatedPlan) -> Result<Self::Item> {
        let model = decode_instance(row, related)?;
        let mut index = M::META.columns.len() + related.width();
        Ok((model, self.0.decode(row, &mut index)?))
    }
    fn after_fetch(items: &mut [Self::Item], db: &Db, query: &Query) -> Result<()> {
        prefetch_instances(items.iter_mut().map(|(m, _)| m), db, query)
    }
}

/// The row shape of `values(..).annotate(..)`: the grouped values and then their
/// aggregates, in one flat tuple: `(String, i64, Option<i64>)`.
#[derive(Debug, Clone)]
pub struct ValuesAnnotated<V, A>(pub(crate) V, pub(crate) A);

impl<M: Model, V: Selection, A: Annotation> RowShape<M> for ValuesAnnotated<V, A>
where
    V::Flat: Concat<A::Flat>,
{
    type Item = <V::Flat as Concat<A::Flat>>::Out;
    type View = (M::Fields, A::View);
    fn view(&self, fields: M::Fields) -> Self::View {
        (fields, self.1.view())
    }
    fn columns(&self) -> ShapeColumns {
        let mut nodes = nodes_of(&self.0);
        self.1.push_nodes(&mut nodes);
        ShapeColumns::Exprs(nodes)
    }
    fn decode_row<R: RowRead>(&self, row: &R, _related: &RelatedPlan) -> Result<Self::Item> {
        let mut index = 0;
        let values = self.0.decode(row, &mut index)?;
        let aggregates = self.1.decode(row, &mut index)?;
        Ok(V::flat(values).concat(A::flat(aggregates)))
    }
}

/// Decodes rows of a shape (what `all()` collects).
pub(crate) struct ShapeRows<'a, M, S> {
    pub shape: &'a S,
    pub related: &'a RelatedPlan,
    pub _model: std::marker::PhantomData<fn() -> M>,
}

impl<M: Model, S: RowShape<M>> DecodeRow for ShapeRows<'_, M, S> {
    type Item = S::Item;
    #[inline(always)]
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<S::Item> {
        self.shape.decode_row(row, self.related)
    }
}
