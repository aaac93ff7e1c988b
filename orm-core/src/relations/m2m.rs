//! ManyToMany writes: `add`, `remove`, `clear` and `set` on an automatic through
//! table, in batches that fit the parameter limit, with Django's statements.

use super::prefetch::Key;
use crate::backend::FirstColumn;
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::meta::{m2m_through, RelationMeta};
use crate::sql;
use crate::value::Value;

fn through_of(relation: &'static RelationMeta) -> Result<(&'static str, &'static str, &'static str)> {
    let (through, reverse) = m2m_through(relation).ok_or_else(super::prefetch::bad_reverse)?;
    if through.model.is_some() {
        return Err(Error::InvalidQuery {
            message: "a ManyToMany with a declared through model is changed by creating and deleting through rows",
        });
    }
    Ok(if reverse {
        (through.table, through.target, through.source)
    } else {
        (through.table, through.source, through.target)
    })
}

/// `INSERT OR IGNORE INTO through (owner, target) VALUES ...` in a transaction, as
/// Django's `add()` does on SQLite.
pub(crate) fn m2m_add(db: &Db, relation: &'static RelationMeta, owner: &Value, targets: &[Value]) -> Result<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let (table, own, other) = through_of(relation)?;
    db.atomic_inner(false, |db| {
        for chunk in targets.chunks(db.dialect().max_params() / 2) {
            let params: Vec<Value> = chunk.iter().flat_map(|t| [owner.clone(), t.clone()]).collect();
            db.execute(&sql::insert_pairs(table, own, other, chunk.len(), db.dialect()), &params)?;
        }
        Ok(())
    })
}

/// `DELETE FROM through WHERE owner = ? [AND target IN (...)]`, in batches that fit
/// SQLite's parameter limit.
pub(crate) fn m2m_remove(
    db: &Db,
    relation: &'static RelationMeta,
    owner: &Value,
    targets: Option<&[Value]>,
) -> Result<usize> {
    let (table, own, other) = through_of(relation)?;
    match targets {
        Some([]) => Ok(0),
        None => db.atomic_inner(false, |db| {
            let sql = sql::delete_pairs(table, own, other, owner, None, false, db.dialect());
            db.execute(&sql.text, &sql.params)
        }),
        Some(targets) => db.atomic_inner(false, |db| delete_links(db, (table, own, other), owner, targets)),
    }
}

/// Deletes the links from `owner` to `targets`, one statement per batch.
fn delete_links(db: &Db, (table, own, other): (&str, &str, &str), owner: &Value, targets: &[Value]) -> Result<usize> {
    let mut n = 0;
    for chunk in targets.chunks(db.dialect().max_params() - 1) {
        let sql = sql::delete_pairs(table, own, other, owner, Some(chunk), false, db.dialect());
        n += db.execute(&sql.text, &sql.params)?;
    }
    Ok(n)
}

/// Makes `targets` exactly the rows `owner` links to, as Django's `set()` does: the
/// current links are read (one SELECT), the others deleted and the missing added, in
/// one transaction; an unchanged set sends only the SELECT.
pub(crate) fn m2m_set(db: &Db, relation: &'static RelationMeta, owner: &Value, targets: &[Value]) -> Result<()> {
    let (table, own, other) = through_of(relation)?;
    db.atomic_inner(false, |db| {
        let select = sql::select_in(table, other, own, std::slice::from_ref(owner), db.dialect());
        let linked = db.fetch(&select.text, &select.params, FirstColumn)?;
        let wanted: std::collections::HashSet<Key> = targets.iter().filter_map(Key::of).collect();
        let have: std::collections::HashSet<Key> = linked.iter().filter_map(Key::of).collect();
        let gone: Vec<Value> =
            linked.into_iter().filter(|v| Key::of(v).is_some_and(|k| !wanted.contains(&k))).collect();
        let mut seen = std::collections::HashSet::new();
        let new: Vec<Value> = targets
            .iter()
            .filter(|v| Key::of(v).is_some_and(|k| !have.contains(&k) && seen.insert(k)))
            .cloned()
            .collect();
        if !gone.is_empty() {
            delete_links(db, (table, own, other), owner, &gone)?;
        }
        m2m_add(db, relation, owner, &new)
    })
}
