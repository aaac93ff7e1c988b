//! Ordering: a query's ORDER BY terms, a model's default ordering (Django's
//! `Meta.ordering`) and ordering by a relation, which follows the related model's own
//! ordering (a ForeignKey there in turn), as Django's `find_ordering_name` does.

use super::expr::{ExprNode as N, OrderBy};
use super::Query;
use crate::meta::{ModelMeta, Path, RelationKind};

/// Django's message when default orderings refer to each other in a loop.
const LOOP: &str = "Infinite loop caused by ordering: the default orderings of these models follow ForeignKeys back to a model already on the way";

impl Query {
    /// Whether any ordering applies (explicit, or the model's default).
    pub(crate) fn is_ordered(&self) -> bool {
        match &self.order {
            Some(terms) => !terms.is_empty(),
            None => !self.meta.ordering.is_empty(),
        }
    }

    /// The ORDER BY terms in effect: explicit, else the model's default (a ForeignKey
    /// in it expanded to the related model's ordering); reversed by `reverse()`.
    pub(crate) fn ordering(&self) -> Vec<OrderBy> {
        let mut terms = match &self.order {
            Some(terms) => terms.clone(),
            None => {
                let mut out = Vec::with_capacity(self.meta.ordering.len());
                // A loop is reported by `check()` before any SQL is built.
                let _ = default_ordering(self.meta, Path::ROOT, false, &mut out, &mut Vec::new());
                out
            }
        };
        if self.reversed {
            for t in &mut terms {
                t.desc = !t.desc;
                t.nulls = t.nulls.map(super::NullsOrder::flipped);
            }
        }
        terms
    }

    /// Whether the model's default ordering loops through ForeignKeys (Django raises
    /// "Infinite loop caused by ordering." when it compiles such a query).
    pub(crate) fn ordering_error(&self) -> Option<&'static str> {
        if self.order.is_some() || !self.meta.ordering.iter().any(|&(c, _)| self.meta.foreign_key_on(c).is_some()) {
            return None;
        }
        default_ordering(self.meta, Path::ROOT, false, &mut Vec::new(), &mut Vec::new()).err()
    }
}

/// The terms of `meta`'s `Meta.ordering` at `path` (each direction flipped when
/// `flip`), a ForeignKey among them expanded into its target's ordering; `on_the_way`
/// holds the relations followed so far, to stop a loop.
fn default_ordering(
    meta: &'static ModelMeta,
    path: Path,
    flip: bool,
    out: &mut Vec<OrderBy>,
    on_the_way: &mut Vec<(&'static str, usize)>,
) -> Result<(), &'static str> {
    for &(column, desc) in meta.ordering {
        let desc = desc != flip;
        match meta.foreign_key_on(column) {
            Some(relation) => {
                if on_the_way.contains(&(meta.table, relation)) {
                    return Err(LOOP);
                }
                on_the_way.push((meta.table, relation));
                foreign_key_ordering(meta, path, relation, desc, out, on_the_way)?;
                on_the_way.pop();
            }
            None => out.push(OrderBy { node: N::Column { meta, column: column as u16, path }, desc, nulls: None }),
        }
    }
    Ok(())
}

/// Ordering by the ForeignKey `relation` of `owner` (at `path`): the target's own
/// ordering through the join, or the key column itself (no join) when the target has
/// none, as Django orders by `note_id`.
fn foreign_key_ordering(
    owner: &'static ModelMeta,
    path: Path,
    relation: usize,
    desc: bool,
    out: &mut Vec<OrderBy>,
    on_the_way: &mut Vec<(&'static str, usize)>,
) -> Result<(), &'static str> {
    let rel = &owner.relations[relation];
    let RelationKind::ForeignKey { column, .. } = rel.kind else { return Ok(()) };
    let target = (rel.target)();
    if target.ordering.is_empty() {
        out.push(OrderBy { node: N::Column { meta: owner, column: column as u16, path }, desc, nulls: None });
        return Ok(());
    }
    let next = path.join(relation);
    if next.is_too_long() {
        return Err(LOOP);
    }
    default_ordering(target, next, desc, out, on_the_way)
}

/// Ordering by the relation that `path` ends with (Django's `order_by("author")`): the
/// related model's default ordering, or its key.
pub(crate) fn relation_ordering(
    meta: &'static ModelMeta,
    root: Option<&'static ModelMeta>,
    path: Path,
    desc: bool,
    out: &mut Vec<OrderBy>,
) -> Result<(), &'static str> {
    let hops = path.hops();
    // A ForeignKey: through its owner, so that a target without ordering is ordered by
    // the key column, without a join.
    if let (Some(root), Some(&last)) = (root, hops.last()) {
        let parent = path.prefix(hops.len() - 1);
        let owner = parent.relations(root).last().map_or(root, |r| (r.target)());
        if matches!(owner.relations[usize::from(last)].kind, RelationKind::ForeignKey { .. }) {
            return foreign_key_ordering(owner, parent, usize::from(last), desc, out, &mut Vec::new());
        }
    }
    if meta.ordering.is_empty() {
        out.extend(pk_order_at(meta, path, desc));
        Ok(())
    } else {
        default_ordering(meta, path, desc, out, &mut Vec::new())
    }
}

/// Every primary key column at `path`, in one direction.
pub(crate) fn pk_order_at(meta: &'static ModelMeta, path: Path, desc: bool) -> impl Iterator<Item = OrderBy> {
    meta.pk_columns.iter().map(move |&c| OrderBy {
        node: N::Column { meta, column: c as u16, path },
        desc,
        nulls: None,
    })
}
