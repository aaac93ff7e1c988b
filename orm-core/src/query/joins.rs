//! The join planner: turns relation paths into table aliases and JOIN clauses with
//! Django's rules.
//!
//! - A join a top-level condition requires (a lookup in a positive conjunct, not under
//!   `|` or `!`, and not `is_null(true)`) is INNER; so is a join along a non-null
//!   ForeignKey whose parent is INNER. Anything else is LEFT OUTER, and so is every
//!   join below a LEFT OUTER one.
//! - Joins along single-valued relations are shared by the whole query. Joins along a
//!   many-valued relation belong to the `filter` call that made them, so that separate
//!   `filter` calls may match different related rows; ordering, values, aggregates and
//!   `select_related` reuse any join of the same path.

use crate::model::{ModelMeta, Path};
use crate::relations::{JoinStep, RelationMeta};
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

/// The joins of one query, in creation order (a parent before its children).
#[derive(Debug)]
pub(crate) struct JoinPlan {
    pub(crate) root: &'static ModelMeta,
    pub(crate) root_alias: &'static str,
    nodes: Vec<JoinNode>,
    aliases: usize,
}

impl JoinPlan {
    pub(crate) fn new(root: &'static ModelMeta) -> Self {
        JoinPlan { root, root_alias: root.table, nodes: Vec::new(), aliases: 1 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn alias_for(&mut self, table: &str) -> String {
        self.aliases += 1;
        let taken = table == self.root_alias || self.nodes.iter().any(|n| n.steps.iter().any(|(a, _)| a == table));
        if taken {
            format!("T{}", self.aliases)
        } else {
            table.to_owned()
        }
    }

    /// The alias of the table at the end of `path`, creating the joins on the way.
    /// `required`: a top-level condition needs the row (INNER JOIN). `filter_scope`:
    /// the path comes from a `filter` call, whose joins along many-valued relations
    /// are its own; otherwise any join of the same path is reused.
    pub(crate) fn alias(&mut self, path: Path, required: bool, filter_scope: bool) -> Cow<'static, str> {
        if path.is_root() {
            return Cow::Borrowed(self.root_alias);
        }
        let relations = path.relations(self.root);
        let hops = path.hops();
        let mut parent: Option<usize> = None;
        let mut many = false;
        for (i, relation) in relations.iter().enumerate() {
            many |= relation.is_many();
            let scope = if many && filter_scope { path.scope() } else { 0 };
            let prefix = &hops[..=i];
            let found = self
                .nodes
                .iter()
                .position(|n| n.hops == prefix && n.parent == parent && (!many || !filter_scope || n.scope == scope));
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
