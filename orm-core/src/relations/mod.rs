//! Relations: ForeignKey, OneToOne, ManyToMany, their reverse sides, and the loaders
//! (`select_related`, `prefetch_related`) that fill them.

pub(crate) mod delete;
mod fields;
mod joined;
pub(crate) mod load;
mod slot;

pub use joined::RelatedPlan;

pub use slot::Aligned;

pub use fields::{ForeignKey, HasMany, HasOne, ManyToMany, ManyToManyManager, OneToOne, RelatedAccessor};

use crate::model::{Model, ModelMeta};
use crate::types::Value;
use crate::{Error, Result};
use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

/// What deleting a row does to the rows whose ForeignKey points at it (Django's
/// `on_delete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    /// Delete them too (the default).
    Cascade,
    /// Set their key to NULL (only on a nullable ForeignKey).
    SetNull,
    /// Refuse with `Error::Protected`.
    Protect,
    /// Refuse with `Error::Restricted`, unless they are deleted by the same delete
    /// through another cascade.
    Restrict,
    /// Do nothing (the database's own constraint then decides).
    DoNothing,
}

/// The through table of a ManyToMany.
#[derive(Debug)]
pub struct Through {
    /// The table's name.
    pub table: &'static str,
    /// The column holding the key of the model that declares the field.
    pub source: &'static str,
    /// The column holding the key of the related model.
    pub target: &'static str,
    /// The declared through model, if any (`#[orm(through = "..")]`).
    pub model: Option<fn() -> &'static ModelMeta>,
}

/// What kind of relation a [`RelationMeta`] describes.
#[derive(Debug)]
pub enum RelationKind {
    /// A `ForeignKey` or `OneToOne` declared here: `column` is its index in the owner's
    /// columns.
    ForeignKey {
        /// The key column.
        column: usize,
        /// `on_delete`.
        on_delete: OnDelete,
        /// A `OneToOne`.
        unique: bool,
    },
    /// A `HasMany` or `HasOne`: the reverse side of a ForeignKey declared on the target.
    Reverse {
        /// The ForeignKey on the target model.
        forward: fn() -> &'static RelationMeta,
    },
    /// A `ManyToMany` declared here.
    ManyToMany {
        /// Its through table.
        through: Through,
    },
    /// The reverse side of a `ManyToMany` declared on the target.
    ReverseManyToMany {
        /// The ManyToMany on the target model.
        forward: fn() -> &'static RelationMeta,
    },
}

/// The static description of one relation field, built by `#[derive(Model)]`.
#[derive(Debug)]
pub struct RelationMeta {
    /// The Rust field's name.
    pub name: &'static str,
    /// The model that declares the field.
    pub owner: fn() -> &'static ModelMeta,
    /// The related model.
    pub target: fn() -> &'static ModelMeta,
    /// Its kind.
    pub kind: RelationKind,
}

impl RelationMeta {
    /// Whether one owner row relates to many target rows.
    pub fn is_many(&self) -> bool {
        match &self.kind {
            RelationKind::ForeignKey { .. } => false,
            RelationKind::Reverse { forward } => {
                !matches!(forward().kind, RelationKind::ForeignKey { unique: true, .. })
            }
            RelationKind::ManyToMany { .. } | RelationKind::ReverseManyToMany { .. } => true,
        }
    }

    /// Whether following it may find no row (so a join along it must be LEFT OUTER
    /// unless a condition requires the row): anything but a non-null ForeignKey.
    pub fn may_be_missing(&self) -> bool {
        match &self.kind {
            RelationKind::ForeignKey { column, .. } => (self.owner)().columns[*column].nullable,
            _ => true,
        }
    }

    /// The SQL join from the owner (`from`) to the target, as a list of steps: each is
    /// `(table, column on the new table, column on the previous table)`.
    pub(crate) fn join_steps(&self) -> Vec<JoinStep> {
        let owner = (self.owner)();
        let target = (self.target)();
        match &self.kind {
            RelationKind::ForeignKey { column, .. } => vec![JoinStep {
                table: target.table,
                new_column: target.pk_column().name,
                prev_column: owner.columns[*column].name,
            }],
            RelationKind::Reverse { forward } => {
                let RelationKind::ForeignKey { column, .. } = forward().kind else { unreachable_kind() };
                vec![JoinStep {
                    table: target.table,
                    new_column: target.columns[column].name,
                    prev_column: owner.pk_column().name,
                }]
            }
            RelationKind::ManyToMany { through } => m2m_steps(through, owner, target, false),
            RelationKind::ReverseManyToMany { forward } => {
                let RelationKind::ManyToMany { through } = &forward().kind else { unreachable_kind() };
                m2m_steps(through, owner, target, true)
            }
        }
    }
}

fn unreachable_kind() -> ! {
    // The derive checks that a reverse side names a relation of the right kind.
    panic!("a reverse relation's forward side has the wrong kind; this is a bug in orm's derive")
}

fn m2m_steps(through: &Through, owner: &'static ModelMeta, target: &'static ModelMeta, reverse: bool) -> Vec<JoinStep> {
    let (near, far) = if reverse { (through.target, through.source) } else { (through.source, through.target) };
    vec![
        JoinStep { table: through.table, new_column: near, prev_column: owner.pk_column().name },
        JoinStep { table: target.table, new_column: target.pk_column().name, prev_column: far },
    ]
}

/// One table joined on the way along a relation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JoinStep {
    pub table: &'static str,
    pub new_column: &'static str,
    pub prev_column: &'static str,
}

/// Instances loaded for one relation field, type-erased on the way from the loaders.
#[doc(hidden)]
pub enum Loaded {
    /// One instance shared by several owners (prefetch of a forward ForeignKey).
    Shared(Option<Arc<dyn Any + Send + Sync>>),
    /// Many instances (HasMany, ManyToMany).
    Many(Vec<Box<dyn AnyModel>>),
    /// Many instances as the field's own `Vec<M>`, from a prefetch.
    Typed(Box<dyn Any + Send>),
}

/// A model instance seen through its metadata, for the loaders.
#[doc(hidden)]
pub trait AnyModel: Any + Send + Sync {
    fn meta(&self) -> &'static ModelMeta;
    fn pk_value(&self) -> Value;
    fn column_value(&self, column: usize) -> Value;
    fn set_related(&mut self, relation: usize, loaded: Loaded) -> Result<()>;
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send + Sync>;
    /// A copy, if the model implements `Clone`.
    fn clone_boxed(&self) -> Option<Box<dyn AnyModel>>;
    /// See [`Model::__related_one`].
    fn related_one(&mut self, relation: usize) -> Option<Option<&mut dyn AnyModel>>;
}

impl<M: Model> AnyModel for M {
    fn meta(&self) -> &'static ModelMeta {
        M::META
    }
    fn pk_value(&self) -> Value {
        self.pk()
    }
    fn column_value(&self, column: usize) -> Value {
        self.__value_of(column)
    }
    fn set_related(&mut self, relation: usize, loaded: Loaded) -> Result<()> {
        self.__set_related(relation, loaded)
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send + Sync> {
        self
    }
    fn clone_boxed(&self) -> Option<Box<dyn AnyModel>> {
        self.__clone_boxed()
    }
    fn related_one(&mut self, relation: usize) -> Option<Option<&mut dyn AnyModel>> {
        self.__related_one(relation)
    }
}

/// Downcasts a loaded instance to the field's model type.
pub(crate) fn downcast<M: Model>(boxed: Box<dyn AnyModel>) -> Result<M> {
    boxed.into_any().downcast::<M>().map(|b| *b).map_err(|_| wrong_type::<M>())
}

/// `Error::NotLoaded` for a field of kind `kind` (`ForeignKey`, `HasMany`, ..) over
/// `target`, naming the field when its relation is known.
pub(crate) fn not_loaded(
    target: &'static ModelMeta,
    kind: &'static str,
    relation: Option<&'static RelationMeta>,
) -> Error {
    Error::NotLoaded {
        model: target.name,
        relation: kind,
        owner: relation.map(|r| (r.owner)().name),
        field: relation.map(|r| r.name),
    }
}

pub(crate) fn wrong_type<M: Model>() -> Error {
    let _ = M::META;
    Error::InvalidQuery { message: "a loader produced instances of the wrong model; this is a bug in orm" }
}

/// A relation field's storage: what the loaders fill and read.
#[doc(hidden)]
pub trait RelationField {
    fn set_loaded(&mut self, loaded: Loaded) -> Result<()>;
    /// The instance of a single-valued relation a loader filled, to load relations
    /// below it: `None` if not loaded (or shared, so not to be changed), `Some(None)`
    /// if it holds no row. Many-valued fields give `None`.
    fn loaded_one(&mut self) -> Option<Option<&mut dyn AnyModel>> {
        None
    }
    /// Tells a ForeignKey which relation it is, for `Error::NotLoaded` (the derive
    /// calls it on every decoded or created row).
    fn name(&mut self, _relation: &'static RelationMeta) {}
    /// Decodes the related model of a `select_related` step from `row` into the field
    /// (single-valued relations only).
    fn load_row<R: crate::RowRead>(&mut self, _row: &R, _plan: &RelatedPlan, _step: usize) -> Result<()> {
        Ok(())
    }
}

/// A model's typed field set (`BookFields<C>`), as relation accessors return it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a relation",
    label = "expected a relation method such as `|b| b.author()` or `|a| a.books()`",
    note = "loaders follow relations: call the relation's method (with parentheses), not a column"
)]
pub trait FieldSet: Copy {
    /// The model.
    type Model: Model;
    #[doc(hidden)]
    fn __path(&self) -> crate::model::Path;

    /// `COUNT` of the related rows (Django's `Count("books")`): with `annotate`,
    /// `Author::objects().annotate(|a| a.books().count())`.
    fn count(self) -> crate::Aggregate<i64> {
        let meta = <Self::Model as Model>::META;
        crate::query::count_column(meta, meta.pk, self.__path())
    }

    /// Orders by the relation, ascending: by the related model's default ordering, or
    /// its key (Django's `order_by("author")`). The same as `|b| b.author()`.
    fn asc(self) -> crate::RelationOrder {
        crate::RelationOrder { meta: <Self::Model as Model>::META, path: self.__path(), desc: false }
    }

    /// Orders by the relation, descending: every term of the related model's ordering
    /// reversed (Django's `order_by("-author")`).
    fn desc(self) -> crate::RelationOrder {
        crate::RelationOrder { meta: <Self::Model as Model>::META, path: self.__path(), desc: true }
    }
}

/// A field set reached through single-valued relations only: what `select_related`
/// accepts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a single-valued relation; a HasMany or ManyToMany is loaded with prefetch_related",
    label = "expected a ForeignKey, OneToOne or HasOne path such as `|b| b.author()`",
    note = "select_related loads with one JOIN and takes a relation method such as `|b| b.author()`; a many-valued relation would repeat each row, so use `prefetch_related(..)`: one extra query per relation"
)]
pub trait SingleValued: FieldSet {}

/// A ForeignKey (or OneToOne) on `Self` pointing at `Target`, told apart from others
/// by `Which`. Implemented by `#[derive(Model)]`; it lets a `HasMany`/`HasOne` find the
/// ForeignKey it reverses.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no ForeignKey to `{Target}` that this reverse side can follow",
    label = "no matching ForeignKey on `{Self}`",
    note = "a HasMany<{Self}> on `{Target}` reverses a `ForeignKey<{Target}>` field of `{Self}`: a bare #[orm(related)] needs exactly one such field; with none, add one; with several, name the one to follow: #[orm(related = \"field\")]",
    note = "a OneToOne's reverse side is a HasOne, not a HasMany"
)]
#[doc(hidden)]
pub trait ForeignKeyTo<Target, Which> {
    const INDEX: usize;
}

/// A OneToOne on `Self` pointing at `Target` (see [`ForeignKeyTo`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no OneToOne to `{Target}` that this reverse side can follow",
    label = "no matching OneToOne on `{Self}`",
    note = "a HasOne<{Self}> on `{Target}` reverses a `OneToOne<{Target}>` field of `{Self}`: a bare #[orm(related)] needs exactly one such field; with none, add one; with several, name the one to follow: #[orm(related = \"field\")]",
    note = "a ForeignKey's reverse side is a HasMany, not a HasOne"
)]
#[doc(hidden)]
pub trait OneToOneTo<Target, Which> {
    const INDEX: usize;
}

/// A ManyToMany on `Self` pointing at `Target` (see [`ForeignKeyTo`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no ManyToMany to `{Target}` that this reverse side can follow",
    label = "no matching ManyToMany on `{Self}`",
    note = "a reverse ManyToMany<{Self}> on `{Target}` follows a forward `ManyToMany<{Target}>` field of `{Self}`: a bare #[orm(related)] needs exactly one such field; with several, name the one to follow: #[orm(related = \"field\")]"
)]
#[doc(hidden)]
pub trait ManyToManyTo<Target, Which> {
    const INDEX: usize;
}

/// Tells relations apart by the hash of their field's name.
#[doc(hidden)]
pub struct Named<const HASH: u64>;

/// The only relation of its kind from a model to a target: what a bare
/// `#[orm(related)]` names.
#[doc(hidden)]
pub struct Sole;

/// The index of the ForeignKey that a reverse relation names (or the only one).
#[doc(hidden)]
pub const fn foreign_key_index<Owner: ForeignKeyTo<Target, W>, Target, W>() -> usize {
    Owner::INDEX
}

/// The index of the OneToOne that a reverse relation names (or the only one).
#[doc(hidden)]
pub const fn one_to_one_index<Owner: OneToOneTo<Target, W>, Target, W>() -> usize {
    Owner::INDEX
}

/// The index of the ManyToMany that a reverse relation names (or the only one).
#[doc(hidden)]
pub const fn many_to_many_index<Owner: ManyToManyTo<Target, W>, Target, W>() -> usize {
    Owner::INDEX
}

/// `PhantomData` of a cardinality, for generated field sets.
#[doc(hidden)]
pub const fn cardinality<C>() -> PhantomData<C> {
    PhantomData
}

/// Clones a model if it implements `Clone`: the derive calls
/// `(&&Cloner(self)).clone_if_possible()`, which picks the `Clone` impl when there is
/// one (autoref specialization on a concrete type).
#[doc(hidden)]
pub struct Cloner<'a, M>(pub &'a M);

#[doc(hidden)]
pub trait CloneIfPossible {
    fn clone_if_possible(&self) -> Option<Box<dyn AnyModel>>;
}

impl<M: Model + Clone> CloneIfPossible for &Cloner<'_, M> {
    fn clone_if_possible(&self) -> Option<Box<dyn AnyModel>> {
        Some(Box::new(self.0.clone()))
    }
}

#[doc(hidden)]
pub trait CannotClone {
    fn clone_if_possible(&self) -> Option<Box<dyn AnyModel>>;
}

impl<M> CannotClone for Cloner<'_, M> {
    fn clone_if_possible(&self) -> Option<Box<dyn AnyModel>> {
        None
    }
}

/// Loads a relation into instances you already have, from any `Db` (Django's
/// `prefetch_related_objects`): one query per level. Because the query runs on the
/// `Db` you pass, the related rows may live in another database than the instances,
/// which a JOIN (`select_related`) cannot do.
///
/// ```
/// # use orm::prelude::*;
/// # use orm::{ForeignKey, HasMany};
/// # #[derive(Model, Debug)] struct Author { id: i64, name: String, #[orm(related)] books: HasMany<Book> }
/// # #[derive(Model, Debug)] struct Book { id: i64, title: String, author: ForeignKey<Author> }
/// # fn main() -> orm::Result<()> {
/// let users_db = Db::open_in_memory()?;
/// let archive = Db::open_in_memory()?;
/// users_db.create_tables::<(Author, Book)>()?;
/// archive.create_tables::<(Author, Book)>()?;
/// let mut authors = Author::objects().all(&users_db)?;
/// orm::prefetch_related_objects(&archive, &mut authors, |a| a.books())?;
/// # Ok(())
/// # }
/// ```
pub fn prefetch_related_objects<M: Model, F: FieldSet>(
    db: &crate::Db,
    instances: &mut [M],
    relation: impl FnOnce(M::Fields) -> F,
) -> Result<()> {
    prefetch_spec(db, instances, relation(M::__fields(crate::model::Path::ROOT)).__path(), None)
}

/// [`prefetch_related_objects`] with a QuerySet for the last relation of the path
/// (Django's `Prefetch(path, queryset)`).
pub fn prefetch_related_objects_with<M: Model, F: FieldSet>(
    db: &crate::Db,
    instances: &mut [M],
    relation: impl FnOnce(M::Fields) -> F,
    queryset: crate::QuerySet<F::Model>,
) -> Result<()> {
    let query = queryset.into_query();
    prefetch_spec(db, instances, relation(M::__fields(crate::model::Path::ROOT)).__path(), Some(Box::new(query)))
}

fn prefetch_spec<M: Model>(
    db: &crate::Db,
    instances: &mut [M],
    path: crate::model::Path,
    query: Option<Box<crate::query::Query>>,
) -> Result<()> {
    let spec = load::PrefetchSpec { path, query };
    let mut refs: Vec<&mut dyn AnyModel> = instances.iter_mut().map(|m| m as &mut dyn AnyModel).collect();
    load::prefetch(db, M::META, &mut refs, std::slice::from_ref(&spec))
}
