//! Compound statements: `union`, `union_all`, `intersection` and `difference` of
//! QuerySets (Django's combinators), ordered by the positions of the result's columns
//! and sliced as a whole: `SELECT .. UNION SELECT .. ORDER BY 2 DESC LIMIT 5`.

use super::joins::{JoinPlan, Reuse};
use super::select::write_select;
use super::writer::Writer;
use super::Columns;
use crate::ast::{Combinator, ExprNode, Query, SetOp};
use crate::meta::ModelMeta;

impl Writer {
    /// Each part with joins of its own, then the ordering by the position of each
    /// term in the select list, then the slice.
    pub(super) fn compound(&mut self, query: &Query, combinator: &Combinator, columns: &Columns<'_>) {
        if self.planning {
            return;
        }
        for (i, part) in combinator.parts.iter().enumerate() {
            if i > 0 {
                self.push(match combinator.op {
                    SetOp::Union => " UNION ",
                    SetOp::UnionAll => " UNION ALL ",
                    SetOp::Intersection => " INTERSECT ",
                    SetOp::Difference => " EXCEPT ",
                });
            }
            let outer = std::mem::replace(&mut self.plan, JoinPlan::new(part.meta));
            let scope = Reuse::UpTo(part.annotate_scope.unwrap_or(part.scopes));
            let reuse = std::mem::replace(&mut self.aggregate_reuse, scope);
            if part.combinator.is_some() {
                // A compound part of another operation: its rows, as one SELECT.
                self.push("SELECT * FROM (");
                write_select(self, part, columns);
                self.push(") ");
                self.ident(&format!("compound{i}"));
            } else {
                write_select(self, part, columns);
            }
            self.aggregate_reuse = reuse;
            self.plan = outer;
        }
        for (i, term) in query.ordering().iter().enumerate() {
            self.push(if i == 0 { " ORDER BY " } else { ", " });
            let position = position(query.meta, &term.node, columns).unwrap_or(1);
            self.push(&position.to_string());
            self.push(if term.desc { " DESC" } else { " ASC" });
        }
        self.limit(query);
    }
}

/// Where `node` is in the select list, from 1.
fn position(meta: &ModelMeta, node: &ExprNode, columns: &Columns<'_>) -> Option<usize> {
    let model_column = || match node {
        ExprNode::Column { column, path, .. } if path.is_root() => Some(usize::from(*column) + 1),
        _ => None,
    };
    let among = |exprs: &[ExprNode]| exprs.iter().position(|e| e == node).map(|i| i + 1);
    match columns {
        Columns::Model => model_column(),
        Columns::ModelAnd(exprs) => model_column().or_else(|| among(exprs).map(|i| i + meta.columns.len())),
        Columns::Exprs(exprs) | Columns::Aliased(exprs) => among(exprs),
    }
}

/// Django's error for ordering a compound query by something it does not select.
pub(crate) fn compound_order_error(query: &Query, columns: Columns<'_>) -> Option<&'static str> {
    query.combinator.as_ref()?;
    let missing = query.ordering().iter().any(|t| position(query.meta, &t.node, &columns).is_none());
    missing.then_some("ORDER BY term does not match any column in the result set.")
}
