//! Ordering terms as `order_by` closures give them: field terms, relation terms, and
//! the collector that resolves a relation's ordering against the QuerySet's model.

use super::expr::IntoOrdering;
use crate::ast::{relation_ordering, OrderBy};
use crate::meta::{ModelMeta, Path};

/// The terms an `order_by` closure gives, collected against the QuerySet's model
/// (needed to resolve a relation's ordering), with the first error met.
#[doc(hidden)]
#[derive(Debug)]
pub struct OrderTerms {
    pub(crate) root: &'static ModelMeta,
    pub(crate) terms: Vec<OrderBy>,
    pub(crate) error: Option<&'static str>,
}

impl OrderTerms {
    pub(crate) fn new(root: &'static ModelMeta) -> Self {
        OrderTerms { root, terms: Vec::new(), error: None }
    }

    pub(crate) fn push(&mut self, term: OrderBy) {
        self.terms.push(term);
    }

    /// Ordering by the relation `path` ends with, whose model is `meta`.
    #[doc(hidden)]
    pub fn relation(&mut self, meta: &'static ModelMeta, path: Path, desc: bool) {
        if let Err(err) = relation_ordering(meta, Some(self.root), path, desc, &mut self.terms) {
            self.error.get_or_insert(err);
        }
    }
}

/// Ordering by a relation in a direction: `b.author().desc()` (Django's
/// `order_by("-author")`), every term of the related model's ordering reversed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelationOrder {
    pub(crate) meta: &'static ModelMeta,
    pub(crate) path: Path,
    pub(crate) desc: bool,
}

impl IntoOrdering for RelationOrder {
    fn push_terms(self, out: &mut OrderTerms) {
        out.relation(self.meta, self.path, self.desc);
    }
}
