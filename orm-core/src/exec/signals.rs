//! Where a `Db` keeps its signal receivers (the typed API is `crate::signals`).

use super::Db;
use crate::error::Result;
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::sync::Arc;

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

/// The receivers registered on one `Db`.
#[derive(Default)]
pub(crate) struct Signals {
    receivers: RefCell<Vec<Receiver>>,
}

impl Signals {
    pub(crate) fn add(&self, model: TypeId, kind: Kind, callback: Callback) {
        self.receivers.borrow_mut().push(Receiver { model, kind, callback });
    }

    pub(crate) fn has(&self, model: TypeId, kind: Kind) -> bool {
        self.receivers.borrow().iter().any(|r| r.model == model && r.kind == kind)
    }

    /// Calls every matching receiver, in registration order. The list is copied first
    /// so that a receiver may register others or send signals itself.
    pub(crate) fn send(&self, db: &Db, model: TypeId, kind: Kind, instance: &dyn Any, flag: bool) -> Result<()> {
        let matching: Vec<Callback> = {
            let receivers = self.receivers.borrow();
            if receivers.is_empty() {
                return Ok(());
            }
            receivers.iter().filter(|r| r.model == model && r.kind == kind).map(|r| r.callback.clone()).collect()
        };
        for callback in matching {
            callback(db, instance, flag)?;
        }
        Ok(())
    }
}
