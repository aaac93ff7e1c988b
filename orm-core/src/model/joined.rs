//! `select_related`: the related models of each row, decoded from the same row (one
//! JOIN query) into the relation fields.
//!
//! Decoding is typed all the way: the row's model hands each of its related steps to
//! the field's own `load_row` (generated `Model::__load_related`, a `match` on the
//! relation), which decodes the related model with its generated decoder,
//! instantiated for the backend's row type. No function pointer, `dyn` or box per row.

use super::{Aligned, Model};
use crate::backend::RowRead;
use crate::error::Result;
use crate::hash::IntMap;
use crate::meta::{ModelMeta, Path};
use crate::value::ValueRef;
use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;

/// How to decode the `select_related` models of a row: one step a related model, a
/// parent before its children.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct RelatedPlan {
    steps: Vec<RelatedStep>,
    /// The steps of the row's own model's relations.
    roots: Vec<usize>,
}

#[derive(Debug)]
struct RelatedStep {
    /// The relation's index among its owner's relations.
    relation: usize,
    /// The related model's first column in the row.
    offset: usize,
    meta: &'static ModelMeta,
    /// The steps of the related model's own relations.
    children: Vec<usize>,
    /// Rows pointing at the same related row share one instance (see
    /// [`RelatedPlan::sharing`]).
    seen: Option<RefCell<Seen>>,
}

/// An identity map for one step's instances, by integer key. It switches itself off
/// when few rows share a related row, where it would only cost a lookup per row.
#[derive(Debug, Default)]
struct Seen {
    /// `IntMap<i64, Arc<Aligned<M>>>` for the step's model `M`, made at the first row.
    instances: Option<Box<dyn Any + Send>>,
    hits: usize,
    misses: usize,
    off: bool,
}

impl Seen {
    /// Lookups after which a map that rarely hits is dropped.
    const TRIAL: usize = 512;
}

type Shared<M> = IntMap<i64, Arc<Aligned<M>>>;

impl RelatedPlan {
    /// The plan for `paths` (sorted, every prefix present) under `root`.
    pub(crate) fn new(root: &'static ModelMeta, paths: &[Path]) -> Self {
        let mut plan = RelatedPlan::default();
        let mut offset = root.columns.len();
        for path in paths {
            let hops = path.hops();
            let relation = *path.relations(root).last().expect("a related path");
            let meta = (relation.target)();
            let index = plan.steps.len();
            match paths.iter().position(|p| p.hops() == &hops[..hops.len() - 1]) {
                Some(parent) if hops.len() > 1 => plan.steps[parent].children.push(index),
                _ => plan.roots.push(index),
            }
            plan.steps.push(RelatedStep {
                relation: usize::from(hops[hops.len() - 1]),
                offset,
                meta,
                children: Vec::new(),
                seen: None,
            });
            offset += meta.columns.len();
        }
        plan
    }

    /// Lets rows that point at the same related row (by an integer key) share one
    /// decoded instance, as a prefetch does: the instances are immutable behind the
    /// `ForeignKey`, so this changes no result, and it saves decoding a row once per
    /// pointing row. Used by `all()` on a leaf ForeignKey of the row's own model; a
    /// streaming `iter()` does not keep instances.
    ///
    /// `below` tells whether relations are prefetched below the related rows: their
    /// instances are then changed after decoding, so each row keeps its own.
    pub(crate) fn sharing(mut self, below: bool) -> Self {
        if !below {
            for &root in &self.roots {
                let step = &mut self.steps[root];
                if step.children.is_empty() {
                    step.seen = Some(RefCell::new(Seen::default()));
                }
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

    /// Decodes the related models of `row` into `model` (the row's own model).
    #[inline]
    pub(crate) fn attach<M: Model, R: RowRead>(&self, row: &R, model: &mut M) -> Result<()> {
        for &step in &self.roots {
            model.__load_related(self.steps[step].relation, row, self, step)?;
        }
        Ok(())
    }

    /// Decodes the model of `step` from `row`, with its own related models: `None`
    /// when the LEFT JOIN found no row (a NULL key).
    pub(crate) fn decode<M: Model, R: RowRead>(&self, row: &R, step: usize) -> Result<Option<M>> {
        let s = &self.steps[step];
        if matches!(row.value(s.offset + M::META.pk)?, ValueRef::Null) {
            return Ok(None);
        }
        let mut model = M::__decode(row, s.offset)?;
        for &child in &s.children {
            model.__load_related(self.steps[child].relation, row, self, child)?;
        }
        Ok(Some(model))
    }

    /// The shared instance of `step` in `row`, for a ForeignKey: the one an earlier
    /// row decoded when they have the same key, else a new one.
    pub(crate) fn decode_shared<M: Model, R: RowRead>(&self, row: &R, step: usize) -> Result<Option<Arc<Aligned<M>>>> {
        let s = &self.steps[step];
        let key = match row.value(s.offset + M::META.pk)? {
            ValueRef::Null => return Ok(None),
            ValueRef::Integer(key) => Some(key),
            _ => None,
        };
        let Some(seen) = s.seen.as_ref().filter(|_| key.is_some()) else {
            return Ok(self.decode::<M, R>(row, step)?.map(|m| Arc::new(Aligned(m))));
        };
        let key = key.expect("filtered above");
        let mut seen = seen.borrow_mut();
        if !seen.off {
            let instances = seen.instances.get_or_insert_with(|| Box::new(Shared::<M>::default()));
            if let Some(found) = instances.downcast_mut::<Shared<M>>().and_then(|m| m.get(&key)) {
                let found = Arc::clone(found);
                seen.hits += 1;
                return Ok(Some(found));
            }
        }
        let instance = Arc::new(Aligned(M::__decode(row, s.offset)?));
        if !seen.off {
            seen.misses += 1;
            if seen.misses + seen.hits >= Seen::TRIAL && seen.hits < seen.misses {
                // Mostly distinct related rows: stop paying for the map.
                *seen = Seen { off: true, ..Seen::default() };
            } else if let Some(map) = seen.instances.as_mut().and_then(|m| m.downcast_mut::<Shared<M>>()) {
                map.insert(key, Arc::clone(&instance));
            }
        }
        Ok(Some(instance))
    }
}
