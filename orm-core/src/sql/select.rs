//! SELECT statements: a QuerySet's rows, its aggregates and counts, `exists()`.

use super::dialect::Dialect;
use super::joins::Reuse;
use super::writer::{Ctx, Writer};
use super::{Columns, Sql};
use crate::ast::{AggFunc, ExprNode, Group, OrderBy, Query};

/// The alias of a prefetch level's through table.
const LINK_ALIAS: &str = "orm_link";

impl Writer {
    /// ` WHERE <link keys> AND (<filter>)`, or either alone.
    pub(super) fn where_clause(&mut self, query: &Query) {
        let link = query.link.as_ref();
        if link.is_none() && query.filter.is_none() {
            return;
        }
        self.push(" WHERE ");
        if let Some(link) = link {
            let alias = if link.through.is_some() { LINK_ALIAS } else { self.plan.root_alias };
            self.in_keys(alias, link.column, &link.keys);
            if query.filter.is_some() {
                self.push(" AND (");
            }
        }
        if let Some(filter) = &query.filter {
            self.cond(filter, Ctx::WHERE, true);
            if link.is_some() {
                self.push(")");
            }
        }
    }

    /// The root model's columns, then those of each `select_related` model.
    fn model_columns(&mut self, query: &Query) {
        self.model_columns_at(self.root(), self.plan.root_alias);
        for path in &query.select_related {
            let alias = self.plan.alias(*path, false, Reuse::Latest);
            let meta = path.relations(self.root()).last().map(|r| (r.target)()).expect("a related path");
            self.push(", ");
            self.model_columns_at(meta, &alias);
        }
    }

    fn select_list(&mut self, query: &Query, columns: &Columns<'_>, ordering: &[OrderBy]) {
        match columns {
            Columns::Model => self.model_columns(query),
            Columns::ModelAnd(exprs) => {
                self.model_columns(query);
                for e in exprs.iter() {
                    self.push(", ");
                    self.expr(e);
                }
            }
            Columns::Aliased(exprs) => {
                for (i, e) in exprs.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.expr(e);
                    self.push(" AS ");
                    self.ident(&super::subquery::column_alias(i));
                }
            }
            Columns::Exprs(exprs) => {
                self.expr_list(exprs);
                // Django adds the ordering's columns to a DISTINCT select list (see its
                // docs on distinct()); the extra columns are not decoded.
                if query.distinct {
                    for term in ordering {
                        if !exprs.contains(&term.node) {
                            self.push(", ");
                            self.expr(&term.node);
                        }
                    }
                }
            }
        }
        if let Some(link) = query.link.as_ref().filter(|l| l.through.is_some()) {
            // A through table's column; a column of the model itself is selected already.
            self.push(", ");
            self.column_at(LINK_ALIAS, link.column);
        }
    }

    /// `GROUP BY ... HAVING ...` of an annotated query; the HAVING's plain columns join
    /// the GROUP BY (Django groups by them too).
    fn group_clause(&mut self, query: &Query, columns: &Columns<'_>) {
        let grouped: &[ExprNode] = match &query.group {
            Group::None => return,
            Group::Model(extra) => {
                // Every selected model's key, as Django groups (PostgreSQL derives the
                // other columns of a table only from its own grouped key).
                self.push(" GROUP BY ");
                let root = self.root();
                self.column_at(self.plan.root_alias, root.pk_column().name);
                for path in &query.select_related {
                    let alias = self.plan.alias(*path, false, Reuse::Latest);
                    let meta = path.relations(root).last().map(|r| (r.target)()).expect("a related path");
                    self.push(", ");
                    self.column_at(&alias, meta.pk_column().name);
                }
                for node in extra {
                    self.push(", ");
                    self.selected_expr(query, columns, node);
                }
                &[]
            }
            Group::Exprs(exprs) => {
                self.push(" GROUP BY ");
                for (i, node) in exprs.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.selected_expr(query, columns, node);
                }
                exprs
            }
        };
        let Some(having) = &query.having else { return };
        let mut extra: Vec<&ExprNode> = Vec::new();
        having.visit_plain(&mut |n| {
            let is_column = matches!(n, ExprNode::Column { path, .. } if !path.is_root() || !grouped.is_empty());
            if is_column && !grouped.contains(n) && !extra.contains(&n) {
                extra.push(n);
            }
        });
        for n in extra {
            self.push(", ");
            self.expr_in(n, Some(Ctx::HAVING));
        }
        self.push(" HAVING ");
        self.cond(having, Ctx::HAVING, true);
    }

    fn order_clause(&mut self, terms: &[OrderBy]) {
        self.order_clause_of(terms, None);
    }

    /// `ORDER BY ..` of a SELECT whose `columns` a grouped query's terms may name by
    /// position (see [`selected_expr`](Self::selected_expr)).
    fn order_clause_of(&mut self, terms: &[OrderBy], select: Option<(&Query, &Columns<'_>)>) {
        for (i, term) in terms.iter().enumerate() {
            self.push(if i == 0 { " ORDER BY " } else { ", " });
            match select {
                Some((query, columns)) => self.selected_expr(query, columns, &term.node),
                None => self.expr(&term.node),
            }
            self.push(if term.desc { " DESC" } else { " ASC" });
            self.nulls_order(term.nulls);
        }
    }

    /// Writes `node` in the GROUP BY or ORDER BY of a grouped query: by its position in
    /// the select list (from 1) when it has bound parameters, as Django writes every
    /// grouped expression. Written again, its parameters would get new placeholders
    /// (`$5` for `$2`), and PostgreSQL would not see the selected expression as the
    /// grouped one ("must appear in the GROUP BY clause").
    fn selected_expr(&mut self, query: &Query, columns: &Columns<'_>, node: &ExprNode) {
        match self.select_position(query, columns, node) {
            Some(position) => self.push(&position.to_string()),
            None => self.expr(node),
        }
    }

    fn select_position(&self, query: &Query, columns: &Columns<'_>, node: &ExprNode) -> Option<usize> {
        if !query.is_grouped() || !has_param(node) {
            return None;
        }
        let (offset, exprs) = match columns {
            Columns::Model => return None,
            Columns::Exprs(exprs) | Columns::Aliased(exprs) => (0, *exprs),
            Columns::ModelAnd(exprs) => {
                let root = self.root();
                let mut offset = root.columns.len();
                for path in &query.select_related {
                    offset += path.relations(root).last().map_or(0, |r| (r.target)().columns.len());
                }
                (offset, *exprs)
            }
        };
        exprs.iter().position(|e| e == node).map(|i| offset + i + 1)
    }

    pub(super) fn limit(&mut self, query: &Query) {
        let count = query.high.map(|high| high - query.low);
        let dialect = self.dialect();
        dialect.limit(count, query.low, self.raw());
    }

    /// `SELECT`, `SELECT DISTINCT` or `SELECT DISTINCT ON (..)`, and a space.
    fn select_keyword(&mut self, query: &Query) {
        if !query.distinct_on.is_empty() {
            self.push("SELECT DISTINCT ON (");
            self.expr_list(&query.distinct_on);
            self.push(") ");
        } else {
            self.push(if query.distinct { "SELECT DISTINCT " } else { "SELECT " });
        }
    }

    /// `FOR UPDATE [OF ..] [NOWAIT | SKIP LOCKED]`, where the database has row locks
    /// (SQLite locks the whole file for a write: nothing to write there).
    fn lock_clause(&mut self, query: &Query) {
        let Some(lock) = &query.lock else { return };
        let capabilities = self.dialect().capabilities();
        if !capabilities.for_update {
            return;
        }
        self.push(if lock.no_key && capabilities.for_no_key_update { " FOR NO KEY UPDATE" } else { " FOR UPDATE" });
        for (i, path) in lock.of.iter().enumerate() {
            self.push(if i == 0 { " OF " } else { ", " });
            let alias = if path.is_root() {
                self.plan.root_alias.to_owned()
            } else {
                self.plan.alias(*path, false, Reuse::Latest).into_owned()
            };
            self.ident(&alias);
        }
        if lock.nowait {
            self.push(" NOWAIT");
        } else if lock.skip_locked {
            self.push(" SKIP LOCKED");
        }
    }
}

/// `SELECT cols FROM t JOIN ... WHERE ... GROUP BY ... ORDER BY ... LIMIT n OFFSET m`
pub(crate) fn select(query: &Query, columns: Columns<'_>, dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::for_query(query, dialect);
    write_select(&mut w, query, &columns);
    w.finish()
}

/// `SELECT COUNT(*) FROM (<the query>) subquery`, as Django counts grouped, distinct
/// or sliced rows.
pub(crate) fn count_rows(query: &Query, columns: Columns<'_>, dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::for_query(query, dialect);
    w.push("SELECT COUNT(*) FROM (");
    write_select(&mut w, query, &columns);
    w.push(") subquery");
    w.finish()
}

/// Writes a whole SELECT of `query` into `w` (whose plan is `query`'s and empty).
pub(super) fn write_select(w: &mut Writer, query: &Query, columns: &Columns<'_>) {
    if let Some(combinator) = &query.combinator {
        return w.compound(query, combinator, columns);
    }
    let ordering = query.ordering();
    // Planning in the order that decides the joins: WHERE first (the joins it requires
    // are INNER, and each `filter` call's own), then the rest.
    w.planning(|w| {
        w.where_clause(query);
        w.select_list(query, columns, &ordering);
        w.group_clause(query, columns);
        w.order_clause_of(&ordering, Some((query, columns)));
        w.expr_list(&query.distinct_on);
    });
    w.select_keyword(query);
    w.select_list(query, columns, &ordering);
    w.push(" FROM ");
    w.root_table();
    if let Some((table, near)) = query.link.as_ref().and_then(|l| l.through) {
        w.push(" INNER JOIN ");
        w.ident(table);
        w.push(" ");
        w.ident(LINK_ALIAS);
        w.push(" ON (");
        w.column_at(LINK_ALIAS, near);
        w.push(" = ");
        w.column_at(w.plan.root_alias, query.meta.pk_column().name);
        w.push(")");
    }
    w.joins();
    w.where_clause(query);
    w.group_clause(query, columns);
    w.order_clause_of(&ordering, Some((query, columns)));
    w.limit(query);
    w.lock_clause(query);
}

/// `SELECT COUNT(*) ...`.
pub(crate) fn count(query: &Query, dialect: &'static dyn Dialect) -> Sql {
    aggregate(query, &[ExprNode::Aggregate { func: AggFunc::Count, arg: None, distinct: false }], dialect)
}

/// `SELECT AGG(..), ... FROM t WHERE ...`; ordering is dropped unless sliced.
pub(crate) fn aggregate(query: &Query, exprs: &[ExprNode], dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::for_query(query, dialect);
    if query.is_sliced() || query.is_distinct() {
        // The aggregates run over a subquery that keeps the slice (or the distinct
        // rows); it is aliased as the root table so the expressions read its columns.
        let ordering = if query.is_sliced() { query.ordering() } else { Vec::new() };
        w.planning(|w| w.expr_list(exprs));
        w.push("SELECT ");
        w.expr_list(exprs);
        w.push(" FROM (");
        let outer = std::mem::replace(&mut w.plan, super::joins::JoinPlan::new(query.meta));
        w.planning(|w| {
            w.where_clause(query);
            w.order_clause(&ordering);
            w.expr_list(&query.distinct_on);
        });
        w.select_keyword(query);
        w.model_columns_at(query.meta, query.meta.table);
        w.write_from_joins();
        w.where_clause(query);
        w.order_clause(&ordering);
        w.limit(query);
        w.plan = outer;
        w.push(") ");
        w.ident(query.meta.table);
        w.joins();
    } else {
        w.planning(|w| {
            w.where_clause(query);
            w.expr_list(exprs);
        });
        w.push("SELECT ");
        w.expr_list(exprs);
        w.write_from_joins();
        w.where_clause(query);
    }
    w.finish()
}

/// `SELECT 1 FROM t WHERE ... LIMIT 1 [OFFSET m]`, ordering dropped (Django's `exists()`).
pub(crate) fn exists(query: &Query, dialect: &'static dyn Dialect) -> Sql {
    let mut w = Writer::new(query.meta, dialect);
    w.planning(|w| {
        w.where_clause(query);
        w.expr_list(&query.distinct_on);
    });
    w.select_keyword(query);
    w.push("1");
    w.write_from_joins();
    w.where_clause(query);
    dialect.limit(Some(1), query.low, w.raw());
    w.finish()
}

/// Whether writing `node` may bind a parameter (a subquery may, inside).
fn has_param(node: &ExprNode) -> bool {
    let mut found = false;
    node.visit(&mut |n| found |= matches!(n, ExprNode::Value(_) | ExprNode::Subquery(_)));
    found
}
