//! The query description's expression and condition trees: what the typed API builds
//! and the SQL writer reads.

use super::functions::{Func, NullsOrder};
use super::subquery::{DatePart, Subquery, TruncUnit};
use crate::meta::{ModelMeta, Path};
use crate::value::{ColumnType, Value};

/// An untyped expression node. Built by the typed API; read by the SQL compiler.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum ExprNode {
    /// A column of the model reached by `path` from the query's model.
    Column {
        /// The model the column belongs to.
        meta: &'static ModelMeta,
        /// The column's index in `meta.columns`.
        column: u16,
        /// The relations followed from the query's model.
        path: Path,
    },
    /// A bound parameter.
    Value(Value),
    /// `lhs op rhs`.
    Arith {
        /// The operator.
        op: ArithOp,
        /// Left operand.
        lhs: Box<ExprNode>,
        /// Right operand.
        rhs: Box<ExprNode>,
    },
    /// An aggregate function.
    Aggregate {
        /// The function.
        func: AggFunc,
        /// Its argument (`None` for `COUNT(*)`).
        arg: Option<Box<ExprNode>>,
        /// `COUNT(DISTINCT ...)`.
        distinct: bool,
    },
    // Subqueries and date parts (`ast/subquery.rs`, written by `sql/subquery.rs`).
    /// `(SELECT one column ..)`, one row at most: Django's `Subquery`.
    Subquery(Subquery),
    /// A column of the query around a subquery (Django's `OuterRef`).
    OuterColumn {
        /// The model the column belongs to.
        meta: &'static ModelMeta,
        /// The column's index in `meta.columns`.
        column: u16,
        /// The relations followed from the outer query's model.
        path: Path,
    },
    /// A part of a date or time as an integer (Django's `Extract`, `__month`).
    Extract {
        /// Which part.
        part: DatePart,
        /// The date or datetime.
        arg: Box<ExprNode>,
        /// What `arg` holds: a date, a timestamp or a UTC timestamp.
        column_type: ColumnType,
    },
    /// A date or datetime truncated to a unit (Django's `Trunc`, `__date`).
    Trunc {
        /// To what.
        unit: TruncUnit,
        /// The date or datetime.
        arg: Box<ExprNode>,
        /// What `arg` holds.
        column_type: ColumnType,
    },
    // Conditional expressions, functions and casts (see `functions.rs`).
    /// A function call: `COALESCE(..)`, `LOWER(..)`, `ROUND(..)`, ...
    Func {
        /// The function.
        func: Func,
        /// Its arguments.
        args: Vec<ExprNode>,
    },
    /// `CASE WHEN cond THEN value ... [ELSE default] END`.
    Case {
        /// The branches, in order: the first whose condition holds gives the value.
        whens: Vec<(Cond, ExprNode)>,
        /// The value when no condition holds (`NULL` without one).
        default: Option<Box<ExprNode>>,
    },
    /// `CAST(expr AS type)`.
    Cast {
        /// The expression converted.
        expr: Box<ExprNode>,
        /// The type it becomes.
        to: ColumnType,
    },
    /// An aggregate over the rows that meet a condition:
    /// `COUNT(..) FILTER (WHERE cond)` (Django's `Count(.., filter=Q(..))`).
    FilteredAggregate {
        /// The function.
        func: AggFunc,
        /// Its argument (`None` for `COUNT(*)`).
        arg: Option<Box<ExprNode>>,
        /// `COUNT(DISTINCT ...)`.
        distinct: bool,
        /// The rows aggregated.
        filter: Box<Cond>,
    },
    /// A path into a JSON column: the value at `steps` (JSON, or with `text` its text),
    /// `NULL` where the path leads nowhere.
    Json {
        /// The JSON column or expression.
        base: Box<ExprNode>,
        /// The keys and indexes followed.
        steps: Vec<JsonStep>,
        /// The value as text (a string without its quotes) rather than as JSON.
        text: bool,
    },
}

/// One step of a JSON path.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonStep {
    /// An object's member.
    Key(String),
    /// An array's element (from 0; negative counts from the end on neither backend).
    Index(u32),
}

impl ExprNode {
    /// Whether the expression can evaluate to SQL `NULL`.
    pub(crate) fn nullable(&self) -> bool {
        match self {
            ExprNode::Column { meta, column, path } => meta.columns[usize::from(*column)].nullable || !path.is_root(),
            ExprNode::Value(v) => *v == Value::Null,
            // Division by zero gives NULL in SQLite.
            ExprNode::Arith { op, lhs, rhs } => *op == ArithOp::Div || lhs.nullable() || rhs.nullable(),
            ExprNode::Aggregate { func, .. } => *func != AggFunc::Count,
            ExprNode::Json { .. } => true,
            ExprNode::Func { func, args } => func.nullable(args),
            ExprNode::Case { whens, default } => {
                default.as_ref().is_none_or(|d| d.nullable()) || whens.iter().any(|(_, v)| v.nullable())
            }
            ExprNode::Cast { expr, .. } => expr.nullable(),
            ExprNode::FilteredAggregate { func, .. } => *func != AggFunc::Count,
            ExprNode::Subquery(_) => true,
            ExprNode::OuterColumn { meta, column, path } => {
                meta.columns[usize::from(*column)].nullable || !path.is_root()
            }
            ExprNode::Extract { arg, .. } | ExprNode::Trunc { arg, .. } => arg.nullable(),
        }
    }
}

/// An arithmetic operator.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// An aggregate function.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `COUNT`
    Count,
    /// `SUM`
    Sum,
    /// `AVG`
    Avg,
    /// `MIN`
    Min,
    /// `MAX`
    Max,
}

/// A comparison operator.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
}

/// A text lookup.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// `contains`
    Contains,
    /// `startswith`
    StartsWith,
    /// `endswith`
    EndsWith,
    /// `iexact` (only with `fold`)
    Exact,
}

/// A condition tree: what `filter` and `exclude` hold.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `lhs op rhs`
    Compare(CmpOp, ExprNode, ExprNode),
    /// `lhs IN (list)`; never empty (an empty list is `Nothing`).
    In(ExprNode, Vec<ExprNode>),
    /// A text lookup; `fold` makes it case-insensitive.
    Pattern {
        /// Which lookup.
        kind: PatternKind,
        /// Fold case (the `i` lookups).
        fold: bool,
        /// The column or expression searched.
        lhs: ExprNode,
        /// The text searched for.
        rhs: ExprNode,
    },
    /// `lhs BETWEEN lo AND hi`
    Range(ExprNode, ExprNode, ExprNode),
    /// `lhs IN (SELECT table.select FROM table WHERE table.column = value)`: the rows
    /// linked through a ManyToMany's through table.
    InSubquery {
        /// The column compared.
        lhs: ExprNode,
        /// The through table.
        table: &'static str,
        /// The column selected.
        select: &'static str,
        /// The column matched against `value`.
        column: &'static str,
        /// The owner's key.
        value: Value,
    },
    // Subqueries (`ast/subquery.rs`).
    /// `lhs IN (SELECT one column ..)`: Django's `__in=queryset`.
    InQuery(ExprNode, Subquery),
    /// `EXISTS(SELECT 1 ..)`: Django's `Exists(queryset)` (negated with `!`).
    Exists(Subquery),
    /// `expr IS NULL` (`true`) or `IS NOT NULL` (`false`).
    IsNull(ExprNode, bool),
    /// All of them.
    And(Vec<Cond>),
    /// Any of them.
    Or(Vec<Cond>),
    /// Boolean negation, with Django's NULL semantics.
    Not(Box<Cond>),
    /// Matches no row: the query need not run (Django's `EmptyResultSet`).
    Nothing,
    /// Matches every row.
    Everything,
}

impl ExprNode {
    /// What the expression computes, for errors: `MAX(Book.price_cents)`.
    pub(crate) fn describe(&self) -> String {
        match self {
            ExprNode::Column { meta, column, .. } => {
                format!("{}.{}", meta.name, meta.columns[usize::from(*column)].field)
            }
            ExprNode::Value(v) => v.to_string(),
            ExprNode::Arith { op, lhs, rhs } => {
                let op = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                };
                format!("({} {op} {})", lhs.describe(), rhs.describe())
            }
            ExprNode::Aggregate { func, arg, distinct } => {
                let func = match func {
                    AggFunc::Count => "COUNT",
                    AggFunc::Sum => "SUM",
                    AggFunc::Avg => "AVG",
                    AggFunc::Min => "MIN",
                    AggFunc::Max => "MAX",
                };
                let arg = arg.as_ref().map_or_else(|| "*".to_owned(), |a| a.describe());
                format!("{func}({}{arg})", if *distinct { "DISTINCT " } else { "" })
            }
            ExprNode::Subquery(sub) => format!("Subquery({})", sub.model_name()),
            ExprNode::OuterColumn { meta, column, .. } => {
                format!("OuterRef({}.{})", meta.name, meta.columns[usize::from(*column)].field)
            }
            ExprNode::Extract { part, arg, .. } => format!("Extract{part:?}({})", arg.describe()),
            ExprNode::Trunc { unit, arg, .. } => format!("Trunc{unit:?}({})", arg.describe()),
            ExprNode::Json { base, steps, .. } => {
                let mut out = base.describe();
                for step in steps {
                    match step {
                        JsonStep::Key(key) => out.push_str(&format!("[{key:?}]")),
                        JsonStep::Index(i) => out.push_str(&format!("[{i}]")),
                    }
                }
                out
            }
            other => other.describe_more(),
        }
    }

    /// Calls `f` on this node and every node below it.
    pub(crate) fn visit(&self, f: &mut impl FnMut(&ExprNode)) {
        f(self);
        match self {
            ExprNode::Arith { lhs, rhs, .. } => {
                lhs.visit(f);
                rhs.visit(f);
            }
            ExprNode::Aggregate { arg: Some(arg), .. } => arg.visit(f),
            ExprNode::Json { base, .. } => base.visit(f),
            ExprNode::Func { args, .. } => args.iter().for_each(|a| a.visit(f)),
            ExprNode::Case { whens, default } => {
                for (cond, value) in whens {
                    cond.visit_nodes(f);
                    value.visit(f);
                }
                if let Some(d) = default {
                    d.visit(f);
                }
            }
            ExprNode::Cast { expr, .. } => expr.visit(f),
            ExprNode::FilteredAggregate { arg, filter, .. } => {
                if let Some(arg) = arg {
                    arg.visit(f);
                }
                filter.visit_nodes(f);
            }
            ExprNode::Extract { arg, .. } | ExprNode::Trunc { arg, .. } => arg.visit(f),
            _ => {}
        }
    }

    /// Calls `f` on every node outside aggregates (an aggregate node itself included,
    /// not its argument).
    pub(crate) fn visit_plain<'a>(&'a self, f: &mut impl FnMut(&'a ExprNode)) {
        f(self);
        match self {
            ExprNode::Arith { lhs, rhs, .. } => {
                lhs.visit_plain(f);
                rhs.visit_plain(f);
            }
            ExprNode::Json { base, .. } => base.visit_plain(f),
            ExprNode::Func { args, .. } => args.iter().for_each(|a| a.visit_plain(f)),
            ExprNode::Case { whens, default } => {
                for (cond, value) in whens {
                    cond.visit_plain(f);
                    value.visit_plain(f);
                }
                if let Some(d) = default {
                    d.visit_plain(f);
                }
            }
            ExprNode::Cast { expr, .. } => expr.visit_plain(f),
            ExprNode::Extract { arg, .. } | ExprNode::Trunc { arg, .. } => arg.visit_plain(f),
            _ => {}
        }
    }

    /// Calls `f` on every column path outside aggregates.
    pub(crate) fn plain_paths_mut(&mut self, f: &mut impl FnMut(&mut Path)) {
        match self {
            ExprNode::Column { path, .. } => f(path),
            ExprNode::Arith { lhs, rhs, .. } => {
                lhs.plain_paths_mut(f);
                rhs.plain_paths_mut(f);
            }
            ExprNode::Func { args, .. } => args.iter_mut().for_each(|a| a.plain_paths_mut(f)),
            ExprNode::Case { whens, default } => {
                for (cond, value) in whens {
                    cond.plain_paths_mut(f);
                    value.plain_paths_mut(f);
                }
                if let Some(d) = default {
                    d.plain_paths_mut(f);
                }
            }
            ExprNode::Cast { expr, .. } => expr.plain_paths_mut(f),
            ExprNode::Json { base, .. } => base.plain_paths_mut(f),
            ExprNode::Extract { arg, .. } | ExprNode::Trunc { arg, .. } => arg.plain_paths_mut(f),
            _ => {}
        }
    }
}

impl Cond {
    /// `a AND b`, flattened; `Nothing` absorbs and `Everything` vanishes.
    pub fn and(a: Cond, b: Cond) -> Cond {
        match (a, b) {
            (Cond::Nothing, _) | (_, Cond::Nothing) => Cond::Nothing,
            (Cond::Everything, c) | (c, Cond::Everything) => c,
            (Cond::And(mut a), Cond::And(b)) => {
                a.extend(b);
                Cond::And(a)
            }
            (Cond::And(mut a), c) => {
                a.push(c);
                Cond::And(a)
            }
            (a, b) => Cond::And(vec![a, b]),
        }
    }

    /// `a OR b`, flattened; `Everything` absorbs and `Nothing` vanishes.
    pub fn or(a: Cond, b: Cond) -> Cond {
        match (a, b) {
            (Cond::Everything, _) | (_, Cond::Everything) => Cond::Everything,
            (Cond::Nothing, c) | (c, Cond::Nothing) => c,
            (Cond::Or(mut a), Cond::Or(b)) => {
                a.extend(b);
                Cond::Or(a)
            }
            (Cond::Or(mut a), c) => {
                a.push(c);
                Cond::Or(a)
            }
            (a, b) => Cond::Or(vec![a, b]),
        }
    }

    /// `NOT c`; a double negation cancels.
    #[allow(clippy::should_implement_trait)]
    pub fn not(c: Cond) -> Cond {
        match c {
            Cond::Nothing => Cond::Everything,
            Cond::Everything => Cond::Nothing,
            Cond::Not(inner) => *inner,
            c => Cond::Not(Box::new(c)),
        }
    }

    fn children(&self) -> (Vec<&ExprNode>, &[Cond]) {
        match self {
            Cond::Compare(_, a, b) | Cond::Pattern { lhs: a, rhs: b, .. } => (vec![a, b], &[]),
            Cond::In(a, list) => (std::iter::once(a).chain(list).collect(), &[]),
            Cond::InSubquery { lhs, .. } | Cond::InQuery(lhs, _) => (vec![lhs], &[]),
            Cond::Exists(_) => (Vec::new(), &[]),
            Cond::Range(a, b, c) => (vec![a, b, c], &[]),
            Cond::IsNull(a, _) => (vec![a], &[]),
            Cond::And(items) | Cond::Or(items) => (Vec::new(), items),
            Cond::Not(inner) => (Vec::new(), std::slice::from_ref(inner)),
            Cond::Nothing | Cond::Everything => (Vec::new(), &[]),
        }
    }

    /// Calls `f` on every expression node in the condition.
    pub(crate) fn visit_nodes(&self, f: &mut impl FnMut(&ExprNode)) {
        let (nodes, conds) = self.children();
        for n in nodes {
            n.visit(f);
        }
        for c in conds {
            c.visit_nodes(f);
        }
    }

    /// Whether the condition tests an aggregate (so it belongs in HAVING).
    pub(crate) fn has_aggregate(&self) -> bool {
        let mut found = false;
        self.visit_nodes(&mut |n| {
            found |= matches!(n, ExprNode::Aggregate { .. } | ExprNode::FilteredAggregate { .. })
        });
        found
    }

    /// Calls `f` on every expression node outside aggregates.
    pub(crate) fn visit_plain<'a>(&'a self, f: &mut impl FnMut(&'a ExprNode)) {
        let (nodes, conds) = self.children();
        for n in nodes {
            n.visit_plain(f);
        }
        for c in conds {
            c.visit_plain(f);
        }
    }

    /// Calls `f` on every column path outside aggregates.
    pub(crate) fn plain_paths_mut(&mut self, f: &mut impl FnMut(&mut Path)) {
        self.nodes_mut(&mut |n| n.plain_paths_mut(f));
    }

    /// Calls `f` on every expression node at the top of a lookup.
    fn nodes_mut(&mut self, f: &mut impl FnMut(&mut ExprNode)) {
        match self {
            Cond::Compare(_, a, b) | Cond::Pattern { lhs: a, rhs: b, .. } => {
                f(a);
                f(b);
            }
            Cond::In(a, list) => {
                f(a);
                list.iter_mut().for_each(f);
            }
            Cond::InSubquery { lhs, .. } | Cond::IsNull(lhs, _) | Cond::InQuery(lhs, _) => f(lhs),
            Cond::Exists(_) => {}
            Cond::Range(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Cond::And(items) | Cond::Or(items) => items.iter_mut().for_each(|c| c.nodes_mut(f)),
            Cond::Not(inner) => inner.nodes_mut(f),
            Cond::Nothing | Cond::Everything => {}
        }
    }
}

/// One term of an `ORDER BY`: a field or expression and a direction.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub(crate) node: ExprNode,
    pub(crate) desc: bool,
    /// Where NULLs go (`NULLS FIRST`/`NULLS LAST`), or the database's default.
    pub(crate) nulls: Option<NullsOrder>,
}

/// One `SET column = value` of an update.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub(crate) meta: &'static ModelMeta,
    pub(crate) column: u16,
    pub(crate) path: Path,
    pub(crate) value: ExprNode,
}
