//! The `Model` trait the derive implements, and the static description of a table.

use crate::query::Cardinality;
use crate::query::QuerySet;
use crate::relations::{AnyModel, FieldSet, Loaded, RelationMeta};
use crate::types::{FieldType, Value};
use crate::{Db, Result};

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

/// Runs a prefetch level of a model and groups the rows by parent.
#[doc(hidden)]
pub type FetchChildrenFn = fn(
    &Db,
    &crate::query::Query,
    &[crate::relations::load::PrefetchNode],
    bool,
) -> Result<Box<dyn crate::relations::load::Children>>;

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
    /// Runs a prefetch level for this model, typed (see `relations::load`).
    #[doc(hidden)]
    pub fetch_children: FetchChildrenFn,
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

/// How many relations a path may follow.
pub const MAX_PATH_DEPTH: usize = 10;

/// A path from a query's model through relations to another model. The empty path
/// is the query's own model. `scope` tells apart the joins of separate `filter` calls
/// along many-valued relations (Django's "spanning multi-valued relationships").
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Path {
    len: u8,
    hops: [u8; MAX_PATH_DEPTH],
    scope: u16,
}

impl Path {
    /// The query's own model.
    pub const ROOT: Path = Path { len: 0, hops: [0; MAX_PATH_DEPTH], scope: 0 };

    /// Whether this is the query's own model.
    pub fn is_root(&self) -> bool {
        self.len == 0
    }

    /// The relation indexes along the path.
    pub fn hops(&self) -> &[u8] {
        &self.hops[..usize::from(self.len).min(MAX_PATH_DEPTH)]
    }

    /// Whether the path is longer than [`MAX_PATH_DEPTH`] (the query then fails with
    /// `Error::InvalidQuery`).
    pub fn is_too_long(&self) -> bool {
        usize::from(self.len) > MAX_PATH_DEPTH
    }

    /// The path one relation further.
    pub fn join(self, relation: usize) -> Path {
        let mut next = self;
        if usize::from(self.len) < MAX_PATH_DEPTH {
            next.hops[usize::from(self.len)] = relation as u8;
        }
        next.len = self.len.saturating_add(1);
        next
    }

    /// The first `n` hops.
    pub fn prefix(&self, n: usize) -> Path {
        let mut p = Path::ROOT;
        for &h in &self.hops()[..n] {
            p = p.join(usize::from(h));
        }
        p.scope = self.scope;
        p
    }

    pub(crate) fn scope(&self) -> u16 {
        self.scope
    }

    pub(crate) fn with_scope(mut self, scope: u16) -> Path {
        self.scope = scope;
        self
    }

    /// The relations along the path, starting from `root`.
    pub(crate) fn relations(&self, root: &'static ModelMeta) -> Vec<&'static RelationMeta> {
        let mut meta = root;
        let mut out = Vec::with_capacity(self.hops().len());
        for &h in self.hops() {
            let rel = &meta.relations[usize::from(h)];
            meta = (rel.target)();
            out.push(rel);
        }
        out
    }
}

/// A database table mapped to a Rust struct. Implemented by `#[derive(Model)]`; do not
/// implement it by hand.
///
/// ```
/// use orm::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// struct Author {
///     id: i64,
///     name: String,
///     birth_year: Option<i32>,
/// }
///
/// # fn main() -> orm::Result<()> {
/// let db = Db::open_in_memory()?;
/// db.create_tables::<(Author,)>()?;
/// let orwell = Author::objects().create(&db, NewAuthor { name: "George Orwell".into(), birth_year: Some(1903) })?;
/// assert_eq!(Author::objects().get(&db, |a| a.name.eq("George Orwell"))?.id, orwell.id);
/// # Ok(())
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model",
    label = "expected a struct with #[derive(Model)]",
    note = "relations (ForeignKey, OneToOne, ManyToMany, HasMany, HasOne) and QuerySets need a type that derives `orm::Model`"
)]
pub trait Model: Sized + Send + Sync + 'static {
    /// The typed field handles that query closures receive (`BookFields`).
    type Fields: FieldSet<Model = Self>;
    /// The field set reached through relations of cardinality `C` (`BookFields<C>`).
    #[doc(hidden)]
    type FieldsAt<C: Cardinality>: FieldSet<Model = Self>;
    /// The insert struct: every field but the auto-increment key (`NewBook`).
    type New: Insert<Model = Self>;
    /// The primary key's type: a column type, or a tuple of them for a composite key.
    type Pk: Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static;
    /// The table's description.
    const META: &'static ModelMeta;

    #[doc(hidden)]
    fn __fields(path: Path) -> Self::Fields;
    #[doc(hidden)]
    fn __fields_at<C: Cardinality>(path: Path) -> Self::FieldsAt<C>;
    #[doc(hidden)]
    fn __pk(&self) -> Self::Pk;
    #[doc(hidden)]
    fn __value_of(&self, column: usize) -> Value;
    #[doc(hidden)]
    fn __set_related(&mut self, relation: usize, loaded: Loaded) -> Result<()>;
    #[doc(hidden)]
    fn __clone_boxed(&self) -> Option<Box<dyn AnyModel>>;
    /// The instance a single-valued relation field holds, to load relations below it:
    /// `None` if no loader filled the field, `Some(None)` if it holds no row.
    #[doc(hidden)]
    fn __related_one(&mut self, relation: usize) -> Option<Option<&mut dyn AnyModel>>;
    /// Decodes the model's columns from `row`, starting at column `start`.
    #[doc(hidden)]
    fn __decode<R: crate::RowRead>(row: &R, start: usize) -> Result<Self>;
    /// Decodes the related model of `relation` (a `select_related` step) from `row`.
    #[doc(hidden)]
    fn __load_related<R: crate::RowRead>(
        &mut self,
        relation: usize,
        row: &R,
        plan: &crate::relations::RelatedPlan,
        step: usize,
    ) -> Result<()>;
    #[doc(hidden)]
    fn __push_values(&self, out: &mut Vec<Value>);

    /// The primary key's value (of a composite key, the first column's; see
    /// [`pk_values`](Self::pk_values)).
    fn pk(&self) -> Value;

    /// The values of every primary key column.
    fn pk_values(&self) -> Vec<Value> {
        Self::META.pk_columns.iter().map(|&c| self.__value_of(c)).collect()
    }

    /// A QuerySet over every row of the table, like Django's `Model.objects.all()`.
    /// It runs nothing until a method that takes a [`Db`] is called.
    fn objects() -> QuerySet<Self> {
        QuerySet::new()
    }

    /// Writes every field to the row with this primary key (`UPDATE`, one query). If no
    /// row has that key, inserts one with it, as Django's `save()` does (two queries).
    ///
    /// An unsaved object is a `New*` value: pass it to `objects().create(...)`.
    fn save(&self, db: &Db) -> Result<()> {
        crate::write::save(db, self)
    }

    /// Deletes this row (Django's `Model.delete()`), returning the number of rows
    /// deleted in all and per model.
    fn delete(&self, db: &Db) -> Result<crate::DeleteCount> {
        crate::write::delete_instance(db, self)
    }

    /// Reloads every field from the database (one query).
    fn refresh_from_db(&mut self, db: &Db) -> Result<()> {
        *self = crate::write::reload(db, self)?;
        Ok(())
    }
}

/// A model with a one-column primary key: what a `ForeignKey` can point at.
/// Implemented by `#[derive(Model)]` for every model but those with a composite key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model with a one-column primary key, so a ForeignKey cannot point at it",
    label = "a ForeignKey needs a #[derive(Model)] struct with a one-column key",
    note = "derive `orm::Model` on the target; a model with a composite primary key cannot be the target of a relation"
)]
pub trait SingleKey: Model {
    /// The primary key's column type.
    type Key: FieldType + Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static;
    #[doc(hidden)]
    fn __key(&self) -> Self::Key;
}

/// The insert struct of a model (`NewBook`), generated by `#[derive(Model)]`.
pub trait Insert {
    /// The model it creates.
    type Model: Model;
    #[doc(hidden)]
    fn __push_values(&self, out: &mut Vec<Value>);
    #[doc(hidden)]
    fn __into_model(self, auto_pk: i64) -> Self::Model;
    /// Moves the values out, for inserts that do not build the model.
    #[doc(hidden)]
    fn __into_values(self, out: &mut Vec<Value>);
    #[doc(hidden)]
    fn __apply_to(self, model: &mut Self::Model);
}
