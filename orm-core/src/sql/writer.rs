//! The one SQL writer: it writes a statement in text order and numbers its parameters
//! as it goes (`?` or `$1, $2, ..`, as the dialect says).
//!
//! Which tables a SELECT joins, and how (INNER or LEFT OUTER, shared or one per
//! `filter` call), depends on every clause, and the FROM clause comes before them. So
//! a statement is written twice by the same code: first *planning* (nothing written,
//! the joins found, in the order that decides them: WHERE first, then the select
//! list, GROUP BY/HAVING and ORDER BY), then in text order with the plan complete.

use super::dialect::{Dialect, KeyList, TextLookup};
use super::joins::{JoinPlan, Reuse};
use super::Sql;
use crate::ast::{ArithOp, CmpOp, Cond, ExprNode, Query};
use crate::meta::{ModelMeta, Path};
use crate::value::Value;

mod functions;
mod lookups;

/// How a condition is being written.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    /// Under a negation: lookups must be two-valued.
    negated: bool,
    /// In a top-level positive conjunct: the joins it uses are required (INNER).
    required: bool,
    /// Which joins along many-valued relations the condition's columns may share:
    /// those of their own `filter` call.
    reuse: Reuse,
}

impl Ctx {
    pub(super) const WHERE: Ctx = Ctx { negated: false, required: true, reuse: Reuse::Scope };
    /// The plain columns of a HAVING keep their `filter` call's joins, LEFT OUTER (a
    /// HAVING never drops a group for want of a related row).
    pub(super) const HAVING: Ctx = Ctx { negated: false, required: false, reuse: Reuse::Scope };
}

/// See the module documentation.
pub(crate) struct Writer {
    sql: String,
    params: Vec<Value>,
    /// Placeholders written so far (a statement text built for parameters its caller
    /// binds has no `params`).
    placeholders: usize,
    pub(super) plan: JoinPlan,
    dialect: &'static dyn Dialect,
    /// The joins an aggregate's columns may share: those of the `filter` calls made
    /// before the annotation, never a later one's.
    pub(super) aggregate_reuse: Reuse,
    /// Finding the joins: nothing is written.
    pub(super) planning: bool,
    /// Writing an aggregate's filter: a negation across a many-valued relation is of
    /// the aggregated rows, a plain `NOT` (Django's SQL), not a subquery.
    aggregating: bool,
    /// The plans of the queries around the subquery being written, innermost last:
    /// an `OuterColumn` reads the last one's tables.
    pub(super) outer_plans: Vec<JoinPlan>,
}

impl Writer {
    pub(crate) fn new(root: &'static ModelMeta, dialect: &'static dyn Dialect) -> Self {
        Writer {
            sql: String::with_capacity(128),
            params: Vec::new(),
            placeholders: 0,
            plan: JoinPlan::new(root),
            dialect,
            aggregate_reuse: Reuse::Latest,
            planning: false,
            aggregating: false,
            outer_plans: Vec::new(),
        }
    }

    /// A writer for a statement that names its tables itself (no model, no joins).
    pub(crate) fn bare(dialect: &'static dyn Dialect) -> Self {
        Writer::new(&NO_MODEL, dialect)
    }

    /// A writer for `query`: its aggregates see the joins of the filters made before
    /// them.
    pub(super) fn for_query(query: &Query, dialect: &'static dyn Dialect) -> Self {
        let mut w = Writer::new(query.meta, dialect);
        w.aggregate_reuse = Reuse::UpTo(query.annotate_scope.unwrap_or(query.scopes));
        w
    }

    pub(super) fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    /// Runs `f` planning: it finds joins and writes nothing.
    pub(super) fn planning(&mut self, f: impl FnOnce(&mut Self)) {
        let was = std::mem::replace(&mut self.planning, true);
        f(self);
        self.planning = was;
    }

    pub(super) fn root(&self) -> &'static ModelMeta {
        self.plan.root
    }

    #[inline]
    pub(crate) fn push(&mut self, s: &str) {
        if !self.planning {
            self.sql.push_str(s);
        }
    }

    #[inline]
    pub(crate) fn ident(&mut self, ident: &str) {
        if !self.planning {
            self.dialect.quote(ident, &mut self.sql);
        }
    }

    /// The next placeholder, for a value the caller binds.
    #[inline]
    pub(crate) fn placeholder(&mut self) {
        if !self.planning {
            self.placeholders += 1;
            self.dialect.placeholder(self.placeholders, &mut self.sql);
        }
    }

    /// A bound parameter (for the statements of `dml`).
    #[inline]
    pub(super) fn value(&mut self, value: &Value) {
        self.param(value);
    }

    /// A bound parameter.
    #[inline]
    pub(super) fn param(&mut self, value: &Value) {
        if !self.planning {
            self.params.push(value.clone());
            self.placeholder();
        }
    }

    pub(super) fn raw(&mut self) -> &mut String {
        &mut self.sql
    }

    pub(crate) fn column_at(&mut self, alias: &str, column: &str) {
        self.ident(alias);
        self.push(".");
        self.ident(column);
    }

    fn column(&mut self, meta: &ModelMeta, column: u16, path: Path, ctx: Option<Ctx>) {
        let alias = match ctx {
            Some(ctx) => self.plan.alias(path, ctx.required, ctx.reuse),
            None => self.plan.alias(path, false, Reuse::Latest),
        };
        if !self.planning {
            self.column_at(&alias, meta.columns[usize::from(column)].name);
        }
    }

    /// Writes an expression; `ctx` is `Some` inside a condition.
    pub(super) fn expr_in(&mut self, node: &ExprNode, ctx: Option<Ctx>) {
        match node {
            ExprNode::Column { meta, column, path } => self.column(meta, *column, *path, ctx),
            // In a condition, a NULL operand is the keyword: a bound NULL has no type
            // for PostgreSQL to infer (`$1 IS NOT NULL`), and no value to hide.
            ExprNode::Value(Value::Null) if ctx.is_some() => self.push("NULL"),
            ExprNode::Value(v) => self.param(v),
            ExprNode::Arith { op, lhs, rhs } => {
                self.push("(");
                self.expr_in(lhs, ctx);
                self.push(match op {
                    ArithOp::Add => " + ",
                    ArithOp::Sub => " - ",
                    ArithOp::Mul => " * ",
                    ArithOp::Div => " / ",
                });
                self.expr_in(rhs, ctx);
                self.push(")");
            }
            ExprNode::Aggregate { func, arg, distinct } => self.aggregate_call(*func, arg.as_deref(), *distinct, None),
            ExprNode::Func { .. }
            | ExprNode::Case { .. }
            | ExprNode::Cast { .. }
            | ExprNode::FilteredAggregate { .. } => self.function(node, ctx),
            ExprNode::Json { base, steps, text } => self.json(base, steps, *text, ctx),
            ExprNode::Subquery(sub) => {
                self.push("(");
                self.subquery(sub, false);
                self.push(")");
            }
            ExprNode::OuterColumn { meta, column, path } => self.outer_column(meta, *column, *path),
            ExprNode::Extract { part, arg, column_type } => {
                self.wrapped(self.dialect.extract(*part, *column_type), arg, ctx)
            }
            ExprNode::Trunc { unit, arg, column_type } => {
                self.wrapped(self.dialect.trunc(*unit, *column_type), arg, ctx)
            }
        }
    }

    pub(super) fn expr(&mut self, node: &ExprNode) {
        self.expr_in(node, None);
    }

    pub(super) fn expr_list(&mut self, exprs: &[ExprNode]) {
        for (i, e) in exprs.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(e);
        }
    }

    /// Writes a lookup. Under a negation a lookup must be two-valued (a lookup against
    /// NULL is false, as in Django), so nullable operands get `IS NOT NULL` guards:
    /// `NOT ("x" = ? AND "x" IS NOT NULL)`, Django's own SQL.
    fn guarded(&mut self, ctx: Ctx, bare: bool, operands: &[&ExprNode], body: impl FnOnce(&mut Self)) {
        // A JSON path is guarded by its column, as Django guards a key transform: a
        // path that leads nowhere in a row whose column is set stays unknown.
        let guards: Vec<&ExprNode> =
            if ctx.negated { operands.iter().copied().filter_map(guarded_by).collect() } else { Vec::new() };
        let parens = !guards.is_empty() && !bare;
        if parens {
            self.push("(");
        }
        body(self);
        for g in guards {
            self.push(" AND ");
            self.expr_in(g, Some(ctx));
            self.push(" IS NOT NULL");
        }
        if parens {
            self.push(")");
        }
    }

    /// Writes a condition. `bare`: the caller parenthesizes, so a compound need not.
    pub(super) fn cond(&mut self, cond: &Cond, ctx: Ctx, bare: bool) {
        let c = Some(ctx);
        match cond {
            Cond::Compare(op, lhs, rhs) => self.guarded(ctx, bare, &[lhs, rhs], |w| {
                w.expr_in(lhs, c);
                w.push(match op {
                    CmpOp::Eq => " = ",
                    CmpOp::Gt => " > ",
                    CmpOp::Gte => " >= ",
                    CmpOp::Lt => " < ",
                    CmpOp::Lte => " <= ",
                });
                w.expr_in(rhs, c);
            }),
            Cond::In(lhs, list) => {
                // `x IN (1, col)` is true for x = 1 even if col is NULL, so an IS NOT NULL
                // guard on a list item would be wrong: COALESCE makes it two-valued.
                let coalesce = ctx.negated && list.iter().any(ExprNode::nullable);
                if coalesce {
                    self.push("COALESCE(");
                }
                let lhs_guard: &[&ExprNode] = if coalesce { &[] } else { &[lhs] };
                self.guarded(ctx, bare || coalesce, lhs_guard, |w| {
                    w.expr_in(lhs, c);
                    let values: Option<Vec<Value>> = match w.dialect.key_list() {
                        KeyList::Array => list
                            .iter()
                            .map(|item| match item {
                                ExprNode::Value(v) if !matches!(v, Value::Null) => Some(v.clone()),
                                _ => None,
                            })
                            .collect(),
                        KeyList::PaddedOrJson { .. } => None,
                    };
                    if let Some(values) = values {
                        // One array parameter: one statement for any number of values.
                        w.push(" = ANY(");
                        w.param(&Value::Array(values));
                        w.push(")");
                        return;
                    }
                    w.push(" IN (");
                    for (i, item) in list.iter().enumerate() {
                        if i > 0 {
                            w.push(", ");
                        }
                        w.expr_in(item, c);
                    }
                    w.push(")");
                });
                if coalesce {
                    self.push(", ");
                    self.push(self.dialect.boolean(false));
                    self.push(")");
                }
            }
            Cond::InSubquery { lhs, table, select, column, value } => self.guarded(ctx, bare, &[lhs], |w| {
                w.expr_in(lhs, c);
                w.push(" IN (SELECT ");
                w.column_at(table, select);
                w.push(" FROM ");
                w.ident(table);
                w.push(" WHERE ");
                w.column_at(table, column);
                w.push(" = ");
                w.param(value);
                w.push(")");
            }),
            Cond::InQuery(lhs, sub) => self.guarded(ctx, bare, &[lhs], |w| {
                w.expr_in(lhs, c);
                w.push(" IN (");
                w.subquery(sub, false);
                w.push(")");
            }),
            Cond::Exists(sub) => {
                self.push("EXISTS(");
                self.subquery(sub, true);
                self.push(")");
            }
            Cond::Pattern { kind, fold, lhs, rhs } => {
                self.guarded(ctx, bare, &[lhs, rhs], |w| match w.dialect.text_lookup(*kind, *fold) {
                    TextLookup::Call { prefix, middle, suffix } => {
                        w.push(prefix);
                        w.expr_in(lhs, c);
                        w.push(middle);
                        w.expr_in(rhs, c);
                        w.push(suffix);
                    }
                    TextLookup::Like => w.like(*kind, *fold, lhs, rhs, c),
                })
            }
            Cond::Range(lhs, lo, hi) => self.guarded(ctx, bare, &[lhs, lo, hi], |w| {
                w.expr_in(lhs, c);
                w.push(" BETWEEN ");
                w.expr_in(lo, c);
                w.push(" AND ");
                w.expr_in(hi, c);
            }),
            Cond::IsNull(expr, is_null) => {
                // `is_null(true)` must see the rows a join did not find: never required.
                let ctx = Ctx { required: ctx.required && !*is_null, ..ctx };
                self.expr_in(expr, Some(ctx));
                self.push(if *is_null { " IS NULL" } else { " IS NOT NULL" });
            }
            Cond::And(items) | Cond::Or(items) => {
                let and = matches!(cond, Cond::And(_));
                let inner = Ctx { required: ctx.required && and, ..ctx };
                if !bare {
                    self.push("(");
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(if and { " AND " } else { " OR " });
                    }
                    self.cond(item, inner, false);
                }
                if !bare {
                    self.push(")");
                }
            }
            Cond::Not(inner) if !self.aggregating && touches_many(inner, self.root()) => {
                // Django's exclude across a many-valued relation: exclude the rows that
                // have *any* related row matching, through a subquery (its own joins).
                self.push("NOT (");
                let root = self.root();
                self.column_at(self.plan.root_alias, root.pk_column().name);
                self.push(" IN (");
                self.subquery_pks(inner);
                self.push("))");
            }
            Cond::Not(inner) => {
                self.push("NOT (");
                self.cond(inner, Ctx { negated: true, required: false, ..ctx }, true);
                self.push(")");
            }
            Cond::Nothing => self.push(self.dialect.boolean(false)),
            Cond::Everything => self.push(self.dialect.boolean(true)),
        }
    }

    /// `SELECT root.pk FROM root JOIN ... WHERE cond`: the keys of the rows that have a
    /// related row matching `cond`, with joins of its own. Nothing while planning: it
    /// adds no join to the statement around it.
    pub(super) fn subquery_pks(&mut self, cond: &Cond) {
        if self.planning {
            return;
        }
        let root = self.root();
        let outer = std::mem::replace(&mut self.plan, JoinPlan::new(root));
        self.planning(|w| w.cond(cond, Ctx::WHERE, true));
        self.push("SELECT ");
        self.column_at(self.plan.root_alias, root.pk_column().name);
        self.write_from_joins();
        self.push(" WHERE ");
        self.cond(cond, Ctx::WHERE, true);
        self.plan = outer;
    }

    /// `FROM root JOIN ...`, once planning has found the joins.
    pub(super) fn write_from_joins(&mut self) {
        self.push(" FROM ");
        self.root_table();
        self.joins();
    }

    /// The root table, and its alias in a subquery (`"book" "U0"`).
    pub(super) fn root_table(&mut self) {
        self.ident(self.root().table);
        if self.plan.root_alias != self.root().table {
            self.push(" ");
            self.ident(self.plan.root_alias);
        }
    }

    /// The JOIN clauses of the plan.
    pub(super) fn joins(&mut self) {
        if !self.planning {
            let dialect = self.dialect;
            self.plan.write(&mut self.sql, |ident, out| dialect.quote(ident, out));
        }
    }

    /// The model's columns at `alias`.
    pub(super) fn model_columns_at(&mut self, meta: &ModelMeta, alias: &str) {
        for (i, col) in meta.columns.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.column_at(alias, col.name);
        }
    }

    /// Writes `n` placeholders separated by commas.
    pub(crate) fn placeholders(&mut self, n: usize) {
        for i in 0..n {
            if i > 0 {
                self.push(", ");
            }
            self.placeholder();
        }
    }

    pub(crate) fn finish(self) -> Sql {
        Sql { text: self.sql, params: self.params }
    }

    /// The text alone, for a statement whose parameters the caller binds.
    pub(crate) fn text(self) -> String {
        self.sql
    }
}

/// Whether a condition follows a many-valued relation outside aggregates (and so,
/// negated, needs a subquery; a negated aggregate is a plain NOT in HAVING).
/// The `IS NOT NULL` guard a nullable operand gets under a negation. A JSON path is
/// guarded by its column, as Django guards a key transform: a path that leads nowhere
/// in a row whose column is set stays unknown.
fn guarded_by(node: &ExprNode) -> Option<&ExprNode> {
    let node = match node {
        ExprNode::Json { base, .. } => base,
        other => other,
    };
    node.nullable().then_some(node)
}

fn touches_many(cond: &Cond, root: &'static ModelMeta) -> bool {
    let mut many = false;
    cond.visit_plain(&mut |node| {
        if let ExprNode::Column { path, .. } = node {
            many |= path.relations(root).iter().any(|r| r.is_many());
        }
    });
    many
}

/// The root of a [`Writer::bare`]: no table, no column.
static NO_MODEL: ModelMeta = ModelMeta {
    name: "",
    table: "",
    columns: &[],
    pk: 0,
    pk_columns: &[],
    auto_pk: false,
    ordering: &[],
    unique_together: &[],
    index_together: &[],
    relations: &[],
    prefetch: |_| Ok(()),
};
