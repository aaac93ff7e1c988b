//! What differs between SQL databases: each backend's [`Dialect`] answers these
//! questions and the one [`Writer`](super::Writer) asks them, so that a statement is a
//! pure function of the query and the dialect.

use crate::ast::PatternKind;
use crate::meta::ColumnMeta;

/// How a transaction starts (Django 5.1's `transaction_mode` on SQLite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransactionMode {
    /// SQLite's default `BEGIN`: locks are taken when first needed. A read-then-write
    /// transaction can then fail with `busy` when another connection wrote meanwhile.
    #[default]
    Deferred,
    /// `BEGIN IMMEDIATE`: takes the write lock at once (waiting up to the busy
    /// timeout), so read-then-write transactions on one file serialize cleanly.
    Immediate,
    /// `BEGIN EXCLUSIVE`: no other connection reads or writes until the end.
    Exclusive,
}

/// How a statement lists many keys (a prefetch level's parents, keyed deletes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyList {
    /// `IN (?, ?, ...)` padded to a power of two up to `max` keys, then one JSON array
    /// parameter read by `json_each` (SQLite).
    PaddedOrJson {
        /// The most keys listed as parameters.
        max: usize,
    },
}

/// How a text lookup is written: `prefix LHS middle RHS suffix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextLookup {
    pub prefix: &'static str,
    pub middle: &'static str,
    pub suffix: &'static str,
}

/// What a backend's SQL looks like. Implemented by each backend (`sqlite/dialect.rs`).
pub(crate) trait Dialect: Send + Sync + 'static {
    /// Writes `ident` quoted.
    fn quote(&self, ident: &str, out: &mut String);
    /// Writes the placeholder of parameter `n` (from 1).
    fn placeholder(&self, n: usize, out: &mut String);
    /// The most parameters one statement may bind.
    fn max_params(&self) -> usize;
    /// A condition that is always true or always false.
    fn boolean(&self, value: bool) -> &'static str;
    /// `LIMIT`/`OFFSET` for `count` rows (all of them for `None`) after `offset` rows,
    /// with a leading space; nothing when there is no limit and no offset.
    fn limit(&self, count: Option<u64>, offset: u64, out: &mut String);
    /// How many keys are listed.
    fn key_list(&self) -> KeyList;
    /// How the text lookup `kind` is written (`fold`: case-insensitive).
    fn text_lookup(&self, kind: PatternKind, fold: bool) -> TextLookup;
    /// `INSERT` that skips rows a unique constraint refuses: the words before the
    /// table name and after the values.
    fn insert_ignoring_conflicts(&self) -> (&'static str, &'static str);
    /// The declared type of a column in `CREATE TABLE`.
    fn column_type(&self, column: &ColumnMeta) -> &'static str;
    /// What follows an auto-increment key's name in `CREATE TABLE`.
    fn auto_key(&self) -> &'static str;
    /// Writes the `CHECK` that bounds a text column to `max` characters, with a leading
    /// space (or nothing, where the column type bounds it).
    fn max_length_check(&self, column: &str, max: u32, out: &mut String);
    /// The statement that starts a transaction.
    fn begin(&self, mode: TransactionMode) -> &'static str;
}
