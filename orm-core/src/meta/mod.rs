//! The static description of models, columns and relations: plain data that
//! `#[derive(Model)]` builds and every layer above reads.

mod path;
mod relation;

pub use path::*;
pub use relation::*;

/// What runs a prefetch level for one model, typed (see `relations::prefetch`).
#[doc(hidden)]
pub type PrefetchFn = fn(&mut PrefetchCall<'_>) -> crate::error::Result<()>;

/// One prefetch level's request to its model's typed runner, and the answer. Erased
/// (`dyn Any`, three downcasts a level) so that plain metadata can hold the runner
/// without naming the layers above it: the `Db`, the level's `Query` and the
/// `Vec<PrefetchNode>` below it; the answer is a `Box<dyn Children>`.
#[doc(hidden)]
pub struct PrefetchCall<'a> {
    /// The `Db` the level runs on.
    pub db: &'a dyn std::any::Any,
    /// The level's `Query`.
    pub query: &'a dyn std::any::Any,
    /// The `Vec<PrefetchNode>` of the levels below it.
    pub nodes: &'a dyn std::any::Any,
    /// A forward ForeignKey: its one row per key is shared by the parents.
    pub shared: bool,
    /// The rows grouped by parent key, once run.
    pub answer: Option<Box<dyn std::any::Any>>,
}

/// The static description of one column, built by `#[derive(Model)]`.
#[derive(Debug)]
pub struct ColumnMeta {
    /// The column's name in SQL.
    pub name: &'static str,
    /// The Rust field's name.
    pub field: &'static str,
    /// The column's logical type (each backend's `CREATE TABLE` names it).
    pub column_type: crate::ColumnType,
    /// The Rust type's name, for decode errors.
    pub rust_type: &'static str,
    /// Whether the column accepts `NULL`.
    pub nullable: bool,
    /// Whether this column is the primary key.
    pub primary_key: bool,
    /// `#[orm(unique)]`.
    pub unique: bool,
    /// `#[orm(index)]`.
    pub index: bool,
    /// `#[orm(default = ...)]`, as an SQL literal.
    pub default: Option<&'static str>,
    /// `#[orm(max_length = N)]`, enforced by a `CHECK`.
    pub max_length: Option<u32>,
}

/// The static description of a model's table, built by `#[derive(Model)]`.
pub struct ModelMeta {
    /// The struct's name, used in errors and in delete counts.
    pub name: &'static str,
    /// The table's name.
    pub table: &'static str,
    /// The columns, in the struct's field order.
    pub columns: &'static [ColumnMeta],
    /// The index of the primary key in `columns` (the first column of a composite key).
    pub pk: usize,
    /// Every primary key column: one, or several for a composite key.
    pub pk_columns: &'static [usize],
    /// Whether the primary key is an auto-increment `id: i64`.
    pub auto_pk: bool,
    /// The default ordering (Django's `Meta.ordering`): `(column index, descending)`.
    pub ordering: &'static [(usize, bool)],
    /// `unique_together` groups, as column indexes.
    pub unique_together: &'static [&'static [usize]],
    /// `index_together` groups, as column indexes.
    pub index_together: &'static [&'static [usize]],
    /// The relation fields (forward and reverse), in field order.
    pub relations: &'static [RelationMeta],
    /// Runs a prefetch level for this model, typed (see `relations::prefetch`).
    #[doc(hidden)]
    pub prefetch: PrefetchFn,
}

impl std::fmt::Debug for ModelMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelMeta").field("name", &self.name).field("table", &self.table).finish_non_exhaustive()
    }
}

/// Two descriptions are equal when they describe the same table (a `const` may be
/// instantiated more than once, so addresses are not compared).
impl PartialEq for ModelMeta {
    fn eq(&self, other: &Self) -> bool {
        self.table == other.table && self.name == other.name
    }
}

impl ModelMeta {
    /// The primary key's column.
    pub fn pk_column(&self) -> &'static ColumnMeta {
        &self.columns[self.pk]
    }

    /// The index in `relations` of the ForeignKey (or OneToOne) stored in `column`.
    pub fn foreign_key_on(&self, column: usize) -> Option<usize> {
        self.relations
            .iter()
            .position(|r| matches!(r.kind, crate::RelationKind::ForeignKey { column: c, .. } if c == column))
    }
}
