//! Lifecycle signals (Django's `pre_save`, `post_save`, `pre_delete`, `post_delete`),
//! registered on a `Db` or a `Pool` rather than in global state, so tests stay isolated.
//!
//! Receivers run on the same connection, inside whatever transaction is open, and may
//! run queries. An `Err` from a receiver stops the operation and is returned. Bulk
//! operations skip signals, as Django's do: `bulk_create`, `bulk_insert`, queryset
//! `update`, and the rows a delete cascades to.

use crate::error::Result;
use crate::exec::{Callback, Db, Kind, Pool};
use crate::model::{Insert, Model};
use std::any::{Any, TypeId};
use std::sync::Arc;

/// What `pre_save` receives: the row about to be inserted, or the instance about to be
/// written.
pub enum Saving<'a, M: Model> {
    /// `create` / `get_or_create` / `update_or_create` inserting a new row.
    New(&'a <M as Model>::New),
    /// `save` of an existing instance.
    Existing(&'a M),
}

/// Receivers are keyed by the model's `TypeId` and sent the value that kind of signal
/// carries, so the downcast cannot fail; a mismatch would be a bug in this module.
fn downcast<T: 'static>(value: &dyn Any) -> &T {
    value.downcast_ref::<T>().expect("a signal carries the type its receivers were registered for")
}

fn pre_save<M: Model>(receiver: impl Fn(&Db, Saving<'_, M>) -> Result<()> + Send + Sync + 'static) -> Callback {
    Arc::new(move |db, value, is_new| {
        if is_new {
            receiver(db, Saving::New(downcast::<<M as Model>::New>(value)))
        } else {
            receiver(db, Saving::Existing(downcast::<M>(value)))
        }
    })
}

fn post_save<M: Model>(receiver: impl Fn(&Db, &M, bool) -> Result<()> + Send + Sync + 'static) -> Callback {
    Arc::new(move |db, value, created| receiver(db, downcast::<M>(value), created))
}

fn on_delete<M: Model>(receiver: impl Fn(&Db, &M) -> Result<()> + Send + Sync + 'static) -> Callback {
    Arc::new(move |db, value, _| receiver(db, downcast::<M>(value)))
}

impl Db {
    /// The fields a [`save_fields`](crate::ModelExt::save_fields) writes, by their
    /// Rust names, while its `pre_save` and `post_save` receivers run (Django's
    /// `update_fields` argument); `None` in the receivers of a whole `save` or a
    /// `create` (also of one that a `save_fields` receiver runs), and outside
    /// receivers.
    pub fn update_fields(&self) -> Option<Vec<&'static str>> {
        self.current_update_fields()
    }

    /// Runs `receiver` before each `create` or `save` of an `M` (Django's `pre_save`).
    pub fn on_pre_save<M: Model>(&self, receiver: impl Fn(&Db, Saving<'_, M>) -> Result<()> + Send + Sync + 'static) {
        self.signals().add(TypeId::of::<M>(), Kind::PreSave, pre_save(receiver));
    }

    /// Runs `receiver` after each `create` or `save` of an `M`, with `created` true for
    /// an insert (Django's `post_save`).
    pub fn on_post_save<M: Model>(&self, receiver: impl Fn(&Db, &M, bool) -> Result<()> + Send + Sync + 'static) {
        self.signals().add(TypeId::of::<M>(), Kind::PostSave, post_save(receiver));
    }

    /// Runs `receiver` before an `M` is deleted by `delete()` on it or on a QuerySet
    /// of `M` (Django's `pre_delete`).
    pub fn on_pre_delete<M: Model>(&self, receiver: impl Fn(&Db, &M) -> Result<()> + Send + Sync + 'static) {
        self.signals().add(TypeId::of::<M>(), Kind::PreDelete, on_delete(receiver));
    }

    /// Runs `receiver` after an `M` is deleted (Django's `post_delete`).
    pub fn on_post_delete<M: Model>(&self, receiver: impl Fn(&Db, &M) -> Result<()> + Send + Sync + 'static) {
        self.signals().add(TypeId::of::<M>(), Kind::PostDelete, on_delete(receiver));
    }
}

/// The same receivers, registered once for every connection of a pool (those open
/// already included). They run on the connection that sent the signal, before any
/// registered on that connection itself.
impl Pool {
    /// [`Db::on_pre_save`] on every connection of the pool.
    pub fn on_pre_save<M: Model>(&self, receiver: impl Fn(&Db, Saving<'_, M>) -> Result<()> + Send + Sync + 'static) {
        self.registry().add(TypeId::of::<M>(), Kind::PreSave, pre_save(receiver));
    }

    /// [`Db::on_post_save`] on every connection of the pool.
    pub fn on_post_save<M: Model>(&self, receiver: impl Fn(&Db, &M, bool) -> Result<()> + Send + Sync + 'static) {
        self.registry().add(TypeId::of::<M>(), Kind::PostSave, post_save(receiver));
    }

    /// [`Db::on_pre_delete`] on every connection of the pool.
    pub fn on_pre_delete<M: Model>(&self, receiver: impl Fn(&Db, &M) -> Result<()> + Send + Sync + 'static) {
        self.registry().add(TypeId::of::<M>(), Kind::PreDelete, on_delete(receiver));
    }

    /// [`Db::on_post_delete`] on every connection of the pool.
    pub fn on_post_delete<M: Model>(&self, receiver: impl Fn(&Db, &M) -> Result<()> + Send + Sync + 'static) {
        self.registry().add(TypeId::of::<M>(), Kind::PostDelete, on_delete(receiver));
    }
}

/// `pre_save` of a new row.
pub(crate) fn pre_create<N: Insert + 'static>(db: &Db, new: &N) -> Result<()> {
    db.signals().send(db, TypeId::of::<N::Model>(), Kind::PreSave, new, true)
}

/// `post_save` (or `pre_delete`, `post_delete`, `pre_save` of an existing instance).
pub(crate) fn send<M: Model>(db: &Db, kind: Kind, model: &M, flag: bool) -> Result<()> {
    db.signals().send(db, TypeId::of::<M>(), kind, model, flag)
}
