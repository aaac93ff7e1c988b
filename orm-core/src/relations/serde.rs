//! serde for the relation fields (feature `serde`): a ForeignKey as its key (or, with
//! `#[orm(serde = "nested")]`, as the loaded instance), a loaded reverse or
//! many-to-many set as a list, a loaded reverse one-to-one as the row or `null`. A
//! relation that was not loaded is a serialization error that names the loader, never
//! a silent `null` or a query.

use super::fields::{ForeignKey, HasMany, HasOne, ManyToMany};
use crate::model::{Model, SingleKey};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The key, as Django's serializers and DRF's `PrimaryKeyRelatedField` write it.
impl<M: SingleKey> Serialize for ForeignKey<M>
where
    M::Key: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.id().serialize(serializer)
    }
}

/// From the key, as a `New*` value is written in a request body.
impl<'de, M: SingleKey> Deserialize<'de> for ForeignKey<M>
where
    M::Key: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        M::Key::deserialize(deserializer).map(ForeignKey::new)
    }
}

macro_rules! serialize_list {
    ($ty:ident) => {
        /// The rows `prefetch_related` loaded, as a list.
        impl<M: Model + Serialize> Serialize for $ty<M> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.get().map_err(S::Error::custom)?.serialize(serializer)
            }
        }
    };
}
serialize_list!(HasMany);
serialize_list!(ManyToMany);

/// The row a loader read, or `null` when there is none.
impl<M: Model + Serialize> Serialize for HasOne<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().map_err(S::Error::custom)?.serialize(serializer)
    }
}

/// A ForeignKey written as the instance a loader read (`#[orm(serde = "nested")]`):
/// what the derive serializes such a field through.
#[doc(hidden)]
pub struct Nested<'a, T>(pub &'a T);

impl<M: SingleKey + Serialize> Serialize for Nested<'_, ForeignKey<M>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.get().map_err(S::Error::custom)?.serialize(serializer)
    }
}

impl<M: SingleKey + Serialize> Serialize for Nested<'_, Option<ForeignKey<M>>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(key) => Nested(key).serialize(serializer),
            None => serializer.serialize_none(),
        }
    }
}
