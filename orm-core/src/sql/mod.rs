//! The SQL compiler: the one place that turns a query description into SQL text and
//! parameters. Every value becomes a bound parameter; every identifier goes through
//! [`Dialect::quote`].

mod joins;

use crate::ast::{AggFunc, ArithOp, Assignment, CmpOp, Cond, ExprNode, Group, OrderBy, PatternKind, Query};
use crate::meta::{ModelMeta, Path};
use crate::value::Value;
use joins::{JoinPlan, Reuse};

/// What differs between SQL databases, kept small so that another backend can follow.
pub(crate) trait Dialect {
    /// Writes a quoted identifier.
    fn quote(&self, ident: &str, out: &mut String);
    /// Writes the placeholder of the `n`th parameter (1-based).
    fn placeholder(&self, n: usize, out: &mut String);
}

/// SQLite: `"ident"` quoting, `?` placeholders, `RETURNING` (3.35+).
pub(crate) struct Sqlite;

impl Dialect for Sqlite {
    fn quote(&self, ident: &str, out: &mut String) {
        out.reserve(ident.len() + 2);
        out.push('"');
        if ident.contains('"') {
            for ch in ident.chars() {
                if ch == '"' {
                    out.push('"');
                }
                out.push(ch);
            }
        } else {
            out.push_str(ident);
        }
        out.push('"');
    }

    fn placeholder(&self, _n: usize, out: &mut String) {
        out.push('?');
    }
}

const DIALECT: Sqlite = Sqlite;

mod ddl;
mod keyed;
pub(crate) use ddl::create_table;

/// SQL text with its parameters, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sql {
    /// The statement.
    pub text: String,
    /// The bound parameters, in placeholder order.
    pub params: Vec<Value>,
}

impl std::fmt::Display for Sql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_statement(f, &self.text, &self.params)
    }
}

/// `SQL -- params: [a, b]`, as `Sql` and captured statements display.
pub(crate) fn write_statement(f: &mut std::fmt::Formatter<'_>, sql: &str, params: &[Value]) -> std::fmt::Result {
    f.write_str(sql)?;
    if !params.is_empty() {
        f.write_str(" -- params: [")?;
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        f.write_str("]")?;
    }
    Ok(())
}

/// What a SELECT returns.
pub(crate) enum Columns<'a> {
    /// Every column of the query's model, then those of its `select_related` models.
    Model,
    /// These expressions.
    Exprs(&'a [ExprNode]),
    /// The model's columns (and its select_related models'), then these expressions.
    ModelAnd(&'a [ExprNode]),
}

/// A piece of SQL with its own parameters, written before its place in the statement
/// is known (the WHERE clause decides which joins the FROM clause needs).
#[derive(Default)]
struct Part {
    sql: String,
    params: Vec<Value>,
}

/// How a condition is being written.
#[derive(Clone, Copy)]
struct Ctx {
    /// Under a negation: lookups must be two-valued.
    negated: bool,
    /// In a top-level positive conjunct: the joins it uses are required (INNER).
    required: bool,
    /// Which joins along many-valued relations the condition's columns may share:
    /// those of their own `filter` call.
    reuse: Reuse,
}

impl Ctx {
    const WHERE: Ctx = Ctx { negated: false, required: true, reuse: Reuse::Scope };
    /// The plain columns of a HAVING keep their `filter` call's joins, LEFT OUTER (a
    /// HAVING never drops a group for want of a related row).
    const HAVING: Ctx = Ctx { negated: false, required: false, reuse: Reuse::Scope };
}

pub(crate) struct Writer {
    sql: String,
    params: Vec<Value>,
    plan: JoinPlan,
    /// The joins an aggregate's columns may share: those of the `filter` calls made
    /// before the annotation, never a later one's.
    aggregate_reuse: Reuse,
}

impl Writer {
    pub(crate) fn new(root: &'static ModelMeta) -> Self {
        Writer {
            sql: String::with_capacity(128),
            params: Vec::new(),
            plan: JoinPlan::new(root),
            aggregate_reuse: Reuse::Latest,
        }
    }

    /// A writer for `query`: its aggregates see the joins of the filters made before
    /// them.
    fn for_query(query: &Query) -> Self {
        let mut w = Writer::new(query.meta);
        w.aggregate_reuse = Reuse::UpTo(query.annotate_scope.unwrap_or(query.scopes));
        w
    }

    fn root(&self) -> &'static ModelMeta {
        self.plan.root
    }

    fn push(&mut self, s: &str) {
        self.sql.push_str(s);
    }

    fn ident(&mut self, ident: &str) {
        DIALECT.quote(ident, &mut self.sql);
    }

    fn param(&mut self, value: Value) {
        self.params.push(value);
        DIALECT.placeholder(self.params.len(), &mut self.sql);
    }

    /// Writes `f` into a separate part.
    fn part(&mut self, f: impl FnOnce(&mut Self)) -> Part {
        let sql = std::mem::replace(&mut self.sql, String::with_capacity(128));
        let params = std::mem::take(&mut self.params);
        f(self);
        Part { sql: std::mem::replace(&mut self.sql, sql), params: std::mem::replace(&mut self.params, params) }
    }

    fn append(&mut self, part: Part) {
        self.sql.push_str(&part.sql);
        self.params.extend(part.params);
    }

    fn column_at(&mut self, alias: &str, column: &str) {
        self.ident(alias);
        self.sql.push('.');
        self.ident(column);
    }

    fn column(&mut self, meta: &ModelMeta, column: u16, path: Path, ctx: Option<Ctx>) {
        let alias = match ctx {
            Some(ctx) => self.plan.alias(path, ctx.required, ctx.reuse),
            None => self.plan.alias(path, false, Reuse::Latest),
        };
        self.column_at(&alias, meta.columns[usize::from(column)].name);
    }

    /// Writes an expression; `ctx` is `Some` inside a filter condition.
    fn expr_in(&mut self, node: &ExprNode, ctx: Option<Ctx>) {
        match node {
            ExprNode::Column { meta, column, path } => self.column(meta, *column, *path, ctx),
            ExprNode::Value(v) => self.param(v.clone()),
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
            ExprNode::Aggregate { func, arg, distinct } => {
                self.push(match func {
                    AggFunc::Count => "COUNT(",
                    AggFunc::Sum => "SUM(",
                    AggFunc::Avg => "AVG(",
                    AggFunc::Min => "MIN(",
                    AggFunc::Max => "MAX(",
                });
                if *distinct {
                    self.push("DISTINCT ");
                }
                // An aggregate's joins are the annotation's, LEFT OUTER (rows without
                // a related row count 0), wherever the aggregate is written.
                let inner = Ctx { negated: false, required: false, reuse: self.aggregate_reuse };
                match arg {
                    Some(arg) => self.expr_in(arg, Some(inner)),
                    None => self.push("*"),
                }
                self.push(")");
            }
        }
    }

    fn expr(&mut self, node: &ExprNode) {
        self.expr_in(node, None);
    }

    /// Writes a lookup. Under a negation a lookup must be two-valued (a lookup against
    /// NULL is false, as in Django), so nullable operands get `IS NOT NULL` guards:
    /// `NOT ("x" = ? AND "x" IS NOT NULL)`, Django's own SQL.
    fn guarded(&mut self, ctx: Ctx, bare: bool, operands: &[&ExprNode], body: impl FnOnce(&mut Self)) {
        let guards: Vec<&ExprNode> =
            if ctx.negated { operands.iter().copied().filter(|n| n.nullable()).collect() } else { Vec::new() };
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
    fn cond(&mut self, cond: &Cond, ctx: Ctx, bare: bool) {
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
                    self.push(", 0)");
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
                w.param(value.clone());
                w.push(")");
            }),
            Cond::Pattern { kind, fold, lhs, rhs } => self.guarded(ctx, bare, &[lhs, rhs], |w| {
                w.push(match (kind, fold) {
                    (PatternKind::Contains, false) => "orm_contains(",
                    (PatternKind::Contains, true) => "orm_icontains(",
                    (PatternKind::StartsWith, false) => "orm_startswith(",
                    (PatternKind::StartsWith, true) => "orm_istartswith(",
                    (PatternKind::EndsWith, false) => "orm_endswith(",
                    (PatternKind::EndsWith, true) => "orm_iendswith(",
                    (PatternKind::Exact, _) => "orm_iexact(",
                });
                w.expr_in(lhs, c);
                w.push(", ");
                w.expr_in(rhs, c);
                w.push(")");
            }),
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
            Cond::Not(inner) if touches_many(inner, self.root()) => {
                // Django's exclude across a many-valued relation: exclude the rows that
                // have *any* related row matching, through a subquery.
                self.push("NOT (");
                let root = self.root();
                self.column_at(self.plan.root_alias, root.pk_column().name);
                self.push(" IN (");
                let sub = subquery_pks(root, inner);
                self.sql.push_str(&sub.text);
                self.params.extend(sub.params);
                self.push("))");
            }
            Cond::Not(inner) => {
                self.push("NOT (");
                self.cond(inner, Ctx { negated: true, required: false, ..ctx }, true);
                self.push(")");
            }
            Cond::Nothing => self.push("0"),
            Cond::Everything => self.push("1"),
        }
    }

    /// The WHERE condition of a query, written first: it decides which joins are
    /// required.
    fn where_part(&mut self, query: &Query) -> Option<Part> {
        let filter = query.filter.as_ref()?;
        Some(self.part(|w| w.cond(filter, Ctx::WHERE, true)))
    }

    /// `GROUP BY ... HAVING ...` of an annotated query.
    fn group_part(&mut self, query: &Query) -> Part {
        self.part(|w| {
            // HAVING first: it decides its joins, and its plain columns join the
            // GROUP BY (Django groups by them too).
            let having = query.having.as_ref().map(|h| w.part(|w| w.cond(h, Ctx::HAVING, true)));
            let grouped: &[ExprNode] = match &query.group {
                Group::None => return,
                Group::Model => {
                    w.push(" GROUP BY ");
                    let root = w.root();
                    w.column_at(w.plan.root_alias, root.pk_column().name);
                    &[]
                }
                Group::Exprs(exprs) => {
                    w.push(" GROUP BY ");
                    w.expr_list(exprs);
                    exprs
                }
            };
            if let Some(cond) = &query.having {
                let mut extra: Vec<ExprNode> = Vec::new();
                cond.visit_plain(&mut |n| {
                    let is_column =
                        matches!(n, ExprNode::Column { path, .. } if !path.is_root() || !grouped.is_empty());
                    if is_column && !grouped.contains(n) && !extra.contains(n) {
                        extra.push(n.clone());
                    }
                });
                for n in &extra {
                    w.push(", ");
                    w.expr_in(n, Some(Ctx::HAVING));
                }
            }
            if let Some(having) = having {
                w.push(" HAVING ");
                w.append(having);
            }
        })
    }

    fn order_part(&mut self, terms: &[OrderBy]) -> Part {
        self.part(|w| {
            for (i, term) in terms.iter().enumerate() {
                w.push(if i == 0 { " ORDER BY " } else { ", " });
                w.expr(&term.node);
                w.push(if term.desc { " DESC" } else { " ASC" });
            }
        })
    }

    /// `LIMIT n OFFSET m` with literal numbers, as Django writes them: SQLite re-plans a
    /// statement whose `LIMIT` is a bound parameter every time it is bound (about 5 µs
    /// a query, measured), while a literal keeps the cached statement's plan. The
    /// numbers are the crate's own integers, never user text.
    fn limit(&mut self, query: &Query) {
        use std::fmt::Write;
        match query.high {
            Some(high) => {
                let _ = write!(self.sql, " LIMIT {}", clamp(high - query.low));
            }
            None if query.low > 0 => self.push(" LIMIT -1"),
            None => return,
        }
        if query.low > 0 {
            let _ = write!(self.sql, " OFFSET {}", clamp(query.low));
        }
    }

    fn model_columns_at(&mut self, meta: &ModelMeta, alias: &str) {
        for (i, col) in meta.columns.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.column_at(alias, col.name);
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

    fn select_list(&mut self, query: &Query, columns: &Columns<'_>, ordering: &[OrderBy]) -> Part {
        self.part(|w| match columns {
            Columns::Model => w.model_columns(query),
            Columns::ModelAnd(exprs) => {
                w.model_columns(query);
                for e in exprs.iter() {
                    w.push(", ");
                    w.expr(e);
                }
            }
            Columns::Exprs(exprs) => {
                w.expr_list(exprs);
                // Django adds the ordering's columns to a DISTINCT select list (see its
                // docs on distinct()); the extra columns are not decoded.
                if query.distinct {
                    for term in ordering {
                        if !exprs.contains(&term.node) {
                            w.push(", ");
                            w.expr(&term.node);
                        }
                    }
                }
            }
        })
    }

    fn expr_list(&mut self, exprs: &[ExprNode]) {
        for (i, e) in exprs.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(e);
        }
    }

    /// `FROM root JOIN ... WHERE ...`, once every part has resolved its joins.
    fn write_from_joins_where(&mut self, where_part: Option<Part>) {
        self.push(" FROM ");
        self.ident(self.root().table);
        self.plan.write(&mut self.sql, |ident, out| DIALECT.quote(ident, out));
        if let Some(part) = where_part {
            self.push(" WHERE ");
            self.append(part);
        }
    }

    pub(crate) fn finish(self) -> Sql {
        Sql { text: self.sql, params: self.params }
    }
}

/// Whether a condition follows a many-valued relation outside aggregates (and so,
/// negated, needs a subquery; a negated aggregate is a plain NOT in HAVING).
fn touches_many(cond: &Cond, root: &'static ModelMeta) -> bool {
    let mut many = false;
    cond.visit_plain(&mut |node| {
        if let ExprNode::Column { path, .. } = node {
            many |= path.relations(root).iter().any(|r| r.is_many());
        }
    });
    many
}

/// `SELECT root.pk FROM root JOIN ... WHERE cond`: the keys of the rows that have a
/// related row matching `cond`.
fn subquery_pks(root: &'static ModelMeta, cond: &Cond) -> Sql {
    let mut w = Writer::new(root);
    let where_part = w.part(|w| w.cond(cond, Ctx::WHERE, true));
    w.push("SELECT ");
    w.column_at(w.plan.root_alias, root.pk_column().name);
    w.write_from_joins_where(Some(where_part));
    w.finish()
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

const LINK_ALIAS: &str = "orm_link";

impl Writer {
    /// `col IN (?, ?, ...)` with the list padded to a power of two (the last key
    /// repeated), so that a handful of cached statements serve every batch size; past
    /// [`MAX_LISTED_KEYS`], `col IN (SELECT value FROM json_each(?))`, one parameter
    /// whatever the number of keys. SQLite runs the plain list faster (json_each parses
    /// its text at each execution: about 15% slower on the loading_associations
    /// benchmark), and the JSON form keeps huge batches under SQLite's limit on
    /// parameters. Keys that JSON cannot carry exactly (blobs, floats) always use a list.
    fn in_keys(&mut self, alias: &str, column: &str, keys: &[Value]) {
        self.column_at(alias, column);
        if keys.len() > MAX_LISTED_KEYS {
            if let Some(json) = json_array(keys) {
                self.push(" IN (SELECT value FROM json_each(");
                self.param(Value::Text(json));
                self.push("))");
                return;
            }
        }
        let slots = match keys.len() {
            0 => 0, // `IN ()`: SQLite's empty list, true of no row
            n if n > MAX_LISTED_KEYS => n,
            n => n.next_power_of_two(),
        };
        self.push(" IN (");
        for i in 0..slots {
            if i > 0 {
                self.push(", ");
            }
            // Past the keys, repeat the last one: a duplicate changes nothing.
            self.param(keys[i.min(keys.len() - 1)].clone());
        }
        self.push(")");
    }
}

/// The most keys a prefetch query lists as parameters (see `Writer::in_keys`).
const MAX_LISTED_KEYS: usize = 1024;

/// Keys as a JSON array, if they are all integers or text.
fn json_array(keys: &[Value]) -> Option<String> {
    use std::fmt::Write;
    let mut out = String::with_capacity(keys.len() * 8 + 2);
    out.push('[');
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match k {
            Value::Int16(_) | Value::Int32(_) | Value::Integer(_) => {
                let _ = write!(out, "{}", k.as_i64().expect("an integer"));
            }
            Value::Text(t) => {
                out.push('"');
                for ch in t.chars() {
                    match ch {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        c if (c as u32) < 0x20 => {
                            let _ = write!(out, "\\u{:04x}", c as u32);
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            _ => return None,
        }
    }
    out.push(']');
    Some(out)
}

/// `SELECT cols FROM t JOIN ... WHERE ... ORDER BY ... LIMIT n OFFSET m`
pub(crate) fn select(query: &Query, columns: Columns<'_>) -> Sql {
    let mut w = Writer::for_query(query);
    let ordering = query.ordering();
    let mut where_part = w.where_part(query);
    if let Some(link) = &query.link {
        let alias = if link.through.is_some() { LINK_ALIAS } else { w.plan.root_alias };
        let mut part = w.part(|w| w.in_keys(alias, link.column, &link.keys));
        if let Some(filter) = where_part {
            part.sql = format!("{} AND ({})", part.sql, filter.sql);
            part.params.extend(filter.params);
        }
        where_part = Some(part);
    }
    let mut select = w.select_list(query, &columns, &ordering);
    if let Some(link) = query.link.as_ref().filter(|l| l.through.is_some()) {
        // A through table's column; a column of the model itself is selected already.
        let mut extra = String::from(", ");
        DIALECT.quote(LINK_ALIAS, &mut extra);
        extra.push('.');
        DIALECT.quote(link.column, &mut extra);
        select.sql.push_str(&extra);
    }
    let group = w.group_part(query);
    let order = w.order_part(&ordering);
    w.push(if query.distinct { "SELECT DISTINCT " } else { "SELECT " });
    // Parameters follow the text: select list, WHERE, GROUP BY/HAVING, ORDER BY.
    w.append(select);
    w.push(" FROM ");
    w.ident(query.meta.table);
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
    w.plan.write(&mut w.sql, |ident, out| DIALECT.quote(ident, out));
    if let Some(part) = where_part {
        w.push(" WHERE ");
        w.append(part);
    }
    w.append(group);
    w.append(order);
    w.limit(query);
    w.finish()
}

/// `SELECT COUNT(*) ...`; a sliced or distinct query is counted as a subquery, as
/// Django does.
pub(crate) fn count(query: &Query) -> Sql {
    aggregate(query, &[ExprNode::Aggregate { func: AggFunc::Count, arg: None, distinct: false }])
}

/// `SELECT AGG(..), ... FROM t WHERE ...`; ordering is dropped unless sliced.
pub(crate) fn aggregate(query: &Query, exprs: &[ExprNode]) -> Sql {
    let mut w = Writer::for_query(query);
    if query.is_sliced() || query.distinct {
        // The aggregates run over a subquery that keeps the slice (or the distinct
        // rows); it is aliased as the root table so the expressions read its columns.
        let inner = {
            let mut inner = Writer::for_query(query);
            let ordering = if query.is_sliced() { query.ordering() } else { Vec::new() };
            let where_part = inner.where_part(query);
            let order = inner.order_part(&ordering);
            inner.push(if query.distinct { "SELECT DISTINCT " } else { "SELECT " });
            inner.model_columns_at(query.meta, inner.plan.root_alias);
            inner.write_from_joins_where(where_part);
            inner.append(order);
            inner.limit(query);
            inner.finish()
        };
        let list = w.part(|w| w.expr_list(exprs));
        w.push("SELECT ");
        w.append(list);
        w.push(" FROM (");
        w.append(Part { sql: inner.text, params: inner.params });
        w.push(") ");
        w.ident(query.meta.table);
        w.plan.write(&mut w.sql, |ident, out| DIALECT.quote(ident, out));
    } else {
        let where_part = w.where_part(query);
        let list = w.part(|w| w.expr_list(exprs));
        w.push("SELECT ");
        w.append(list);
        w.write_from_joins_where(where_part);
    }
    w.finish()
}

/// `SELECT 1 FROM t WHERE ... LIMIT 1 [OFFSET m]`, ordering dropped (Django's `exists()`).
pub(crate) fn exists(query: &Query) -> Sql {
    let mut w = Writer::new(query.meta);
    let where_part = w.where_part(query);
    w.push(if query.distinct { "SELECT DISTINCT 1" } else { "SELECT 1" });
    w.write_from_joins_where(where_part);
    w.push(" LIMIT 1");
    if query.low > 0 {
        use std::fmt::Write;
        let _ = write!(w.sql, " OFFSET {}", clamp(query.low));
    }
    w.finish()
}

/// The WHERE of an UPDATE or DELETE: the condition itself, or `pk IN (subquery)` when
/// it follows relations (SQLite's UPDATE and DELETE cannot join).
fn write_filter_without_joins(w: &mut Writer, query: &Query) {
    let Some(filter) = &query.filter else { return };
    let mut probe = Writer::new(query.meta);
    let part = probe.part(|p| p.cond(filter, Ctx::WHERE, true));
    w.push(" WHERE ");
    if probe.plan.is_empty() {
        w.append(part);
    } else {
        let sub = subquery_pks(query.meta, filter);
        w.column_at(w.plan.root_alias, query.meta.pk_column().name);
        w.push(" IN (");
        w.append(Part { sql: sub.text, params: sub.params });
        w.push(")");
    }
}

/// `UPDATE t SET a = ?, ... WHERE ...`
pub(crate) fn update(query: &Query, assignments: &[Assignment]) -> Sql {
    let mut w = Writer::new(query.meta);
    w.push("UPDATE ");
    w.ident(query.meta.table);
    w.push(" SET ");
    for (i, a) in assignments.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(a.meta.columns[usize::from(a.column)].name);
        w.push(" = ");
        w.expr(&a.value);
    }
    write_filter_without_joins(&mut w, query);
    w.finish()
}

/// `DELETE FROM t WHERE ...`
pub(crate) fn delete(query: &Query) -> Sql {
    let mut w = Writer::new(query.meta);
    w.push("DELETE FROM ");
    w.ident(query.meta.table);
    write_filter_without_joins(&mut w, query);
    w.finish()
}

/// `INSERT INTO t (cols) VALUES (?, ...), ... [RETURNING pk]`; the caller binds the
/// values. `with_pk` includes an auto primary key column.
pub(crate) fn insert(meta: &'static ModelMeta, rows: usize, with_pk: bool, returning: bool) -> String {
    let mut w = Writer::new(meta);
    w.push("INSERT INTO ");
    w.ident(meta.table);
    w.push(" (");
    let mut n = 0;
    for (i, col) in meta.columns.iter().enumerate() {
        if i == meta.pk && meta.auto_pk && !with_pk {
            continue;
        }
        if n > 0 {
            w.push(", ");
        }
        w.ident(col.name);
        n += 1;
    }
    // A model of an auto key alone: each row names the key as NULL, which the
    // database fills in (`VALUES ()` is not SQL).
    let only_key = n == 0;
    if only_key {
        w.ident(meta.pk_column().name);
    }
    w.push(") VALUES ");
    for r in 0..rows {
        if r > 0 {
            w.push(", ");
        }
        w.push("(");
        if only_key {
            w.push("NULL");
        }
        for i in 0..n {
            if i > 0 {
                w.push(", ");
            }
            w.push("?");
        }
        w.push(")");
    }
    if returning {
        w.push(" RETURNING ");
        w.ident(meta.table);
        w.push(".");
        w.ident(meta.pk_column().name);
    }
    w.sql
}

pub(crate) use keyed::*;

/// `UPDATE t SET every non-key column = ? WHERE pk = ? [AND pk2 = ?]`
pub(crate) fn update_by_pk(meta: &'static ModelMeta) -> String {
    let mut w = Writer::new(meta);
    w.push("UPDATE ");
    w.ident(meta.table);
    w.push(" SET ");
    let mut first = true;
    for (i, col) in meta.columns.iter().enumerate() {
        if meta.pk_columns.contains(&i) {
            continue;
        }
        if !first {
            w.push(", ");
        }
        first = false;
        w.ident(col.name);
        w.push(" = ?");
    }
    for (i, &c) in meta.pk_columns.iter().enumerate() {
        w.push(if i == 0 { " WHERE " } else { " AND " });
        w.ident(meta.table);
        w.push(".");
        w.ident(meta.columns[c].name);
        w.push(" = ?");
    }
    w.sql
}
