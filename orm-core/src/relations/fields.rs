//! The relation field types a model declares.

use super::{downcast, Loaded, RelationField, RelationKind, RelationMeta};
use crate::model::{Model, SingleKey};
use crate::query::{Operand, QuerySet};
use crate::types::{DecodeError, FieldType, Ordered, Value, ValueRef};
use crate::{Db, Error, Result};
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
    loaded: Option<Arc<M>>,
}

/// A one-to-one relation: a ForeignKey whose column is unique. Its reverse side is a
/// [`HasOne`].
pub type OneToOne<M> = ForeignKey<M>;

impl<M: SingleKey> ForeignKey<M> {
    /// A key to the row of `M` whose primary key is `key`.
    pub fn new(key: M::Key) -> Self {
        ForeignKey { key, loaded: None }
    }

    /// The related row's primary key (no query).
    pub fn id(&self) -> &M::Key {
        &self.key
    }

    /// The related instance loaded by `select_related` or `prefetch_related`; never
    /// queries. `Error::NotLoaded` if no loader ran.
    pub fn get(&self) -> Result<&M> {
        self.loaded.as_deref().ok_or(Error::NotLoaded { model: M::META.name, relation: "ForeignKey" })
    }

    /// Whether a loader filled this relation.
    pub fn is_loaded(&self) -> bool {
        self.loaded.is_some()
    }

    /// Loads the related instance: one query, every time it is called.
    pub fn fetch(&self, db: &Db) -> Result<M> {
        let key = self.key.to_value();
        M::objects().get(db, |_| crate::query::pk_condition(M::META, key))
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
    const SQL_TYPE: &'static str = <M::Key as FieldType>::SQL_TYPE;
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
    fn into_node(self) -> crate::query::ExprNode {
        crate::query::ExprNode::Value(self.pk())
    }
}
impl<M: SingleKey> Operand<Option<ForeignKey<M>>> for &M {
    fn into_node(self) -> crate::query::ExprNode {
        crate::query::ExprNode::Value(self.pk())
    }
}
impl<M: SingleKey<Key = i64>> Operand<ForeignKey<M>> for i64 {
    fn into_node(self) -> crate::query::ExprNode {
        crate::query::ExprNode::Value(Value::Integer(self))
    }
}
impl<M: SingleKey<Key = i64>> Operand<Option<ForeignKey<M>>> for i64 {
    fn into_node(self) -> crate::query::ExprNode {
        crate::query::ExprNode::Value(Value::Integer(self))
    }
}

impl<M: SingleKey> RelationField for ForeignKey<M> {
    fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
        self.loaded = match loaded {
            Loaded::One(Some(boxed)) => Some(Arc::new(downcast::<M>(boxed)?)),
            Loaded::Shared(Some(shared)) => Some(shared.downcast::<M>().map_err(|_| super::wrong_type::<M>())?),
            Loaded::One(None) | Loaded::Shared(None) | Loaded::Many(_) | Loaded::Typed(_) => None,
        };
        Ok(())
    }
}

impl<M: SingleKey> RelationField for Option<ForeignKey<M>> {
    fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
        match self {
            Some(fk) => fk.set_loaded(loaded),
            None => Ok(()),
        }
    }
}

/// The owner's key and the relation, kept by the reverse and many-to-many sides so
/// that they can load and change their rows.
#[derive(Clone)]
struct Owner {
    key: OwnerKey,
    relation: &'static RelationMeta,
}

/// The owner's key, small in the common case (an integer) since every loaded row
/// carries one per reverse field.
#[derive(Clone, PartialEq)]
enum OwnerKey {
    Integer(i64),
    Other(Box<Value>),
}

impl OwnerKey {
    fn new(value: Value) -> Self {
        match value {
            Value::Integer(i) => OwnerKey::Integer(i),
            other => OwnerKey::Other(Box::new(other)),
        }
    }

    fn value(&self) -> Value {
        match self {
            OwnerKey::Integer(i) => Value::Integer(*i),
            OwnerKey::Other(v) => (**v).clone(),
        }
    }
}

/// The reverse side of a ForeignKey: the rows of `M` whose key points at this row
/// (Django's `author.book_set`, or `related_name`). Not a column.
pub struct HasMany<M: Model> {
    owner: Owner,
    loaded: Option<Vec<M>>,
}

macro_rules! many_common {
    ($ty:ident) => {
        impl<M: Model> $ty<M> {
            #[doc(hidden)]
            pub fn __new(owner_key: Value, relation: &'static RelationMeta) -> Self {
                $ty { owner: Owner { key: OwnerKey::new(owner_key), relation }, loaded: None }
            }

            /// The rows loaded by `prefetch_related`; never queries. `Error::NotLoaded`
            /// if no loader ran.
            pub fn get(&self) -> Result<&[M]> {
                self.loaded
                    .as_deref()
                    .ok_or(Error::NotLoaded { model: M::META.name, relation: self.owner.relation.name })
            }

            /// Whether a loader filled this relation.
            pub fn is_loaded(&self) -> bool {
                self.loaded.is_some()
            }

            /// The related rows as a QuerySet, to filter or count (Django's
            /// `author.books.all()`).
            pub fn objects(&self) -> QuerySet<M> {
                M::objects().filter(|_| super::load::related_condition(self.owner.relation, &self.owner.key.value()))
            }

            /// Loads the related rows: one query, every time it is called.
            pub fn fetch(&self, db: &Db) -> Result<Vec<M>> {
                self.objects().all(db)
            }
        }

        impl<M: Model + Clone> Clone for $ty<M> {
            fn clone(&self) -> Self {
                $ty { owner: self.owner.clone(), loaded: self.loaded.clone() }
            }
        }

        impl<M: Model + fmt::Debug> fmt::Debug for $ty<M> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match &self.loaded {
                    Some(rows) => f.debug_list().entries(rows).finish(),
                    None => write!(f, "{}<{}>(not loaded)", stringify!($ty), M::META.name),
                }
            }
        }

        /// Equal when they belong to the same row and hold the same loaded rows.
        impl<M: Model + PartialEq> PartialEq for $ty<M> {
            fn eq(&self, other: &Self) -> bool {
                self.owner.key == other.owner.key && self.loaded == other.loaded
            }
        }

        impl<M: Model> RelationField for $ty<M> {
            fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
                self.loaded = Some(match loaded {
                    Loaded::Typed(rows) => *rows.downcast::<Vec<M>>().map_err(|_| super::wrong_type::<M>())?,
                    Loaded::Many(rows) => rows.into_iter().map(downcast::<M>).collect::<Result<_>>()?,
                    _ => return Err(super::wrong_type::<M>()),
                });
                Ok(())
            }
        }
    };
}

many_common!(HasMany);

/// A many-to-many relation to `M`, through an automatic table
/// `<model>_<field>(<model>_id, <target>_id)` (or a declared through model). Declared
/// with `#[orm(related = "field")]` it is the reverse side of another model's
/// ManyToMany. Not a column.
pub struct ManyToMany<M: Model> {
    owner: Owner,
    loaded: Option<Vec<M>>,
}

many_common!(ManyToMany);

impl<M: Model> ManyToMany<M> {
    /// Links this row to `targets` (Django's `add`): one `INSERT OR IGNORE` in a
    /// transaction; links that exist already are kept.
    pub fn add<'t>(&self, db: &Db, targets: impl IntoIterator<Item = &'t M>) -> Result<()> {
        let keys: Vec<Value> = targets.into_iter().map(Model::pk).collect();
        super::load::m2m_add(db, self.owner.relation, &self.owner.key.value(), &keys)
    }

    /// Unlinks `targets` (Django's `remove`); the rows themselves stay.
    pub fn remove<'t>(&self, db: &Db, targets: impl IntoIterator<Item = &'t M>) -> Result<usize> {
        let keys: Vec<Value> = targets.into_iter().map(Model::pk).collect();
        super::load::m2m_remove(db, self.owner.relation, &self.owner.key.value(), Some(&keys))
    }

    /// Unlinks every target (Django's `clear`).
    pub fn clear(&self, db: &Db) -> Result<usize> {
        super::load::m2m_remove(db, self.owner.relation, &self.owner.key.value(), None)
    }

    /// Makes `targets` exactly the linked rows (Django's `set`): removes the others and
    /// adds the missing, in one transaction.
    pub fn set<'t>(&self, db: &Db, targets: impl IntoIterator<Item = &'t M>) -> Result<()> {
        let keys: Vec<Value> = targets.into_iter().map(Model::pk).collect();
        db.atomic(|db| {
            super::load::m2m_keep_only(db, self.owner.relation, &self.owner.key.value(), &keys)?;
            super::load::m2m_add(db, self.owner.relation, &self.owner.key.value(), &keys)
        })
    }
}

/// The reverse side of a OneToOne: the row of `M` whose key points at this row, if
/// any. Not a column.
pub struct HasOne<M: Model> {
    owner: Owner,
    loaded: Option<Option<Box<M>>>,
}

impl<M: Model> HasOne<M> {
    #[doc(hidden)]
    pub fn __new(owner_key: Value, relation: &'static RelationMeta) -> Self {
        HasOne { owner: Owner { key: OwnerKey::new(owner_key), relation }, loaded: None }
    }

    /// The row loaded by `select_related` or `prefetch_related` (`None` if there is no
    /// such row); never queries. `Error::NotLoaded` if no loader ran.
    pub fn get(&self) -> Result<Option<&M>> {
        match &self.loaded {
            Some(row) => Ok(row.as_deref()),
            None => Err(Error::NotLoaded { model: M::META.name, relation: self.owner.relation.name }),
        }
    }

    /// Whether a loader filled this relation.
    pub fn is_loaded(&self) -> bool {
        self.loaded.is_some()
    }

    /// Loads the related row: one query, every time it is called.
    pub fn fetch(&self, db: &Db) -> Result<Option<M>> {
        M::objects().filter(|_| super::load::related_condition(self.owner.relation, &self.owner.key.value())).first(db)
    }
}

impl<M: Model + Clone> Clone for HasOne<M> {
    fn clone(&self) -> Self {
        HasOne { owner: self.owner.clone(), loaded: self.loaded.clone() }
    }
}

impl<M: Model + fmt::Debug> fmt::Debug for HasOne<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.loaded {
            Some(row) => row.fmt(f),
            None => write!(f, "HasOne<{}>(not loaded)", M::META.name),
        }
    }
}

impl<M: Model + PartialEq> PartialEq for HasOne<M> {
    fn eq(&self, other: &Self) -> bool {
        self.owner.key == other.owner.key && self.loaded == other.loaded
    }
}

impl<M: Model> RelationField for HasOne<M> {
    fn set_loaded(&mut self, loaded: Loaded) -> Result<()> {
        self.loaded = Some(match loaded {
            Loaded::One(row) => row.map(downcast::<M>).transpose()?.map(Box::new),
            Loaded::Many(mut rows) => rows.pop().map(downcast::<M>).transpose()?.map(Box::new),
            Loaded::Typed(rows) => {
                let mut rows = *rows.downcast::<Vec<M>>().map_err(|_| super::wrong_type::<M>())?;
                rows.pop().map(Box::new)
            }
            Loaded::Shared(_) => return Err(super::wrong_type::<M>()),
        });
        Ok(())
    }
}

/// The forward ManyToMany of a reverse side, or the relation itself.
pub(crate) fn m2m_through(relation: &'static RelationMeta) -> Option<(&'static super::Through, bool)> {
    match &relation.kind {
        RelationKind::ManyToMany { through } => Some((through, false)),
        RelationKind::ReverseManyToMany { forward } => match &forward().kind {
            RelationKind::ManyToMany { through } => Some((through, true)),
            _ => None,
        },
        _ => None,
    }
}
