//! `prefetch_related`: one query per relation level, the rows decoded typed and
//! grouped by their parents' keys; and the ManyToMany writes.

use crate::ast::{CmpOp, Cond, ExprNode, Link, PrefetchSpec, Query};
use crate::backend::{RowRead, RowSink};
use crate::dsl::Q;
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::hash::IntMap;
use crate::meta::{m2m_through, ModelMeta, Path, PrefetchCall, RelationKind, RelationMeta};
use crate::model::{Aligned, AnyModel, Loaded, Model, RelatedPlan};
use crate::sql as compile;
use crate::value::{date_text, timestamp_text, uuid_text, Value, ValueRef};
use std::any::Any;
use std::hash::Hasher;
use std::sync::Arc;

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
    /// The key of a value as SQLite returns it: every integer width as one integer,
    /// dates, timestamps, decimals, UUIDs and JSON as their stored text, so that a key
    /// from a model and the same key read from a row compare equal.
    pub(crate) fn of(value: &Value) -> Option<Key> {
        Some(match value {
            Value::Null | Value::Array(_) => return None,
            Value::Int16(_) | Value::Int32(_) | Value::Integer(_) | Value::Bool(_) => {
                Key::Integer(value.as_i64().expect("an integer"))
            }
            Value::Real(r) => Key::Real(r.to_bits()),
            Value::Float32(r) => Key::Real(f64::from(*r).to_bits()),
            Value::Text(t) | Value::Decimal(t) | Value::Json(t) => Key::bytes(t.as_bytes()),
            Value::Blob(b) => Key::bytes(b),
            Value::Date(d) => Key::bytes(date_text(*d).as_bytes()),
            Value::Timestamp(t) | Value::TimestampTz(t) => Key::bytes(timestamp_text(*t).as_bytes()),
            Value::Uuid(u) => Key::bytes(uuid_text(u).as_bytes()),
        })
    }

    fn of_ref(value: ValueRef<'_>) -> Option<Key> {
        match value {
            ValueRef::Null => None,
            ValueRef::Integer(i) => Some(Key::Integer(i)),
            ValueRef::Bool(b) => Some(Key::Integer(i64::from(b))),
            ValueRef::Real(r) => Some(Key::Real(r.to_bits())),
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(Key::bytes(t)),
            other => Key::of(&Value::from_ref(other)),
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
        Some(run_level(db, target, &query, &node.children, foreign_key)?)
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

/// Runs a level through its model's typed runner (`ModelMeta::prefetch`).
fn run_level(
    db: &Db,
    target: &'static ModelMeta,
    query: &Query,
    nodes: &Vec<PrefetchNode>,
    shared: bool,
) -> Result<Box<dyn Children>> {
    let mut call = PrefetchCall { db, query, nodes, shared, answer: None };
    (target.prefetch)(&mut call)?;
    call.answer
        .and_then(|a| a.downcast::<Box<dyn Children>>().ok())
        .map(|b| *b)
        .ok_or(Error::InvalidQuery { message: "a prefetch level gave no rows; this is a bug in orm" })
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

pub(crate) fn bad_reverse() -> Error {
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
    Shared(KeyMap<Arc<Aligned<M>>>),
}

impl<M: Model> Children for Grouped<M> {
    fn take(&mut self, key: &Key, last: bool) -> Result<Loaded> {
        let Grouped::Many(groups) = self else { return Err(crate::model::wrong_type::<M>()) };
        let rows = if last {
            groups.remove(key).unwrap_or_default()
        } else {
            match groups.get(key) {
                None => Vec::new(),
                Some(rows) => rows
                    .iter()
                    .map(|r| {
                        r.__clone_boxed().map(|b| crate::model::downcast::<M>(b)).ok_or(Error::InvalidQuery {
                            message: "prefetch_related over repeated parent rows (a multi-valued join without distinct()) needs the related model to implement Clone",
                        })?
                    })
                    .collect::<Result<_>>()?,
            }
        };
        Ok(Loaded::Typed(Box::new(Aligned(rows))))
    }

    fn shared(&self, key: &Key) -> Option<Arc<dyn Any + Send + Sync>> {
        match self {
            Grouped::Shared(shared) => shared.get(key).map(|m| m.clone() as Arc<dyn Any + Send + Sync>),
            Grouped::Many(_) => None,
        }
    }
}

/// Decodes each row of a prefetch level into its parent's group.
struct GroupRows<'a, M> {
    plan: &'a RelatedPlan,
    /// The model's column holding the parent's key, or `None`: the column after the
    /// model's (and its select_related models'), from a through table.
    own_column: Option<usize>,
    last_column: usize,
    groups: &'a mut KeyMap<Vec<M>>,
}

impl<M: Model> RowSink for GroupRows<'_, M> {
    #[inline]
    fn row<R: RowRead>(&mut self, row: &R) -> Result<()> {
        let mut model = M::__decode(row, 0)?;
        if !self.plan.is_empty() {
            self.plan.attach(row, &mut model)?;
        }
        let key = match self.own_column {
            Some(column) => Key::of(&model.__value_of(column)),
            None => Key::of_ref(row.value(self.last_column)?),
        };
        if let Some(key) = key {
            self.groups.entry(key).or_default().push(model);
        }
        Ok(())
    }
}

/// The prefetch runner of model `M`, as its `ModelMeta` holds it.
#[doc(hidden)]
pub fn prefetch_level<M: Model>(call: &mut PrefetchCall<'_>) -> Result<()> {
    let erased =
        || Error::InvalidQuery { message: "a prefetch level was called with the wrong types; this is a bug in orm" };
    let db = call.db.downcast_ref::<Db>().ok_or_else(erased)?;
    let query = call.query.downcast_ref::<Query>().ok_or_else(erased)?;
    let nodes = call.nodes.downcast_ref::<Vec<PrefetchNode>>().ok_or_else(erased)?;
    let children: Box<dyn Children> = fetch_children::<M>(db, query, nodes, call.shared)?;
    call.answer = Some(Box::new(children));
    Ok(())
}

/// Runs a prefetch level's query for model `M`: decodes its rows typed (with their
/// own select_related), runs the prefetches below them, and groups them by parent key.
fn fetch_children<M: Model>(db: &Db, query: &Query, nodes: &[PrefetchNode], shared: bool) -> Result<Box<dyn Children>> {
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
        let sql = compile::select(query, compile::Columns::Model, db.dialect());
        let mut sink = GroupRows { plan: &plan, own_column, last_column, groups: &mut groups };
        count = db.query(&sql.text, &sql.params, &mut sink)?;
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
            groups.into_iter().filter_map(|(key, mut rows)| Some((key, Arc::new(Aligned(rows.pop()?))))).collect(),
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
                Cond::Compare(CmpOp::Eq, column(c), ExprNode::Value(key.clone()))
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
