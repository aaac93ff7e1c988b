//! Deletes that follow relations, as Django's collector does: rows pointing at the
//! deleted rows are deleted too (`cascade`), unlinked (`set_null`), or stop the delete
//! (`protect`, `restrict`); ManyToMany links go with their rows.
//!
//! The dependents of a model are found among the models the `Db` knows (those given to
//! `create_tables` or `register`) and the reverse relations the model declares.

use crate::error::{Error, Result};
use crate::exec::Db;
use crate::meta::{ModelMeta, OnDelete, RelationKind};
use crate::sql as compile;
use crate::value::Value;

/// The number of rows a delete removed in all, and per model name (models with none
/// left out), as Django's `delete()` returns them.
pub type DeleteCount = (usize, std::collections::BTreeMap<String, usize>);
use std::collections::{BTreeMap, HashSet};

/// A table whose rows point at a model's rows.
#[derive(Debug, Clone)]
struct Dependent {
    table: &'static str,
    column: &'static str,
    /// The model of the table; `None` for an automatic through table.
    meta: Option<&'static ModelMeta>,
    on_delete: OnDelete,
    /// For counts and errors: `Book`, or `Book.author` in an error.
    name: String,
    field: String,
}

fn same(a: &ModelMeta, b: &ModelMeta) -> bool {
    a.table == b.table
}

/// Every table with rows pointing at `meta`'s rows.
fn dependents(db: &Db, meta: &'static ModelMeta) -> Vec<Dependent> {
    let mut models: Vec<&'static ModelMeta> = db.registered_models();
    models.push(meta);
    for relation in meta.relations {
        models.push((relation.target)());
    }
    let mut seen = HashSet::new();
    models.retain(|m| seen.insert(m.table));

    let mut out: Vec<Dependent> = Vec::new();
    for owner in models {
        for relation in owner.relations {
            let target = (relation.target)();
            match &relation.kind {
                RelationKind::ForeignKey { column, on_delete, .. } if same(target, meta) => out.push(Dependent {
                    table: owner.table,
                    column: owner.columns[*column].name,
                    meta: Some(owner),
                    on_delete: *on_delete,
                    name: owner.name.to_owned(),
                    field: format!("{}.{}", owner.name, relation.name),
                }),
                RelationKind::ManyToMany { through } if through.model.is_none() => {
                    let name = format!("{}_{}", owner.name, relation.name);
                    if same(owner, meta) {
                        out.push(through_dependent(through.table, through.source, &name));
                    }
                    if same(target, meta) {
                        out.push(through_dependent(through.table, through.target, &name));
                    }
                }
                _ => {}
            }
        }
    }
    let mut seen = HashSet::new();
    out.retain(|d| seen.insert((d.table, d.column)));
    out
}

fn through_dependent(table: &'static str, column: &'static str, name: &str) -> Dependent {
    Dependent { table, column, meta: None, on_delete: OnDelete::Cascade, name: name.to_owned(), field: name.to_owned() }
}

/// Whether deleting `meta`'s rows touches no other table.
pub(crate) fn is_standalone(db: &Db, meta: &'static ModelMeta) -> bool {
    dependents(db, meta).iter().all(|d| d.on_delete == OnDelete::DoNothing)
}

/// What a delete will do, collected before anything is written.
#[derive(Default)]
struct Plan {
    /// Rows to delete by key, in the order found (parents first).
    deletes: Vec<(&'static ModelMeta, Vec<Value>)>,
    /// `DELETE FROM table WHERE column IN (keys)` for tables nothing depends on.
    fast: Vec<(Dependent, Vec<Value>)>,
    /// `UPDATE table SET column = NULL WHERE column IN (keys)`.
    nulls: Vec<(Dependent, Vec<Value>)>,
    /// Rows a `restrict` key protects unless they are deleted too.
    restricted: Vec<(Dependent, &'static ModelMeta, Vec<Value>)>,
    seen: HashSet<(&'static str, super::prefetch::Key)>,
}

/// Deletes the rows of `meta` with keys `pks` and everything that depends on them,
/// inside the caller's transaction; returns Django's counts.
pub(crate) fn delete_collected(db: &Db, meta: &'static ModelMeta, pks: Vec<Value>) -> Result<DeleteCount> {
    let mut plan = Plan::default();
    collect(db, meta, pks, &mut plan)?;
    for (dep, parent, keys) in &plan.restricted {
        // The restricted rows may go if this delete removes them anyway, collected or
        // fast-deleted (Django clears them from both the same way).
        let mut deleted: HashSet<_> = plan
            .deletes
            .iter()
            .filter(|(m, _)| dep.meta.is_some_and(|d| same(m, d)))
            .flat_map(|(_, ks)| ks.iter().filter_map(super::prefetch::Key::of))
            .collect();
        for (fast, parents) in plan.fast.iter().filter(|(f, _)| f.meta.is_some() && f.table == dep.table) {
            deleted.extend(select_keys(db, fast, parents)?.iter().filter_map(super::prefetch::Key::of));
        }
        let blocking = select_keys(db, dep, keys)?;
        if blocking.iter().any(|k| super::prefetch::Key::of(k).is_some_and(|k| !deleted.contains(&k))) {
            return Err(Error::Restricted { model: parent.name, referenced_by: dep.field.clone() });
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for (dep, keys) in &plan.nulls {
        for chunk in keys.chunks(db.dialect().max_params()) {
            let sql = compile::set_null_in(dep.table, dep.column, chunk, db.dialect());
            db.execute(&sql.text, &sql.params)?;
        }
    }
    for (dep, keys) in &plan.fast {
        let mut n = 0;
        for chunk in keys.chunks(db.dialect().max_params()) {
            let sql = compile::delete_in(dep.table, dep.column, chunk, db.dialect());
            n += db.execute(&sql.text, &sql.params)?;
        }
        if n > 0 {
            total += n;
            *counts.entry(dep.name.clone()).or_default() += n;
        }
    }
    // Children before parents.
    for (model, keys) in plan.deletes.iter().rev() {
        let mut n = 0;
        for chunk in keys.chunks(db.dialect().max_params()) {
            let sql = compile::delete_in(model.table, model.pk_column().name, chunk, db.dialect());
            n += db.execute(&sql.text, &sql.params)?;
        }
        if n > 0 {
            total += n;
            *counts.entry(model.name.to_owned()).or_default() += n;
        }
    }
    Ok((total, counts))
}

fn collect(db: &Db, meta: &'static ModelMeta, pks: Vec<Value>, plan: &mut Plan) -> Result<()> {
    let pks: Vec<Value> = pks
        .into_iter()
        .filter(|pk| super::prefetch::Key::of(pk).is_some_and(|k| plan.seen.insert((meta.table, k))))
        .collect();
    if pks.is_empty() {
        return Ok(());
    }
    plan.deletes.push((meta, pks.clone()));
    for dep in dependents(db, meta) {
        match dep.on_delete {
            OnDelete::DoNothing => {}
            OnDelete::SetNull => plan.nulls.push((dep, pks.clone())),
            OnDelete::Protect => {
                if !select_keys(db, &dep, &pks)?.is_empty() {
                    return Err(Error::Protected { model: meta.name, referenced_by: dep.field });
                }
            }
            OnDelete::Restrict => plan.restricted.push((dep, meta, pks.clone())),
            OnDelete::Cascade => match dep.meta {
                Some(child) if !is_standalone(db, child) => {
                    let child_pks = select_keys(db, &dep, &pks)?;
                    collect(db, child, child_pks, plan)?;
                }
                _ => plan.fast.push((dep, pks.clone())),
            },
        }
    }
    Ok(())
}

/// The keys of the rows of `dep` pointing at `parents`.
fn select_keys(db: &Db, dep: &Dependent, parents: &[Value]) -> Result<Vec<Value>> {
    let Some(meta) = dep.meta else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for chunk in parents.chunks(db.dialect().max_params()) {
        let sql = compile::select_in(dep.table, meta.pk_column().name, dep.column, chunk, db.dialect());
        out.extend(db.fetch(&sql.text, &sql.params, crate::backend::FirstColumn)?);
    }
    Ok(out)
}
