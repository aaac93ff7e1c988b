//! Where a `Db` keeps its signal receivers and the models it knows (the typed API is
//! `crate::signals`): its own, and, for a pooled connection, its pool's, which every
//! connection of the pool shares.

use super::Db;
use crate::error::Result;
use crate::meta::ModelMeta;
use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex, MutexGuard};

/// Which signal.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    PreSave,
    PostSave,
    PreDelete,
    PostDelete,
}

pub(crate) type Callback = Arc<dyn Fn(&Db, &dyn Any, bool) -> Result<()> + Send + Sync>;

struct Receiver {
    model: TypeId,
    kind: Kind,
    callback: Callback,
}

/// Receivers and models registered in one place (a `Db`, or a pool). The locks are
/// held only to copy a list, never while a receiver runs.
#[derive(Default)]
pub(crate) struct Registry {
    receivers: Mutex<Vec<Receiver>>,
    models: Mutex<Vec<&'static ModelMeta>>,
}

/// A lock whose holder panicked still guards a consistent list: each change is one push.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Registry {
    pub(crate) fn add(&self, model: TypeId, kind: Kind, callback: Callback) {
        lock(&self.receivers).push(Receiver { model, kind, callback });
    }

    pub(crate) fn register(&self, meta: &'static ModelMeta) {
        let mut models = lock(&self.models);
        if !models.iter().any(|m| m.table == meta.table) {
            models.push(meta);
        }
    }

    fn has(&self, model: TypeId, kind: Kind) -> bool {
        lock(&self.receivers).iter().any(|r| r.model == model && r.kind == kind)
    }

    fn matching(&self, model: TypeId, kind: Kind, out: &mut Vec<Callback>) {
        let receivers = lock(&self.receivers);
        out.extend(receivers.iter().filter(|r| r.model == model && r.kind == kind).map(|r| r.callback.clone()));
    }
}

/// A `Db`'s registries: its own, then its pool's.
#[derive(Default)]
pub(crate) struct Signals {
    own: Registry,
    pool: Option<Arc<Registry>>,
}

impl Signals {
    /// The registries of a connection opened by a pool.
    pub(crate) fn pooled(pool: Arc<Registry>) -> Signals {
        Signals { own: Registry::default(), pool: Some(pool) }
    }

    pub(crate) fn add(&self, model: TypeId, kind: Kind, callback: Callback) {
        self.own.add(model, kind, callback);
    }

    pub(crate) fn register(&self, meta: &'static ModelMeta) {
        self.own.register(meta);
    }

    pub(crate) fn has(&self, model: TypeId, kind: Kind) -> bool {
        self.pool.as_ref().is_some_and(|pool| pool.has(model, kind)) || self.own.has(model, kind)
    }

    /// The models this connection and its pool know, the pool's first.
    pub(crate) fn models(&self) -> Vec<&'static ModelMeta> {
        let mut models = self.pool.as_ref().map(|pool| lock(&pool.models).clone()).unwrap_or_default();
        for meta in lock(&self.own.models).iter() {
            if !models.iter().any(|m| m.table == meta.table) {
                models.push(meta);
            }
        }
        models
    }

    /// Calls every matching receiver, the pool's first, each in registration order.
    /// The lists are copied first so that a receiver may register others or send
    /// signals itself.
    pub(crate) fn send(&self, db: &Db, model: TypeId, kind: Kind, instance: &dyn Any, flag: bool) -> Result<()> {
        let mut matching = Vec::new();
        if let Some(pool) = &self.pool {
            pool.matching(model, kind, &mut matching);
        }
        self.own.matching(model, kind, &mut matching);
        for callback in matching {
            callback(db, instance, flag)?;
        }
        Ok(())
    }
}
