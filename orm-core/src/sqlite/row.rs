//! A row of an SQLite query, as the runtime reads it.

use super::value::value_ref;
use crate::backend::RowRead;
use crate::error::Result;
use crate::value::ValueRef;

/// One row of a query (rusqlite's), read by column index.
pub(crate) struct Row<'a, 'stmt>(pub(crate) &'a rusqlite::Row<'stmt>);

impl RowRead for Row<'_, '_> {
    #[inline]
    fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        Ok(value_ref(self.0.get_ref(index).map_err(super::error::from_rusqlite)?))
    }
}
