//! Paths from a query's model through relations to another model.

use super::{ModelMeta, RelationMeta};

/// How many relations a path may follow.
pub const MAX_PATH_DEPTH: usize = 10;

/// A path from a query's model through relations to another model. The empty path
/// is the query's own model. `scope` tells apart the joins of separate `filter` calls
/// along many-valued relations (Django's "spanning multi-valued relationships").
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Path {
    len: u8,
    hops: [u8; MAX_PATH_DEPTH],
    scope: u16,
}

impl Path {
    /// The query's own model.
    pub const ROOT: Path = Path { len: 0, hops: [0; MAX_PATH_DEPTH], scope: 0 };

    /// Whether this is the query's own model.
    pub fn is_root(&self) -> bool {
        self.len == 0
    }

    /// The relation indexes along the path.
    pub fn hops(&self) -> &[u8] {
        &self.hops[..usize::from(self.len).min(MAX_PATH_DEPTH)]
    }

    /// Whether the path is longer than [`MAX_PATH_DEPTH`] (the query then fails with
    /// `Error::InvalidQuery`).
    pub fn is_too_long(&self) -> bool {
        usize::from(self.len) > MAX_PATH_DEPTH
    }

    /// The path one relation further.
    pub fn join(self, relation: usize) -> Path {
        let mut next = self;
        if usize::from(self.len) < MAX_PATH_DEPTH {
            next.hops[usize::from(self.len)] = relation as u8;
        }
        next.len = self.len.saturating_add(1);
        next
    }

    /// The first `n` hops.
    pub fn prefix(&self, n: usize) -> Path {
        let mut p = Path::ROOT;
        for &h in &self.hops()[..n] {
            p = p.join(usize::from(h));
        }
        p.scope = self.scope;
        p
    }

    pub(crate) fn scope(&self) -> u16 {
        self.scope
    }

    pub(crate) fn with_scope(mut self, scope: u16) -> Path {
        self.scope = scope;
        self
    }

    /// The relations along the path, starting from `root`.
    pub(crate) fn relations(&self, root: &'static ModelMeta) -> Vec<&'static RelationMeta> {
        let mut meta = root;
        let mut out = Vec::with_capacity(self.hops().len());
        for &h in self.hops() {
            let rel = &meta.relations[usize::from(h)];
            meta = (rel.target)();
            out.push(rel);
        }
        out
    }
}
