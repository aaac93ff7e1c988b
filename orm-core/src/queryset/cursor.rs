//! Streaming: a query whose rows are decoded one at a time, as `iter()` returns them.

use super::shape::RowShape;
use crate::backend::{RowCursor, RowRead, RowSink, RowsOf, Statement, StatementOf};
use crate::error::Result;
use crate::model::Model;
use crate::model::RelatedPlan;
use std::marker::PhantomData;

/// A query whose rows are read one at a time; returned by
/// [`QuerySet::iter`](crate::QuerySet::iter).
pub struct Cursor<'db, M, S> {
    stmt: Option<StatementOf<'db>>,
    shape: S,
    related: RelatedPlan,
    _model: PhantomData<fn() -> M>,
}

impl<'db, M: Model, S: RowShape<M>> Cursor<'db, M, S> {
    pub(crate) fn new(stmt: StatementOf<'db>, shape: S, related: RelatedPlan) -> Self {
        Cursor { stmt: Some(stmt), shape, related, _model: PhantomData }
    }

    pub(crate) fn empty(shape: S) -> Self {
        Cursor { stmt: None, shape, related: RelatedPlan::default(), _model: PhantomData }
    }

    /// The rows, decoded one at a time, without collecting them.
    pub fn rows(&mut self) -> Rows<'_, 'db, M, S> {
        Rows {
            rows: self.stmt.as_mut().map(|s| s.rows()),
            shape: &self.shape,
            related: &self.related,
            _model: PhantomData,
        }
    }
}

/// The iterator of a [`Cursor`]: one `Result` per row.
pub struct Rows<'c, 'db: 'c, M, S> {
    rows: Option<RowsOf<'c, 'db>>,
    shape: &'c S,
    related: &'c RelatedPlan,
    _model: PhantomData<fn() -> M>,
}

/// Decodes the one row a cursor step hands over.
struct One<'a, M: Model, S: RowShape<M>> {
    shape: &'a S,
    related: &'a RelatedPlan,
    item: Option<S::Item>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model, S: RowShape<M>> RowSink for One<'_, M, S> {
    #[inline]
    fn row<R: RowRead>(&mut self, row: &R) -> Result<()> {
        self.item = Some(self.shape.decode_row(row, self.related)?);
        Ok(())
    }
}

impl<'c, 'db: 'c, M: Model, S: RowShape<M>> Iterator for Rows<'c, 'db, M, S> {
    type Item = Result<S::Item>;

    fn next(&mut self) -> Option<Self::Item> {
        let rows = self.rows.as_mut()?;
        let mut one = One { shape: self.shape, related: self.related, item: None, _model: PhantomData };
        match rows.next(&mut one) {
            Ok(true) => one.item.map(Ok),
            Ok(false) => {
                self.rows = None;
                None
            }
            Err(err) => {
                self.rows = None;
                Some(Err(err))
            }
        }
    }
}
