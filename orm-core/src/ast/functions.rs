//! The SQL functions an expression can call ([`Func`]), and where an ordering puts
//! NULLs ([`NullsOrder`]): the query description's part of conditional expressions,
//! functions and casts.

use super::expr::{AggFunc, ExprNode};

/// A function of [`ExprNode::Func`]. Each dialect writes it (see `sql/writer/functions.rs`).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `COALESCE(a, b, ..)`: the first argument that is not NULL.
    Coalesce,
    /// `NULLIF(a, b)`: NULL when `a = b`, else `a`.
    NullIf,
    /// The largest argument, NULLs ignored (PostgreSQL's `GREATEST`).
    Greatest,
    /// The smallest argument, NULLs ignored (PostgreSQL's `LEAST`).
    Least,
    /// `LOWER(text)`, for all of Unicode.
    Lower,
    /// `UPPER(text)`, for all of Unicode.
    Upper,
    /// `LENGTH(text)` in characters.
    Length,
    /// The arguments' texts joined, a NULL one read as `''` (Django's `Concat`).
    Concat,
    /// The current date and time (the statement's).
    Now,
    /// `ABS(x)`.
    Abs,
    /// `ROUND(x, places)`, halves away from zero.
    Round,
}

impl Func {
    /// Whether a call can give NULL.
    pub(crate) fn nullable(self, args: &[ExprNode]) -> bool {
        match self {
            Func::Coalesce | Func::Greatest | Func::Least => args.iter().all(ExprNode::nullable),
            Func::NullIf => true,
            Func::Concat | Func::Now => false,
            Func::Lower | Func::Upper | Func::Length | Func::Abs | Func::Round => args.iter().any(ExprNode::nullable),
        }
    }

    /// Whether a call is NULL exactly when an argument is (so a filter on it needs
    /// the rows its arguments' joins find).
    pub(crate) fn is_strict(self) -> bool {
        matches!(self, Func::Lower | Func::Upper | Func::Length | Func::Abs | Func::Round)
    }

    /// The function's name, for errors and the SQL of most dialects.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::Coalesce => "COALESCE",
            Func::NullIf => "NULLIF",
            Func::Greatest => "GREATEST",
            Func::Least => "LEAST",
            Func::Lower => "LOWER",
            Func::Upper => "UPPER",
            Func::Length => "LENGTH",
            Func::Concat => "CONCAT",
            Func::Now => "NOW",
            Func::Abs => "ABS",
            Func::Round => "ROUND",
        }
    }
}

/// Where an ordering term puts NULLs (`NULLS FIRST` / `NULLS LAST`); without one,
/// each database's default: SQLite sorts NULL first ascending, PostgreSQL last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsOrder {
    /// `NULLS FIRST`
    First,
    /// `NULLS LAST`
    Last,
}

impl NullsOrder {
    /// The other end: what a reversed ordering uses (Django's `reverse()` swaps them).
    pub(crate) fn flipped(self) -> NullsOrder {
        match self {
            NullsOrder::First => NullsOrder::Last,
            NullsOrder::Last => NullsOrder::First,
        }
    }
}

pub(crate) fn agg_name(func: AggFunc) -> &'static str {
    match func {
        AggFunc::Count => "COUNT",
        AggFunc::Sum => "SUM",
        AggFunc::Avg => "AVG",
        AggFunc::Min => "MIN",
        AggFunc::Max => "MAX",
    }
}

impl ExprNode {
    /// [`describe`](ExprNode::describe) for the nodes of this file's features.
    pub(crate) fn describe_more(&self) -> String {
        let list = |args: &[ExprNode]| args.iter().map(ExprNode::describe).collect::<Vec<_>>().join(", ");
        match self {
            ExprNode::Func { func, args } => format!("{}({})", func.name(), list(args)),
            ExprNode::Case { whens, default } => {
                let mut out = String::from("CASE");
                for (_, value) in whens {
                    out.push_str(" WHEN .. THEN ");
                    out.push_str(&value.describe());
                }
                if let Some(d) = default {
                    out.push_str(" ELSE ");
                    out.push_str(&d.describe());
                }
                out.push_str(" END");
                out
            }
            ExprNode::Cast { expr, to } => format!("CAST({} AS {to:?})", expr.describe()),
            ExprNode::FilteredAggregate { func, arg, distinct, .. } => {
                let arg = arg.as_ref().map_or_else(|| "*".to_owned(), |a| a.describe());
                format!("{}({}{arg}) FILTER (WHERE ..)", agg_name(*func), if *distinct { "DISTINCT " } else { "" })
            }
            _ => String::from("expression"),
        }
    }
}
