//! The relation field types a model declares.

use super::slot::{Slot, State};
use crate::ast::ExprNode;
use crate::backend::RowRead;
use crate::dsl::Operand;
use crate::error::Result;
use crate::meta::RelationMeta;
use crate::model::{
    downcast, not_loaded, wrong_type, Aligned, AnyModel, Loaded, Model, RelatedPlan, RelationField, SingleKey,
};
use crate::types::{DecodeError, FieldType, Ordered};
use crate::value::{ColumnType, Value, ValueRef};
use std::fmt;
use std::sync::Arc;

/// A ForeignKey to `M`: the column `<field>_id` holding `M`'s primary key, and, once a
/// loader has run, the related instance. `Option<ForeignKey<M>>` is a nullable key.
///
/// Reading it never queries: [`id`](Self::id) is the key, [`get`](Self::get) the
/// instance loaded by `select_related`/`prefetch_related` (or `Error::NotLoaded`), and
/// [`fetch`](Self::fetch) the explicit, counted load.
pub struct ForeignKey<M: SingleKey> {
    key: M::Key,
    // The shared instance a loader read, or (not loaded) the field's relation: one word.
    loaded: Slot<Arc<Aligned<M>>>,
}

/// A one-to-one relation: a ForeignKey whose column is unique. Its reverse side is a
/// [`HasOne`].
pub type OneToOne<M> = ForeignKey<M>;

impl<M: SingleKey> ForeignKey<M> {
    /// A key to the row of `M` whose primary key is `key`.
    pub fn new(key: M::Key) -> Self {
        ForeignKey { key, loaded: Slot::empty() }
    }

    /// The related row's primary key (no query).
    pub fn id(&self) -> &M::Key {
        &self.key
    }

    /// The related instance loaded by `select_related` or `prefetch_related`; never
    /// queries. `Error::NotLoaded` if no loader ran.
    pub fn get(&self) -> Result<&M> {
        match self.loaded.state() {
            State::Present(m) => Ok(&m.0),
            _ => Err(not_loaded(M::META, "ForeignKey", self.loaded.relation())),
        }
    }

    /// Whether a loader filled this relation.
    pub fn is_loaded(&self) -> bool {
        matches!(self.loaded.state(), State::Present(_))
    }
}

impl<M: SingleKey> From<&M> for ForeignKey<M> {
    fn from(model: &M) -> Self {
        ForeignKey::new(model.__key())
    }
}

impl<M: SingleKey> Clone for ForeignKey<M> {
    fn clone(&self) -> Self {
        ForeignKey { key: self.key.clone(), loaded: self.loaded.clone() }
    }
}

impl<M: SingleKey> fmt::Debug for ForeignKey<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ForeignKey<{}>({:?}{})", M::META.name, self.key, if self.is_loaded() { ", loaded" } else { "" })
    }
}

/// Two keys are equal when they point at the same row, loaded or not.
impl<M: SingleKey> PartialEq for ForeignKey<M> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<M: SingleKey> FieldType for ForeignKey<M> {
    const COLUMN: ColumnType = <M::Key as FieldType>::COLUMN;
    const RUST_TYPE: &'static str = "ForeignKey";
    fn to_value(&self) -> Value {
        self.key.to_value()
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        <M::Key as FieldType>::from_value(value).map(ForeignKey::new)
    }
}

impl<M: SingleKey> Ordered for ForeignKey<M> where M::Key: Ordered {}

impl<M: SingleKey> Operand<ForeignKey<M>> for &M {
    fn into_node(self) -> ExprNode {
        ExprNode::Value(self.pk())
    }
}
impl<M: SingleKey> Operand<Option<ForeignKey<M>>> for &M {
    fn into_node(self) -> ExprNode {
        ExprNode::Value(self.pk())
    }
}
impl<M: SingleKey<Key = i64>> Operand<ForeignKey<M>> for i64 {
    fn into_node(self) -> ExprNode {
        ExprNode::Value(Value::Integer(self))
    }
}
impl<M: SingleKey<Key = i64>> Operand<Option<ForeignKey<M>>> for i64 {
    fn into_node(self) -> ExprNode {
        ExprNode::Value(Value::Integer(self))
    }
}

impl<M: SingleKey> RelationField for ForeignKey<M> {
    fn loaded_one(&mut self) -> Option<Option<&mut dyn AnyModel>> {
        // A shared instance (another row holds it too) is not changed.
        self.loaded.present_mut().map(|m| Some(m as &mut dyn AnyModel))
    }

    fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
        self.loaded.set(match loaded {
            Loaded::Shared(Some(shared)) => {
                Slot::present(shared.downcast::<Aligned<M>>().map_err(|_| wrong_type::<M>())?)
            }
            Loaded::Shared(None) | Loaded::Many(_) | Loaded::Typed(_) => Slot::empty(),
        });
        Ok(())
    }

    fn name(&mut self, relation: &'static RelationMeta) {
        self.loaded.name(relation);
    }

    #[inline]
    fn load_row<R: RowRead>(&mut self, row: &R, plan: &RelatedPlan, step: usize) -> Result<()> {
        self.loaded.set(match plan.decode_shared::<M, R>(row, step)? {
            Some(shared) => Slot::present(shared),
            None => Slot::empty(),
        });
        Ok(())
    }
}

impl<M: SingleKey> RelationField for Option<ForeignKey<M>> {
    fn loaded_one(&mut self) -> Option<Option<&mut dyn AnyModel>> {
        match self {
            Some(fk) => fk.loaded_one(),
            None => Some(None), // a NULL key: no row to load below
        }
    }

    fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
        match self {
            Some(fk) => fk.set_loaded(loaded),
            None => Ok(()),
        }
    }

    fn name(&mut self, relation: &'static RelationMeta) {
        if let Some(fk) = self {
            fk.name(relation);
        }
    }

    #[inline]
    fn load_row<R: RowRead>(&mut self, row: &R, plan: &RelatedPlan, step: usize) -> Result<()> {
        match self {
            Some(fk) => fk.load_row(row, plan, step),
            None => Ok(()), // a NULL key: the LEFT JOIN found nothing
        }
    }
}

/// The reverse side of a ForeignKey: the rows of `M` whose key points at this row
/// (Django's `author.book_set`, or `related_name`). Not a column.
///
/// The field holds only what `prefetch_related` loaded ([`get`](Self::get) never
/// queries). The derive gives the model a method of the same name that returns the
/// related rows as a QuerySet: `author.books()` is Django's `author.books.all()`.
///
/// ```
/// # use orm::prelude::*;
/// #[derive(Model, Debug)]
/// struct Author { id: i64, name: String, #[orm(related)] books: HasMany<Book> }
/// #[derive(Model, Debug)]
/// struct Book { id: i64, title: String, author: ForeignKey<Author> }
/// # fn main() -> orm::Result<()> {
/// # let db = Db::open_in_memory()?; db.create_tables::<(Author, Book)>()?;
/// let orwell = Author::objects().create(&db, NewAuthor { name: "Orwell".into() })?;
/// Book::objects().create(&db, NewBook { title: "1984".into(), author: (&orwell).into() })?;
/// assert_eq!(orwell.books().count(&db)?, 1); // a QuerySet: one query when it runs
/// assert!(orwell.books.get().is_err()); // the field: nothing loaded, no query
/// let authors = Author::objects().prefetch_related(|a| a.books()).all(&db)?;
/// assert_eq!(authors[0].books.get()?[0].title, "1984");
/// # Ok(())
/// # }
/// ```
pub struct HasMany<M> {
    // One word in every row: the rows a prefetch built (boxed with them), or, not
    // loaded, the field's relation.
    loaded: Slot<Box<Aligned<Vec<M>>>>,
}

macro_rules! many_common {
    ($ty:ident) => {
        impl<M: Model> $ty<M> {
            /// Not loaded yet.
            pub const fn new() -> Self {
                $ty { loaded: Slot::empty() }
            }

            #[doc(hidden)]
            pub fn __named(relation: &'static RelationMeta) -> Self {
                $ty { loaded: Slot::named(relation) }
            }

            /// The rows loaded by `prefetch_related`; never queries. `Error::NotLoaded`
            /// if no loader ran.
            pub fn get(&self) -> Result<&[M]> {
                match self.loaded.state() {
                    State::Present(rows) => Ok(rows.0.as_slice()),
                    _ => Err(not_loaded(M::META, stringify!($ty), self.loaded.relation())),
                }
            }

            /// Whether a loader filled this relation.
            pub fn is_loaded(&self) -> bool {
                self.loaded.is_loaded()
            }
        }

        impl<M: Model> Default for $ty<M> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<M: Model + Clone> Clone for $ty<M> {
            fn clone(&self) -> Self {
                $ty { loaded: self.loaded.clone() }
            }
        }

        impl<M: Model + fmt::Debug> fmt::Debug for $ty<M> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.loaded.state() {
                    State::Present(rows) => f.debug_list().entries(rows.0.iter()).finish(),
                    _ => write!(f, "{}<{}>(not loaded)", stringify!($ty), M::META.name),
                }
            }
        }

        /// Equal when they hold the same loaded rows (or neither is loaded).
        impl<M: Model + PartialEq> PartialEq for $ty<M> {
            fn eq(&self, other: &Self) -> bool {
                match (self.loaded.state(), other.loaded.state()) {
                    (State::Present(a), State::Present(b)) => a.0 == b.0,
                    (a, b) => !matches!(a, State::Present(_)) && !matches!(b, State::Present(_)),
                }
            }
        }

        impl<M: Model> RelationField for $ty<M> {
            fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
                self.loaded.set(Slot::present(match loaded {
                    Loaded::Typed(rows) => rows.downcast::<Aligned<Vec<M>>>().map_err(|_| wrong_type::<M>())?,
                    Loaded::Many(rows) => {
                        Box::new(Aligned(rows.into_iter().map(downcast::<M>).collect::<Result<_>>()?))
                    }
                    _ => return Err(wrong_type::<M>()),
                }));
                Ok(())
            }
        }
    };
}

many_common!(HasMany);

// SAFETY: a reverse or many-to-many field holds instances only once a loader filled it
// (`RelationField::set_loaded`, implemented for `M: Model` only, and every model is
// Send + Sync) or as a clone of such a field (`Clone` needs `M: Model` too). Stating
// it without the bound keeps a broken target model's errors at that model: a model
// with a `HasMany<Book>` stays Send and Sync whatever is wrong inside `Book`.
unsafe impl<M> Send for HasMany<M> {}
// SAFETY: as above.
unsafe impl<M> Sync for HasMany<M> {}
// SAFETY: as above.
unsafe impl<M> Send for ManyToMany<M> {}
// SAFETY: as above.
unsafe impl<M> Sync for ManyToMany<M> {}
// SAFETY: as above (`HasOne`'s `RelationField` and `Clone` impls need `M: Model`).
unsafe impl<M> Send for HasOne<M> {}
// SAFETY: as above.
unsafe impl<M> Sync for HasOne<M> {}

/// A many-to-many relation to `M`, through an automatic table
/// `<model>_<field>(<model>_id, <target>_id)` (or a declared through model). Declared
/// with `#[orm(related = "field")]` it is the reverse side of another model's
/// ManyToMany. Not a column.
///
/// The field holds only what `prefetch_related` loaded. The derive gives the model a
/// method of the same name returning a [`ManyToManyManager`], to query, add and remove
/// links: `dev.skills().add(&db, [&rust])`.
pub struct ManyToMany<M> {
    // One word, as in `HasMany`.
    loaded: Slot<Box<Aligned<Vec<M>>>>,
}

many_common!(ManyToMany);

/// The reverse side of a OneToOne: the row of `M` whose key points at this row, if
/// any. Not a column.
///
/// The field holds only what a loader read. The derive gives the model a method of
/// the same name returning the related row as a QuerySet: `place.restaurant().first(&db)`.
pub struct HasOne<M> {
    // One word: the row, "no row", or (not loaded) the field's relation.
    loaded: Slot<Box<Aligned<M>>>,
}

impl<M: Model> HasOne<M> {
    /// Not loaded yet.
    pub const fn new() -> Self {
        HasOne { loaded: Slot::empty() }
    }

    #[doc(hidden)]
    pub fn __named(relation: &'static RelationMeta) -> Self {
        HasOne { loaded: Slot::named(relation) }
    }

    /// The row loaded by `select_related` or `prefetch_related` (`None` if there is no
    /// such row); never queries. `Error::NotLoaded` if no loader ran.
    pub fn get(&self) -> Result<Option<&M>> {
        match self.loaded.state() {
            State::Present(row) => Ok(Some(&row.0)),
            State::Absent => Ok(None),
            State::NotLoaded(relation) => Err(not_loaded(M::META, "HasOne", relation)),
        }
    }

    /// Whether a loader filled this relation.
    pub fn is_loaded(&self) -> bool {
        self.loaded.is_loaded()
    }
}

impl<M: Model> Default for HasOne<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model + Clone> Clone for HasOne<M> {
    fn clone(&self) -> Self {
        HasOne { loaded: self.loaded.clone() }
    }
}

impl<M: Model + fmt::Debug> fmt::Debug for HasOne<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.get() {
            Ok(row) => row.fmt(f),
            Err(_) => write!(f, "HasOne<{}>(not loaded)", M::META.name),
        }
    }
}

/// Equal when they hold the same loaded row, or neither is loaded.
impl<M: Model + PartialEq> PartialEq for HasOne<M> {
    fn eq(&self, other: &Self) -> bool {
        match (self.get(), other.get()) {
            (Ok(a), Ok(b)) => a == b,
            (a, b) => a.is_err() && b.is_err(),
        }
    }
}

impl<M: Model> RelationField for HasOne<M> {
    fn loaded_one(&mut self) -> Option<Option<&mut dyn AnyModel>> {
        match self.loaded.state() {
            State::NotLoaded(_) => None,
            State::Absent => Some(None),
            State::Present(_) => Some(self.loaded.present_mut().map(|m| m as &mut dyn AnyModel)),
        }
    }

    fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
        let row = match loaded {
            Loaded::Many(mut rows) => rows.pop().map(downcast::<M>).transpose()?,
            Loaded::Typed(rows) => {
                let rows = rows.downcast::<Aligned<Vec<M>>>().map_err(|_| wrong_type::<M>())?;
                rows.0.into_iter().next_back()
            }
            Loaded::Shared(_) => return Err(wrong_type::<M>()),
        };
        self.loaded.set(match row {
            Some(row) => Slot::present(Box::new(Aligned(row))),
            None => Slot::absent(),
        });
        Ok(())
    }

    fn load_row<R: RowRead>(&mut self, row: &R, plan: &RelatedPlan, step: usize) -> Result<()> {
        self.loaded.set(match plan.decode::<M, R>(row, step)? {
            Some(row) => Slot::present(Box::new(Aligned(row))),
            None => Slot::absent(),
        });
        Ok(())
    }
}
