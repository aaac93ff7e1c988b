//! What reads relations through queries: the model's `objects()` and its writes
//! (`ModelExt`), a ForeignKey's explicit `fetch`, the QuerySets and managers that the
//! derive's accessor methods return (`author.books()`, `dev.skills()`), and
//! `prefetch_related_objects`.

use super::QuerySet;
use crate::error::Result;
use crate::exec::Db;
use crate::meta::{Path, RelationMeta};
use crate::model::AnyModel;
use crate::model::{FieldSet, Model, SingleKey};
use crate::relations::{m2m, prefetch};
use crate::relations::{ForeignKey, HasMany, HasOne, ManyToMany};
use crate::value::Value;
use std::fmt;

/// The methods every model has that run queries: `Book::objects()`, `book.save(&db)`,
/// `book.delete(&db)`, `book.refresh_from_db(&db)`. Implemented for every [`Model`]
/// and in `orm::prelude`.
pub trait ModelExt: Model {
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
        crate::queryset::rows::save(db, self)
    }

    /// Writes only the chosen fields to the row with this primary key (Django's
    /// `save(update_fields=[..])`): `book.save_fields(&db, |b| (b.title,
    /// b.price_cents))` sends one `UPDATE` of those columns. `pre_save` and
    /// `post_save` (`created` false) are sent, and [`Db::update_fields`] names the
    /// fields while their receivers run. The closure receives the model's
    /// [`NonKeyFields`](Model::NonKeyFields): the primary key and fields of other
    /// models do not compile. No field, `|_| ()`, sends nothing (no query, no
    /// signal); no row with this key is `Error::DoesNotExist` (Django's "did not
    /// affect any rows"), and nothing is inserted.
    fn save_fields<F: crate::dsl::ColumnList<Self>>(
        &self,
        db: &Db,
        fields: impl FnOnce(Self::NonKeyFields) -> F,
    ) -> Result<()> {
        let mut columns = Vec::new();
        fields(Self::__non_key_fields()).push_columns(&mut columns);
        crate::queryset::rows::save_columns(db, self, &columns)
    }

    /// Deletes this row (Django's `Model.delete()`), returning the number of rows
    /// deleted in all and per model.
    fn delete(&self, db: &Db) -> Result<super::DeleteCount> {
        crate::queryset::rows::delete_instance(db, self)
    }

    /// Reloads every field from the database (one query).
    fn refresh_from_db(&mut self, db: &Db) -> Result<()> {
        *self = crate::queryset::rows::reload(db, self)?;
        Ok(())
    }
}

impl<M: Model> ModelExt for M {}

impl<M: SingleKey> ForeignKey<M> {
    /// Loads the related instance: one query, every time it is called.
    pub fn fetch(&self, db: &Db) -> Result<M> {
        let key = crate::types::FieldType::to_value(self.id());
        M::objects().get(db, |_| crate::dsl::pk_condition(M::META, key))
    }
}

/// The field type of a reverse or many-to-many relation, and what the model's method
/// of the same name returns for it. Implemented by [`HasMany`], [`HasOne`] and
/// [`ManyToMany`]; the derive calls it.
#[doc(hidden)]
pub trait RelatedAccessor {
    /// `QuerySet<M>`, or [`ManyToManyManager<M>`].
    type Manager;
    #[doc(hidden)]
    fn __manager(owner_key: Value, relation: &'static RelationMeta) -> Self::Manager;
}

impl<M: Model> RelatedAccessor for HasMany<M> {
    type Manager = QuerySet<M>;
    fn __manager(owner_key: Value, relation: &'static RelationMeta) -> QuerySet<M> {
        related_rows(owner_key, relation)
    }
}

impl<M: Model> RelatedAccessor for HasOne<M> {
    type Manager = QuerySet<M>;
    fn __manager(owner_key: Value, relation: &'static RelationMeta) -> QuerySet<M> {
        related_rows(owner_key, relation)
    }
}

impl<M: Model> RelatedAccessor for ManyToMany<M> {
    type Manager = ManyToManyManager<M>;
    fn __manager(owner_key: Value, relation: &'static RelationMeta) -> ManyToManyManager<M> {
        ManyToManyManager { owner_key, relation, _target: std::marker::PhantomData }
    }
}

fn related_rows<M: Model>(owner_key: Value, relation: &'static RelationMeta) -> QuerySet<M> {
    M::objects().filter(move |_| crate::relations::related_condition(relation, &owner_key))
}

/// The rows a ManyToMany links one row to (Django's related manager `dev.skills`):
/// returned by the model's method named after the field, `dev.skills()`.
///
/// ```
/// # use orm::prelude::*;
/// #[derive(Model, Debug)]
/// struct Developer { id: i64, name: String, skills: ManyToMany<Skill> }
/// #[derive(Model, Debug)]
/// struct Skill { id: i64, name: String }
/// # fn main() -> orm::Result<()> {
/// # let db = Db::open_in_memory()?; db.create_tables::<(Developer, Skill)>()?;
/// let ada = Developer::objects().create(&db, NewDeveloper { name: "Ada".into() })?;
/// let rust = Skill::objects().create(&db, NewSkill { name: "Rust".into() })?;
/// ada.skills().add(&db, [&rust])?;
/// assert_eq!(ada.skills().objects().count(&db)?, 1);
/// assert_eq!(ada.skills().remove(&db, [&rust])?, 1);
/// # Ok(())
/// # }
/// ```
pub struct ManyToManyManager<M: Model> {
    owner_key: Value,
    relation: &'static RelationMeta,
    _target: std::marker::PhantomData<fn() -> M>,
}

impl<M: Model> ManyToManyManager<M> {
    /// The linked rows as a QuerySet, to filter, order or count (Django's
    /// `dev.skills.all()`); no query until it runs.
    pub fn objects(&self) -> QuerySet<M> {
        related_rows(self.owner_key.clone(), self.relation)
    }

    /// Loads the linked rows: one query.
    pub fn all(&self, db: &Db) -> Result<Vec<M>> {
        self.objects().all(db)
    }

    /// Links this row to `targets` (Django's `add`): one `INSERT OR IGNORE` in a
    /// transaction; links that exist already are kept.
    pub fn add<'t>(&self, db: &Db, targets: impl IntoIterator<Item = &'t M>) -> Result<()> {
        let keys: Vec<Value> = targets.into_iter().map(Model::pk).collect();
        m2m::m2m_add(db, self.relation, &self.owner_key, &keys)
    }

    /// Unlinks `targets` (Django's `remove`); the rows themselves stay.
    pub fn remove<'t>(&self, db: &Db, targets: impl IntoIterator<Item = &'t M>) -> Result<usize> {
        let keys: Vec<Value> = targets.into_iter().map(Model::pk).collect();
        m2m::m2m_remove(db, self.relation, &self.owner_key, Some(&keys))
    }

    /// Unlinks every target (Django's `clear`).
    pub fn clear(&self, db: &Db) -> Result<usize> {
        m2m::m2m_remove(db, self.relation, &self.owner_key, None)
    }

    /// Makes `targets` exactly the linked rows (Django's `set`): reads the current
    /// links, deletes the others and adds the missing, in one transaction (BEGIN,
    /// SELECT, DELETE, INSERT, COMMIT, leaving out what there is nothing to do for).
    pub fn set<'t>(&self, db: &Db, targets: impl IntoIterator<Item = &'t M>) -> Result<()> {
        let keys: Vec<Value> = targets.into_iter().map(Model::pk).collect();
        m2m::m2m_set(db, self.relation, &self.owner_key, &keys)
    }
}

impl<M: Model> fmt::Debug for ManyToManyManager<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ManyToManyManager<{}>({} of {:?})", M::META.name, self.relation.name, self.owner_key)
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
    prefetch_spec(db, instances, relation(M::__fields(Path::ROOT)).__path(), None)
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
    prefetch_spec(db, instances, relation(M::__fields(Path::ROOT)).__path(), Some(Box::new(query)))
}

fn prefetch_spec<M: Model>(
    db: &crate::Db,
    instances: &mut [M],
    path: Path,
    query: Option<Box<crate::ast::Query>>,
) -> Result<()> {
    let spec = crate::ast::PrefetchSpec { path, query };
    let mut refs: Vec<&mut dyn AnyModel> = instances.iter_mut().map(|m| m as &mut dyn AnyModel).collect();
    prefetch::prefetch(db, M::META, &mut refs, std::slice::from_ref(&spec))
}
