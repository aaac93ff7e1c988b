//! The SQL compiler: the one place that turns a query description into SQL text and
//! parameters. Every value becomes a bound parameter; every identifier goes through
//! [`Dialect::quote`].

use super::expr::{AggFunc, ArithOp, Assignment, CmpOp, Cond, ExprNode, OrderBy, PatternKind};
use super::Query;
use crate::model::{ModelMeta, Path};
use crate::types::Value;

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
        out.push('"');
        for ch in ident.chars() {
            if ch == '"' {
                out.push('"');
            }
            out.push(ch);
        }
        out.push('"');
    }

    fn placeholder(&self, _n: usize, out: &mut String) {
        out.push('?');
    }
}

const DIALECT: Sqlite = Sqlite;

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
        f.write_str(&self.text)?;
        if !self.params.is_empty() {
            f.write_str(" -- params: [")?;
            for (i, p) in self.params.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{p}")?;
            }
            f.write_str("]")?;
        }
        Ok(())
    }
}

/// What a SELECT returns.
pub(crate) enum Columns<'a> {
    /// Every column of the query's model.
    Model,
    /// These expressions.
    Exprs(&'a [ExprNode]),
}

pub(crate) struct Writer {
    sql: String,
    params: Vec<Value>,
    root: &'static ModelMeta,
}

impl Writer {
    pub(crate) fn new(root: &'static ModelMeta) -> Self {
        Writer { sql: String::with_capacity(128), params: Vec::new(), root }
    }

    pub(crate) fn finish(self) -> Sql {
        Sql { text: self.sql, params: self.params }
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

    fn table_ref(&mut self, meta: &ModelMeta, path: Path) {
        debug_assert!(path.is_root(), "relations are resolved by the join planner");
        let _ = path;
        self.ident(meta.table);
    }

    fn column(&mut self, meta: &ModelMeta, column: u16, path: Path) {
        self.table_ref(meta, path);
        self.sql.push('.');
        self.ident(meta.columns[usize::from(column)].name);
    }

    fn expr(&mut self, node: &ExprNode) {
        match node {
            ExprNode::Column { meta, column, path } => self.column(meta, *column, *path),
            ExprNode::Value(v) => self.param(v.clone()),
            ExprNode::Arith { op, lhs, rhs } => {
                self.push("(");
                self.expr(lhs);
                self.push(match op {
                    ArithOp::Add => " + ",
                    ArithOp::Sub => " - ",
                    ArithOp::Mul => " * ",
                    ArithOp::Div => " / ",
                });
                self.expr(rhs);
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
                match arg {
                    Some(arg) => self.expr(arg),
                    None => self.push("*"),
                }
                self.push(")");
            }
        }
    }

    /// Writes a lookup. Under a negation a lookup must be two-valued (a lookup against
    /// NULL is false, as in Django), so nullable operands get `IS NOT NULL` guards:
    /// `NOT ("x" = ? AND "x" IS NOT NULL)`, Django's own SQL.
    fn guarded(&mut self, negated: bool, bare: bool, operands: &[&ExprNode], body: impl FnOnce(&mut Self)) {
        let guards: Vec<&ExprNode> =
            if negated { operands.iter().copied().filter(|n| n.nullable()).collect() } else { Vec::new() };
        let parens = !guards.is_empty() && !bare;
        if parens {
            self.push("(");
        }
        body(self);
        for g in guards {
            self.push(" AND ");
            self.expr(g);
            self.push(" IS NOT NULL");
        }
        if parens {
            self.push(")");
        }
    }

    /// Writes a condition. `bare`: the caller parenthesizes, so a compound need not.
    pub(crate) fn cond(&mut self, cond: &Cond, negated: bool, bare: bool) {
        match cond {
            Cond::Compare(op, lhs, rhs) => self.guarded(negated, bare, &[lhs, rhs], |w| {
                w.expr(lhs);
                w.push(match op {
                    CmpOp::Eq => " = ",
                    CmpOp::Gt => " > ",
                    CmpOp::Gte => " >= ",
                    CmpOp::Lt => " < ",
                    CmpOp::Lte => " <= ",
                });
                w.expr(rhs);
            }),
            Cond::In(lhs, list) => {
                // `x IN (1, col)` is true for x = 1 even if col is NULL, so an IS NOT NULL
                // guard on a list item would be wrong: COALESCE makes it two-valued.
                let coalesce = negated && list.iter().any(ExprNode::nullable);
                if coalesce {
                    self.push("COALESCE(");
                }
                let lhs_guard: &[&ExprNode] = if coalesce { &[] } else { &[lhs] };
                self.guarded(negated, bare || coalesce, lhs_guard, |w| {
                    w.expr(lhs);
                    w.push(" IN (");
                    for (i, item) in list.iter().enumerate() {
                        if i > 0 {
                            w.push(", ");
                        }
                        w.expr(item);
                    }
                    w.push(")");
                });
                if coalesce {
                    self.push(", 0)");
                }
            }
            Cond::Pattern { kind, fold, lhs, rhs } => self.guarded(negated, bare, &[lhs, rhs], |w| {
                w.push(match (kind, fold) {
                    (PatternKind::Contains, false) => "orm_contains(",
                    (PatternKind::Contains, true) => "orm_icontains(",
                    (PatternKind::StartsWith, false) => "orm_startswith(",
                    (PatternKind::StartsWith, true) => "orm_istartswith(",
                    (PatternKind::EndsWith, false) => "orm_endswith(",
                    (PatternKind::EndsWith, true) => "orm_iendswith(",
                    (PatternKind::Exact, _) => "orm_iexact(",
                });
                w.expr(lhs);
                w.push(", ");
                w.expr(rhs);
                w.push(")");
            }),
            Cond::Range(lhs, lo, hi) => self.guarded(negated, bare, &[lhs, lo, hi], |w| {
                w.expr(lhs);
                w.push(" BETWEEN ");
                w.expr(lo);
                w.push(" AND ");
                w.expr(hi);
            }),
            Cond::IsNull(expr, is_null) => {
                self.expr(expr);
                self.push(if *is_null { " IS NULL" } else { " IS NOT NULL" });
            }
            Cond::And(items) | Cond::Or(items) => {
                let sep = if matches!(cond, Cond::And(_)) { " AND " } else { " OR " };
                if !bare {
                    self.push("(");
                }
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(sep);
                    }
                    self.cond(item, negated, false);
                }
                if !bare {
                    self.push(")");
                }
            }
            Cond::Not(inner) => {
                self.push("NOT (");
                self.cond(inner, true, true);
                self.push(")");
            }
            Cond::Nothing => self.push("0"),
            Cond::Everything => self.push("1"),
        }
    }

    fn source_and_filter(&mut self, query: &Query) {
        self.push(" FROM ");
        self.ident(self.root.table);
        if let Some(filter) = &query.filter {
            self.push(" WHERE ");
            self.cond(filter, false, true);
        }
    }

    fn order_by(&mut self, terms: &[OrderBy]) {
        for (i, term) in terms.iter().enumerate() {
            self.push(if i == 0 { " ORDER BY " } else { ", " });
            self.expr(&term.node);
            self.push(if term.desc { " DESC" } else { " ASC" });
        }
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

    fn model_columns(&mut self) {
        for (i, col) in self.root.columns.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.ident(self.root.table);
            self.push(".");
            self.ident(col.name);
        }
    }

    fn select_body(&mut self, query: &Query, columns: &Columns<'_>, ordering: &[OrderBy]) {
        self.push(if query.distinct { "SELECT DISTINCT " } else { "SELECT " });
        match columns {
            Columns::Model => self.model_columns(),
            Columns::Exprs(exprs) => {
                for (i, e) in exprs.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.expr(e);
                }
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
        self.source_and_filter(query);
    }
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `SELECT cols FROM t WHERE ... ORDER BY ... LIMIT ? OFFSET ?`
pub(crate) fn select(query: &Query, columns: Columns<'_>) -> Sql {
    let mut w = Writer::new(query.meta);
    let ordering = query.ordering();
    w.select_body(query, &columns, &ordering);
    w.order_by(&ordering);
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
    let mut w = Writer::new(query.meta);
    if query.is_sliced() || query.distinct {
        w.push("SELECT ");
        write_list(&mut w, exprs);
        w.push(" FROM (");
        let ordering = if query.is_sliced() { query.ordering() } else { Vec::new() };
        w.push(if query.distinct { "SELECT DISTINCT " } else { "SELECT " });
        w.model_columns();
        w.source_and_filter(query);
        w.order_by(&ordering);
        w.limit(query);
        w.push(") ");
        w.ident(query.meta.table);
    } else {
        w.push("SELECT ");
        write_list(&mut w, exprs);
        w.source_and_filter(query);
    }
    w.finish()
}

fn write_list(w: &mut Writer, exprs: &[ExprNode]) {
    for (i, e) in exprs.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.expr(e);
    }
}

/// `SELECT 1 FROM t WHERE ... LIMIT 1 [OFFSET ?]`, ordering dropped (Django's `exists()`).
pub(crate) fn exists(query: &Query) -> Sql {
    let mut w = Writer::new(query.meta);
    w.push(if query.distinct { "SELECT DISTINCT 1" } else { "SELECT 1" });
    w.source_and_filter(query);
    w.push(" LIMIT 1");
    if query.low > 0 {
        use std::fmt::Write;
        let _ = write!(w.sql, " OFFSET {}", clamp(query.low));
    }
    w.finish()
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
    if let Some(filter) = &query.filter {
        w.push(" WHERE ");
        w.cond(filter, false, true);
    }
    w.finish()
}

/// `DELETE FROM t WHERE ...`
pub(crate) fn delete(query: &Query) -> Sql {
    let mut w = Writer::new(query.meta);
    w.push("DELETE");
    w.source_and_filter(query);
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
    w.push(") VALUES ");
    for r in 0..rows {
        if r > 0 {
            w.push(", ");
        }
        w.push("(");
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

/// `UPDATE t SET every non-key column = ? WHERE pk = ?`
pub(crate) fn update_by_pk(meta: &'static ModelMeta) -> String {
    let mut w = Writer::new(meta);
    w.push("UPDATE ");
    w.ident(meta.table);
    w.push(" SET ");
    let mut first = true;
    for (i, col) in meta.columns.iter().enumerate() {
        if i == meta.pk {
            continue;
        }
        if !first {
            w.push(", ");
        }
        first = false;
        w.ident(col.name);
        w.push(" = ?");
    }
    w.push(" WHERE ");
    w.ident(meta.table);
    w.push(".");
    w.ident(meta.pk_column().name);
    w.push(" = ?");
    w.sql
}

/// The `CREATE TABLE` and `CREATE INDEX` statements of a model.
pub(crate) fn create_table(meta: &'static ModelMeta) -> Vec<String> {
    let mut w = Writer::new(meta);
    w.push("CREATE TABLE IF NOT EXISTS ");
    w.ident(meta.table);
    w.push(" (");
    for (i, col) in meta.columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(col.name);
        w.push(" ");
        w.push(col.sql_type);
        if !col.nullable {
            w.push(" NOT NULL");
        }
        if col.primary_key {
            w.push(" PRIMARY KEY");
            if meta.auto_pk {
                w.push(" AUTOINCREMENT");
            }
        }
        if col.unique && !col.primary_key {
            w.push(" UNIQUE");
        }
        if let Some(default) = col.default {
            w.push(" DEFAULT ");
            w.push(default);
        }
        if let Some(max) = col.max_length {
            w.push(" CHECK (length(");
            w.ident(col.name);
            w.push(&format!(") <= {max})"));
        }
    }
    for group in meta.unique_together {
        w.push(", UNIQUE (");
        column_list(&mut w, meta, group);
        w.push(")");
    }
    w.push(")");
    let mut out = vec![w.sql];
    let mut index = |name_cols: &[usize]| {
        let mut w = Writer::new(meta);
        let name: Vec<&str> = name_cols.iter().map(|&c| meta.columns[c].name).collect();
        w.push("CREATE INDEX IF NOT EXISTS ");
        w.ident(&format!("{}_{}_idx", meta.table, name.join("_")));
        w.push(" ON ");
        w.ident(meta.table);
        w.push(" (");
        column_list(&mut w, meta, name_cols);
        w.push(")");
        out.push(w.sql);
    };
    for (i, col) in meta.columns.iter().enumerate() {
        if col.index && !col.unique && !col.primary_key {
            index(&[i]);
        }
    }
    for group in meta.index_together {
        index(group);
    }
    out
}

fn column_list(w: &mut Writer, meta: &ModelMeta, cols: &[usize]) {
    for (i, &c) in cols.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(meta.columns[c].name);
    }
}
