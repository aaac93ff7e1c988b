//! Writes through a QuerySet: `create`, the bulk inserts, `update`, `delete`,
//! `get_or_create` and `update_or_create`.

use super::QuerySet;
use crate::dsl::{IntoAssignments, Q};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::meta::Path;
use crate::model::{Insert, Model};
use crate::sql as compile;

pub use crate::relations::delete::DeleteCount;

/// Writes through a QuerySet.
impl<M: Model> QuerySet<M> {
    /// Inserts one row and returns it with its primary key (`INSERT ... RETURNING`,
    /// one query).
    pub fn create(&self, db: &Db, new: M::New) -> Result<M> {
        super::rows::create(db, new)
    }

    /// Inserts many rows in as few statements as SQLite's parameter limit allows,
    /// inside one transaction, and returns them with their keys. Django's
    /// `bulk_create`; no query at all for an empty list.
    pub fn bulk_create(&self, db: &Db, rows: impl IntoIterator<Item = M::New>) -> Result<Vec<M>> {
        super::rows::bulk_create(db, rows.into_iter().collect())
    }

    /// Like [`bulk_create`](Self::bulk_create) but does not read the keys back: returns
    /// the number of rows inserted. Cheaper for large loads.
    pub fn bulk_insert(&self, db: &Db, rows: impl IntoIterator<Item = M::New>) -> Result<usize> {
        super::rows::bulk_insert(db, rows)
    }

    /// Sets columns on every matching row (Django's `update`), one query, and returns
    /// the number of rows changed: `update(&db, |b| b.price_cents.set(b.price_cents * 2))`.
    pub fn update<A: IntoAssignments>(&self, db: &Db, assignments: impl FnOnce(M::Fields) -> A) -> Result<usize> {
        self.query.check()?;
        self.query.check_not_combined("Calling QuerySet.update() after union() is not supported.")?;
        if self.query.is_sliced() {
            return Err(Error::InvalidQuery { message: "cannot update a query once a slice has been taken" });
        }
        let mut list = Vec::new();
        assignments(M::__fields(Path::ROOT)).push_assignments(&mut list);
        if list.iter().any(|a| !a.path.is_root()) {
            return Err(Error::InvalidQuery { message: "update() can only set fields of the QuerySet's own model" });
        }
        for a in &list {
            if let crate::ast::ExprNode::Value(value) = &a.value {
                super::rows::check_length(M::META, usize::from(a.column), value)?;
            }
        }
        if self.query.is_empty() || list.is_empty() {
            return Ok(0);
        }
        let sql = compile::update(&self.query, &list, db.dialect());
        db.execute(&sql.text, &sql.params)
    }

    /// Deletes every matching row (Django's `QuerySet.delete`) in a transaction and
    /// returns the counts. An empty filter sends no query.
    pub fn delete(&self, db: &Db) -> Result<DeleteCount> {
        self.query.check()?;
        self.query.check_not_combined("Calling QuerySet.delete() after union() is not supported.")?;
        if self.query.is_sliced() {
            return Err(Error::InvalidQuery { message: "cannot delete a query once a slice has been taken" });
        }
        if self.query.is_empty() {
            return Ok((0, Default::default()));
        }
        // With delete receivers, each instance is read and signalled, as Django does.
        let signalled = {
            use crate::exec::Kind;
            let id = std::any::TypeId::of::<M>();
            if db.signals().has(id, Kind::PreDelete) || db.signals().has(id, Kind::PostDelete) {
                let instances = self.all(db)?;
                for m in &instances {
                    crate::signals::send(db, Kind::PreDelete, m, false)?;
                }
                Some(instances)
            } else {
                None
            }
        };
        let counts = self.delete_rows(db)?;
        for m in signalled.iter().flatten() {
            crate::signals::send(db, crate::exec::Kind::PostDelete, m, false)?;
        }
        Ok(counts)
    }

    fn delete_rows(&self, db: &Db) -> Result<DeleteCount> {
        if crate::relations::delete::is_standalone(db, M::META) {
            let sql = compile::delete(&self.query, db.dialect());
            let n = db.atomic_inner(false, |db| db.execute(&sql.text, &sql.params))?;
            return Ok(super::rows::delete_count(M::META, n));
        }
        // Django's collector: read the keys first, then delete what depends on them
        // and the rows themselves in one transaction.
        let mut keys_query = self.query.clone();
        keys_query.order = Some(Vec::new());
        let pk = Path::ROOT;
        let pk_node = crate::ast::ExprNode::Column { meta: M::META, column: M::META.pk as u16, path: pk };
        let sql = compile::select(&keys_query, compile::Columns::Exprs(std::slice::from_ref(&pk_node)), db.dialect());
        let pks = db.fetch(&sql.text, &sql.params, crate::backend::FirstColumn)?;
        db.atomic_inner(false, |db| crate::relations::delete::delete_collected(db, M::META, pks))
    }

    /// The row matching `condition`, or a new one created from `defaults` (Django's
    /// `get_or_create`): returns `(instance, created)`. One query when found; when
    /// created, the insert runs in a savepoint (SELECT, SAVEPOINT, INSERT, RELEASE) or
    /// a transaction (BEGIN ... COMMIT), as in Django.
    pub fn get_or_create(&self, db: &Db, condition: impl Fn(M::Fields) -> Q, defaults: M::New) -> Result<(M, bool)> {
        match self.get(db, &condition) {
            Ok(found) => Ok((found, false)),
            Err(Error::DoesNotExist { .. }) => match db.atomic(|db| super::rows::create::<M::New>(db, defaults)) {
                Ok(created) => Ok((created, true)),
                Err(err @ Error::Integrity { .. }) => match self.get(db, &condition) {
                    Ok(found) => Ok((found, false)),
                    Err(_) => Err(err),
                },
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        }
    }

    /// Updates the row matching `condition` with every field of `defaults`, or creates
    /// it from `defaults` (Django's `update_or_create`), in one transaction; returns
    /// `(instance, created)`.
    pub fn update_or_create(&self, db: &Db, condition: impl Fn(M::Fields) -> Q, defaults: M::New) -> Result<(M, bool)> {
        db.atomic(|db| match self.get(db, &condition) {
            Ok(mut found) => {
                // One time for an `auto_now` field of the instance and of the row.
                let _clock = crate::types::Clock::hold();
                defaults.__apply_to(&mut found);
                super::rows::save(db, &found)?;
                Ok((found, false))
            }
            Err(Error::DoesNotExist { .. }) => {
                let created = db.atomic(|db| super::rows::create::<M::New>(db, defaults))?;
                Ok((created, true))
            }
            Err(err) => Err(err),
        })
    }

    /// One `DELETE` without a transaction, for a model nothing depends on.
    pub(crate) fn delete_fast(&self, db: &Db) -> Result<usize> {
        let sql = compile::delete(&self.query, db.dialect());
        db.execute(&sql.text, &sql.params)
    }
}
