//! The join planner: turns relation paths into table aliases and JOIN clauses with
//! Django's rules.
//!
//! - A join a top-level condition requires (a lookup in a positive conjunct, not under
//!   `|` or `!`, and not `is_null(true)`) is INNER; so is a join along a non-null
//!   ForeignKey whose parent is INNER. Anything else is LEFT OUTER, and so is every
//!   join below a LEFT OUTER one.
//! - Joins along single-valued relations are shared by the whole query. Joins along a
//!   many-valued relation belong to the `filter` call that made them, so that separate
//!   `filter` calls may match different related rows ([`Reuse::Scope`]). An
//!   annotation reuses the latest join of a `filter` made before it, and never one
//!   made after it ([`Reuse::UpTo`]: Django's "order of annotate() and filter()").
//!   Ordering, values and `select_related` reuse the latest join of the same path
//!   ([`Reuse::Latest`]).

use crate::meta::{JoinStep, ModelMeta, Path, RelationMeta};
use std::borrow::Cow;

/// One relation followed: one or two tables (a ManyToMany adds its through table).
#[derive(Debug)]
pub(crate) struct JoinNode {
    hops: Vec<u8>,
    scope: u16,
    parent: Option<usize>,
    relation: &'static RelationMeta,
    steps: Vec<(String, JoinStep)>,
    required: bool,
}

/// Which existing join along a many-valued relation a path may reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reuse {
    /// Only the join of the path's own `filter` call (its scope); else a new one.
    Scope,
    /// The latest join whose scope is at most this one (an annotation made after that
    /// many `filter` calls); else a new one with this scope.
    UpTo(u16),
    /// The latest join of the same path, whatever made it.
    Latest,
}

/// The joins of one query, in creation order (a parent before its children).
#[derive(Debug)]
pub(crate) struct JoinPlan {
    pub(crate) root: &'static ModelMeta,
    pub(crate) root_alias: &'static str,
    nodes: Vec<JoinNode>,
    aliases: usize,
    /// A subquery's aliases: `U0` for its root, `U1`, `U2`.. for its joins (Django's),
    /// so that they never hide the outer query's tables.
    prefix: Option<&'static str>,
}

impl JoinPlan {
    pub(crate) fn new(root: &'static ModelMeta) -> Self {
        JoinPlan { root, root_alias: root.table, nodes: Vec::new(), aliases: 1, prefix: None }
    }

    /// The plan of a subquery `depth` levels down (from 0): aliases `U0, U1, ..`, then
    /// `V0, ..` one level further, as Django names them.
    pub(crate) fn for_subquery(root: &'static ModelMeta, depth: usize) -> Self {
        const ROOTS: [&str; 6] = ["U0", "V0", "W0", "X0", "Y0", "Z0"];
        let level = depth.min(ROOTS.len() - 1);
        JoinPlan { root, root_alias: ROOTS[level], nodes: Vec::new(), aliases: 0, prefix: Some(&ROOTS[level][..1]) }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn alias_for(&mut self, table: &str) -> String {
        self.aliases += 1;
        if let Some(prefix) = self.prefix {
            return format!("{prefix}{}", self.aliases);
        }
        let taken = table == self.root_alias || self.nodes.iter().any(|n| n.steps.iter().any(|(a, _)| a == table));
        if taken {
            format!("T{}", self.aliases)
        } else {
            table.to_owned()
        }
    }

    /// The alias of the table at the end of `path`, creating the joins on the way.
    /// `required`: a top-level condition needs the row (INNER JOIN). `reuse`: which
    /// join along a many-valued relation the path may share (see [`Reuse`]).
    pub(crate) fn alias(&mut self, path: Path, required: bool, reuse: Reuse) -> Cow<'static, str> {
        if path.is_root() {
            return Cow::Borrowed(self.root_alias);
        }
        let relations = path.relations(self.root);
        let hops = path.hops();
        let mut parent: Option<usize> = None;
        let mut many = false;
        for (i, relation) in relations.iter().enumerate() {
            many |= relation.is_many();
            let prefix = &hops[..=i];
            let same = |n: &JoinNode| n.hops == prefix && n.parent == parent;
            let (found, scope) = match (many, reuse) {
                (false, _) | (true, Reuse::Latest) => (self.nodes.iter().rposition(same), 0),
                (true, Reuse::Scope) => {
                    (self.nodes.iter().position(|n| same(n) && n.scope == path.scope()), path.scope())
                }
                (true, Reuse::UpTo(limit)) => {
                    let latest = self
                        .nodes
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| same(n) && n.scope <= limit)
                        .max_by_key(|(i, n)| (n.scope, *i))
                        .map(|(i, _)| i);
                    (latest, limit)
                }
            };
            let index = match found {
                Some(index) => index,
                None => {
                    let steps =
                        relation.join_steps().into_iter().map(|step| (self.alias_for(step.table), step)).collect();
                    self.nodes.push(JoinNode {
                        hops: prefix.to_vec(),
                        scope,
                        parent,
                        relation,
                        steps,
                        required: false,
                    });
                    self.nodes.len() - 1
                }
            };
            if required {
                self.nodes[index].required = true;
            }
            parent = Some(index);
        }
        let node = &self.nodes[parent.expect("a non-root path has a join")];
        Cow::Owned(node.steps.last().expect("a join has a table").0.clone())
    }

    /// Whether the join `index` is LEFT OUTER.
    fn is_left(&self, index: usize) -> bool {
        let node = &self.nodes[index];
        if node.required {
            return false;
        }
        node.relation.may_be_missing() || node.parent.is_some_and(|p| self.is_left(p))
    }

    /// Writes the JOIN clauses.
    pub(crate) fn write(&self, out: &mut String, quote: impl Fn(&str, &mut String)) {
        for (index, node) in self.nodes.iter().enumerate() {
            let join = if self.is_left(index) { " LEFT OUTER JOIN " } else { " INNER JOIN " };
            let mut prev_alias = match node.parent {
                Some(p) => self.nodes[p].steps.last().expect("a join has a table").0.clone(),
                None => self.root_alias.to_owned(),
            };
            for (alias, step) in &node.steps {
                out.push_str(join);
                quote(step.table, out);
                if alias != step.table {
                    out.push(' ');
                    quote(alias, out);
                }
                out.push_str(" ON (");
                quote(&prev_alias, out);
                out.push('.');
                quote(step.prev_column, out);
                out.push_str(" = ");
                quote(alias, out);
                out.push('.');
                quote(step.new_column, out);
                out.push(')');
                prev_alias = alias.clone();
            }
        }
    }
}
