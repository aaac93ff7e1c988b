//! The loaders: `select_related` decoding (one JOIN query) and `prefetch_related`
//! (one query per relation level, keys bound as one JSON array so that the statement
//! is the same whatever their number), and the ManyToMany writes.

use super::fields::m2m_through;
use super::{AnyModel, Loaded, RelationKind, RelationMeta};
use crate::hash::IntMap;
use crate::model::{Model, ModelMeta, Path};
use crate::query::compile::{self, Link};
use crate::query::{Cond, ExprNode, Query, Q};
use crate::types::Value;
use crate::{Db, Error, Result};
use std::any::Any;
use std::cell::RefCell;
use std::hash::Hasher;
use std::sync::Arc;

/// How to decode the `select_related` models of a row: one step a related model, a
/// parent before its children.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct RelatedPlan {
    steps: Vec<RelatedStep>,
    /// With one ForeignKey step: the instances decoded so far, by integer key, so that
    /// rows pointing at the same row share one instance (see [`RelatedPlan::sharing`]).
    seen: Option<RefCell<Seen>>,
}

/// An identity map for one query's select_related instances. It switches itself off
/// when few rows share a related row, where it would only cost a lookup per row.
#[derive(Debug, Default)]
struct Seen {
    instances: IntMap<i64, Arc<dyn Any + Send + Sync>>,
    hits: usize,
    misses: usize,
    off: bool,
}

impl Seen {
    /// Lookups after which a map that rarely hits is dropped.
    const TRIAL: usize = 512;
}

#[derive(Debug)]
struct RelatedStep {
    /// The step whose instance holds this relation; `None`: the row's own model.
    parent: Option<usize>,
    relation: usize,
    meta: &'static ModelMeta,
    offset: usize,
    /// A ForeignKey with no further select_related below it.
    leaf_foreign_key: bool,
}

impl RelatedPlan {
    /// The plan for `paths` (sorted, every prefix present) under `root`.
    pub(crate) fn new(root: &'static ModelMeta, paths: &[Path]) -> Self {
        let mut steps: Vec<RelatedStep> = Vec::with_capacity(paths.len());
        let mut offset = root.columns.len();
        for path in paths {
            let hops = path.hops();
            let parent =
                if hops.len() > 1 { paths.iter().position(|p| p.hops() == &hops[..hops.len() - 1]) } else { None };
            let relation = *path.relations(root).last().expect("a related path");
            let meta = (relation.target)();
            let leaf = !paths.iter().any(|p| p.hops().len() > hops.len() && p.hops().starts_with(hops));
            let leaf_foreign_key = leaf && matches!(relation.kind, RelationKind::ForeignKey { .. });
            steps.push(RelatedStep {
                parent,
                relation: usize::from(hops[hops.len() - 1]),
                meta,
                offset,
                leaf_foreign_key,
            });
            offset += meta.columns.len();
        }
        RelatedPlan { steps, seen: None }
    }

    /// Lets rows that point at the same related row (by an integer key) share one
    /// decoded instance, as a prefetch does: the instances are immutable behind the
    /// `ForeignKey`, so this changes no result, and it saves decoding a row once per
    /// pointing row. Used by `all()`; a streaming `iter()` does not keep instances.
    ///
    /// `below` tells whether relations are prefetched below the related rows: their
    /// instances are then changed after decoding, so each row keeps its own.
    pub(crate) fn sharing(mut self, below: bool) -> Self {
        if let [step] = self.steps.as_slice() {
            if step.leaf_foreign_key && !below {
                self.seen = Some(RefCell::new(Seen::default()));
            }
        }
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The number of columns the related models add to each row.
    pub(crate) fn width(&self) -> usize {
        self.steps.iter().map(|s| s.meta.columns.len()).sum()
    }

    /// Decodes the related models of `row` and attaches them to `root`, deepest first
    /// so that no shared instance needs changing. A LEFT JOIN that found nothing
    /// (a NULL key) gives `None`.
    pub(crate) fn attach(&self, row: &rusqlite::Row<'_>, root: &mut dyn AnyModel) -> Result<()> {
        // The common case, one ForeignKey: decode straight into the shared instance.
        if let [step] = self.steps.as_slice() {
            if step.leaf_foreign_key {
                let loaded = match (row.get_ref(step.offset + step.meta.pk)?, &self.seen) {
                    (rusqlite::types::ValueRef::Null, _) => None,
                    (rusqlite::types::ValueRef::Integer(key), Some(seen)) => {
                        Some(shared_instance(&mut seen.borrow_mut(), row, step, key)?)
                    }
                    _ => Some((step.meta.decode_shared)(row, step.offset)?),
                };
                return root.set_related(step.relation, Loaded::Shared(loaded));
            }
        }
        let mut objects: Vec<Option<Box<dyn AnyModel>>> = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let parent_present = step.parent.is_none_or(|p| objects[p].is_some());
            let present = parent_present && self.present(row, step)?;
            objects.push(if present { Some((step.meta.decode)(row, step.offset)?) } else { None });
        }
        for (i, step) in self.steps.iter().enumerate().rev() {
            let object = objects[i].take();
            match step.parent {
                None => root.set_related(step.relation, Loaded::One(object))?,
                Some(p) => {
                    if let Some(parent) = objects[p].as_mut() {
                        parent.set_related(step.relation, Loaded::One(object))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether the LEFT JOIN of `step` found a row (its key is not NULL).
    fn present(&self, row: &rusqlite::Row<'_>, step: &RelatedStep) -> Result<bool> {
        Ok(!matches!(row.get_ref(step.offset + step.meta.pk)?, rusqlite::types::ValueRef::Null))
    }
}

/// The instance of `step` with key `key`: the one an earlier row decoded, or decoded
/// from `row` (and remembered while the map is worth its lookups).
fn shared_instance(
    seen: &mut Seen,
    row: &rusqlite::Row<'_>,
    step: &RelatedStep,
    key: i64,
) -> Result<Arc<dyn Any + Send + Sync>> {
    if let Some(instance) = seen.instances.get(&key) {
        let instance = Arc::clone(instance);
        seen.hits += 1;
        return Ok(instance);
    }
    let instance = (step.meta.decode_shared)(row, step.offset)?;
    if !seen.off {
        seen.misses += 1;
        if seen.misses + seen.hits >= Seen::TRIAL && seen.hits < seen.misses {
            // Mostly distinct related rows: stop paying for the map.
            *seen = Seen { off: true, ..Seen::default() };
        } else {
            seen.instances.insert(key, Arc::clone(&instance));
        }
    }
    Ok(instance)
}

/// A key as a hash map key: the values a primary key can hold. Text and blobs carry
/// their hash, computed once by std's randomly keyed SipHash (their values may come
/// from users), so that every key hashes as one word in a [`KeyMap`].
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Integer(i64),
    Bytes(u64, Vec<u8>),
    Real(u64),
}

impl Key {
    pub(crate) fn of(value: &Value) -> Option<Key> {
        match value {
            Value::Null => None,
            Value::Integer(i) => Some(Key::Integer(*i)),
            Value::Text(t) => Some(Key::bytes(t.as_bytes())),
            Value::Blob(b) => Some(Key::bytes(b)),
            Value::Real(r) => Some(Key::Real(r.to_bits())),
        }
    }

    fn of_ref(value: rusqlite::types::ValueRef<'_>) -> Option<Key> {
        use rusqlite::types::ValueRef as R;
        match value {
            R::Null => None,
            R::Integer(i) => Some(Key::Integer(i)),
            R::Text(t) | R::Blob(t) => Some(Key::bytes(t)),
            R::Real(r) => Some(Key::Real(r.to_bits())),
        }
    }

    fn bytes(bytes: &[u8]) -> Key {
        use std::hash::BuildHasher;
        static STATE: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
        Key::Bytes(STATE.get_or_init(Default::default).hash_one(bytes), bytes.to_vec())
    }
}

impl std::hash::Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Key::Integer(i) => state.write_i64(*i),
            Key::Real(bits) => state.write_u64(*bits),
            Key::Bytes(hash, _) => state.write_u64(*hash),
        }
    }
}

/// A map keyed by parent keys: one multiplication per key (see [`Key`]).
pub(crate) type KeyMap<V> = IntMap<Key, V>;

/// One `prefetch_related` path, with the QuerySet of `prefetch_with` for its last
/// relation.
#[derive(Debug, Clone)]
pub(crate) struct PrefetchSpec {
    pub(crate) path: Path,
    pub(crate) query: Option<Box<Query>>,
}

/// The prefetch paths as a tree: paths sharing a prefix share its query.
#[doc(hidden)]
#[derive(Debug)]
pub struct PrefetchNode {
    relation: usize,
    query: Option<Query>,
    children: Vec<PrefetchNode>,
}

fn build_tree(specs: &[PrefetchSpec]) -> Result<Vec<PrefetchNode>> {
    let mut roots: Vec<PrefetchNode> = Vec::new();
    for spec in specs {
        let hops = spec.path.hops();
        let mut level = &mut roots;
        for (i, &hop) in hops.iter().enumerate() {
            let relation = usize::from(hop);
            let index = match level.iter().position(|n| n.relation == relation) {
                Some(index) => index,
                None => {
                    level.push(PrefetchNode { relation, query: None, children: Vec::new() });
                    level.len() - 1
                }
            };
            if i == hops.len() - 1 {
                if let Some(query) = &spec.query {
                    if level[index].query.is_some() {
                        return Err(Error::InvalidQuery {
                            message: "a prefetch path was given two different querysets (Django: 'lookup was already seen with a different queryset')",
                        });
                    }
                    level[index].query = Some((**query).clone());
                }
            }
            level = &mut level[index].children;
        }
    }
    Ok(roots)
}

/// Runs every prefetch of a query over its fetched instances: one query per node of
/// the tree, none when there is no parent row.
pub(crate) fn prefetch(
    db: &Db,
    meta: &'static ModelMeta,
    parents: &mut [&mut dyn AnyModel],
    specs: &[PrefetchSpec],
) -> Result<()> {
    for node in build_tree(specs)? {
        run_node(db, meta, parents, &node)?;
    }
    Ok(())
}

fn run_node(db: &Db, meta: &'static ModelMeta, parents: &mut [&mut dyn AnyModel], node: &PrefetchNode) -> Result<()> {
    let relation = &meta.relations[node.relation];
    let target = (relation.target)();
    // Django: a level that select_related loaded already is not fetched again; the
    // prefetches below it run on the instances it holds.
    if !relation.is_many() && parents.iter_mut().all(|p| p.related_one(node.relation).is_some()) {
        let mut loaded: Vec<&mut dyn AnyModel> =
            parents.iter_mut().filter_map(|p| p.related_one(node.relation)?).collect();
        for child in &node.children {
            run_node(db, target, &mut loaded, child)?;
        }
        return Ok(());
    }
    // The key each parent is matched on; each distinct key once for the query, and
    // how many parents have it.
    let mut parent_keys: Vec<Option<Key>> = Vec::with_capacity(parents.len());
    let mut counts: KeyMap<usize> = KeyMap::with_capacity_and_hasher(parents.len(), Default::default());
    let mut keys: Vec<Value> = Vec::with_capacity(parents.len());
    let mut repeated = false;
    for p in parents.iter() {
        let value = match &relation.kind {
            RelationKind::ForeignKey { column, .. } => p.column_value(*column),
            _ => p.pk_value(),
        };
        let key = Key::of(&value);
        if let Some(k) = &key {
            let count = counts.entry(k.clone()).or_default();
            if *count == 0 {
                keys.push(value);
            }
            repeated |= *count > 0;
            *count += 1;
        }
        parent_keys.push(key);
    }
    let foreign_key = matches!(relation.kind, RelationKind::ForeignKey { .. });
    let mut children = if keys.is_empty() {
        None
    } else {
        let link = link_for(relation, target)?;
        let mut query = node.query.clone().unwrap_or_else(|| Query::new(target));
        query.link = Some(Link { keys, ..link });
        Some((target.fetch_children)(db, &query, &node.children, foreign_key)?)
    };
    for (p, key) in parents.iter_mut().zip(parent_keys) {
        let loaded = match (&mut children, key) {
            (Some(c), Some(k)) if foreign_key => Loaded::Shared(c.shared(&k)),
            (Some(c), Some(k)) => {
                // A parent may appear more than once (a multi-valued join repeats
                // rows): each copy gets its own copy of the children.
                let last = !repeated || {
                    let left = counts.get_mut(&k).expect("counted above");
                    *left -= 1;
                    *left == 0
                };
                c.take(&k, last)?
            }
            _ if foreign_key => Loaded::Shared(None),
            _ => Loaded::Many(Vec::new()),
        };
        p.set_related(node.relation, loaded)?;
    }
    Ok(())
}

/// How the children of a relation are matched to their parents' keys.
fn link_for(relation: &'static RelationMeta, target: &'static ModelMeta) -> Result<Link> {
    Ok(match &relation.kind {
        RelationKind::ForeignKey { .. } => Link { through: None, column: target.pk_column().name, keys: Vec::new() },
        RelationKind::Reverse { forward } => match forward().kind {
            RelationKind::ForeignKey { column, .. } => {
                Link { through: None, column: target.columns[column].name, keys: Vec::new() }
            }
            _ => return Err(bad_reverse()),
        },
        RelationKind::ManyToMany { .. } | RelationKind::ReverseManyToMany { .. } => {
            let (through, reverse) = m2m_through(relation).ok_or_else(bad_reverse)?;
            let (near, far) = if reverse { (through.source, through.target) } else { (through.target, through.source) };
            Link { through: Some((through.table, near)), column: far, keys: Vec::new() }
        }
    })
}

fn bad_reverse() -> Error {
    Error::InvalidQuery { message: "a reverse relation does not name a relation of the matching kind" }
}

/// The children a prefetch level fetched, grouped by the key of their parent, typed.
#[doc(hidden)]
pub trait Children {
    /// The children of `key`, moved out when `last` (no other parent has that key),
    /// else copied.
    fn take(&mut self, key: &Key, last: bool) -> Result<Loaded>;
    /// The one child of `key`, shared (a forward ForeignKey).
    fn shared(&self, key: &Key) -> Option<Arc<dyn Any + Send + Sync>>;
}

/// A prefetch level's rows by parent key: each parent's rows, or (a forward
/// ForeignKey) the one row every parent with that key shares.
enum Grouped<M> {
    Many(KeyMap<Vec<M>>),
    Shared(KeyMap<Arc<super::Aligned<M>>>),
}

impl<M: Model> Children for Grouped<M> {
    fn take(&mut self, key: &Key, last: bool) -> Result<Loaded> {
        let Grouped::Many(groups) = self else { return Err(super::wrong_type::<M>()) };
        let rows = if last {
            groups.remove(key).unwrap_or_default()
        } else {
            match groups.get(key) {
                None => Vec::new(),
                Some(rows) => rows
                    .iter()
                    .map(|r| {
                        r.__clone_boxed().map(|b| crate::relations::downcast::<M>(b)).ok_or(Error::InvalidQuery {
                            message: "prefetch_related over repeated parent rows (a multi-valued join without distinct()) needs the related model to implement Clone",
                        })?
                    })
                    .collect::<Result<_>>()?,
            }
        };
        Ok(Loaded::Typed(Box::new(super::Aligned(rows))))
    }

    fn shared(&self, key: &Key) -> Option<Arc<dyn Any + Send + Sync>> {
        match self {
            Grouped::Shared(shared) => shared.get(key).map(|m| m.clone() as Arc<dyn Any + Send + Sync>),
            Grouped::Many(_) => None,
        }
    }
}

/// Runs a prefetch level's query for model `M`: decodes its rows typed (with their
/// own select_related), runs the prefetches below them, and groups them by parent key.
#[doc(hidden)]
pub fn fetch_children<M: Model>(
    db: &Db,
    query: &Query,
    nodes: &[PrefetchNode],
    shared: bool,
) -> Result<Box<dyn Children>> {
    query.check_ordered()?;
    // Rows go straight into their parent's group as they are decoded.
    let mut groups: KeyMap<Vec<M>> = KeyMap::default();
    let mut count = 0;
    if !query.is_empty() {
        let below = nodes.iter().any(|n| query.select_related.iter().any(|p| p.hops() == [n.relation as u8]))
            || query.prefetch_follows_select_related();
        let plan = RelatedPlan::new(M::META, &query.select_related).sharing(below);
        // The link column: one of the model's own (a reverse ForeignKey), read back
        // from the decoded model, or selected last (a through table's).
        let own_column = match &query.link {
            Some(Link { through: None, column, .. }) => M::META.columns.iter().position(|c| c.name == *column),
            _ => None,
        };
        let last_column = M::META.columns.len() + plan.width();
        let sql = compile::select(query, compile::Columns::Model);
        count = db.fetch_each(&sql.text, &sql.params, |row| {
            let mut model = M::__from_row(row, 0)?;
            if !plan.is_empty() {
                plan.attach(row, &mut model)?;
            }
            let key = match own_column {
                Some(column) => Key::of(&model.__value_of(column)),
                None => Key::of_ref(row.get_ref(last_column)?),
            };
            if let Some(key) = key {
                groups.entry(key).or_default().push(model);
            }
            Ok(())
        })?;
    }
    for rows in groups.values_mut() {
        rows.shrink_to_fit();
    }
    if count > 0 && (!query.prefetch.is_empty() || !nodes.is_empty()) {
        let mut refs: Vec<&mut dyn AnyModel> =
            groups.values_mut().flat_map(|rows| rows.iter_mut()).map(|m| m as &mut dyn AnyModel).collect();
        if !query.prefetch.is_empty() {
            prefetch(db, M::META, &mut refs, &query.prefetch)?;
        }
        for node in nodes {
            run_node(db, M::META, &mut refs, node)?;
        }
    }
    let grouped = if shared {
        // A forward ForeignKey: one row per key (the target's primary key).
        Grouped::Shared(
            groups
                .into_iter()
                .filter_map(|(key, mut rows)| Some((key, Arc::new(super::Aligned(rows.pop()?)))))
                .collect(),
        )
    } else {
        Grouped::Many(groups)
    };
    Ok(Box::new(grouped))
}

/// The condition "related to the row with key `key` through `relation`", for
/// `HasMany::objects()` and friends.
pub(crate) fn related_condition(relation: &'static RelationMeta, key: &Value) -> Q {
    let target = (relation.target)();
    let column = |index: usize| ExprNode::Column { meta: target, column: index as u16, path: Path::ROOT };
    let cond = match &relation.kind {
        RelationKind::ForeignKey { .. } => Cond::In(column(target.pk), vec![ExprNode::Value(key.clone())]),
        RelationKind::Reverse { forward } => match forward().kind {
            RelationKind::ForeignKey { column: c, .. } => {
                Cond::Compare(crate::query::expr::CmpOp::Eq, column(c), ExprNode::Value(key.clone()))
            }
            _ => Cond::Nothing,
        },
        RelationKind::ManyToMany { .. } | RelationKind::ReverseManyToMany { .. } => match m2m_through(relation) {
            Some((through, reverse)) => {
                let (near, far) =
                    if reverse { (through.source, through.target) } else { (through.target, through.source) };
                Cond::InSubquery {
                    lhs: column(target.pk),
                    table: through.table,
                    select: near,
                    column: far,
                    value: key.clone(),
                }
            }
            None => Cond::Nothing,
        },
    };
    Q(cond)
}

fn through_of(relation: &'static RelationMeta) -> Result<(&'static str, &'static str, &'static str)> {
    let (through, reverse) = m2m_through(relation).ok_or_else(bad_reverse)?;
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
        for chunk in targets.chunks(compile::MAX_PARAMS / 2) {
            let params: Vec<Value> = chunk.iter().flat_map(|t| [owner.clone(), t.clone()]).collect();
            db.execute(&compile::insert_pairs(table, own, other, chunk.len()), &params)?;
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
            db.execute(&compile::delete_pairs(table, own, other, None, false), std::slice::from_ref(owner))
        }),
        Some(targets) => db.atomic_inner(false, |db| delete_links(db, (table, own, other), owner, targets)),
    }
}

/// Deletes the links from `owner` to `targets`, one statement per batch.
fn delete_links(db: &Db, (table, own, other): (&str, &str, &str), owner: &Value, targets: &[Value]) -> Result<usize> {
    let mut n = 0;
    for chunk in targets.chunks(compile::MAX_PARAMS - 1) {
        let sql = compile::delete_pairs(table, own, other, Some(chunk.len()), false);
        let mut params = Vec::with_capacity(chunk.len() + 1);
        params.push(owner.clone());
        params.extend(chunk.iter().cloned());
        n += db.execute(&sql, &params)?;
    }
    Ok(n)
}

/// Makes `targets` exactly the rows `owner` links to, as Django's `set()` does: the
/// current links are read (one SELECT), the others deleted and the missing added, in
/// one transaction; an unchanged set sends only the SELECT.
pub(crate) fn m2m_set(db: &Db, relation: &'static RelationMeta, owner: &Value, targets: &[Value]) -> Result<()> {
    let (table, own, other) = through_of(relation)?;
    db.atomic_inner(false, |db| {
        let linked = db.fetch(&compile::select_in(table, other, own, 1), std::slice::from_ref(owner), |row| {
            Ok(Value::from_ref(row.get_ref(0)?))
        })?;
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
