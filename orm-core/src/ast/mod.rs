//! The query description: what the typed API builds and the SQL writer reads. Plain
//! trees over the models' metadata; nothing here runs anything.

mod expr;
mod functions;
mod ordering;
mod query;
mod subquery;

pub use expr::{AggFunc, ArithOp, Assignment, CmpOp, Cond, ExprNode, JsonStep, OrderBy, PatternKind};
pub(crate) use functions::agg_name;
pub use functions::{Func, NullsOrder};
pub(crate) use ordering::{pk_order_at, relation_ordering};
#[cfg(all(test, feature = "postgres"))]
pub(crate) use query::Lock;
pub use query::Query;
pub(crate) use query::{Group, Link, PrefetchSpec};
pub(crate) use subquery::{year_lookup, Combinator, SetOp};
pub use subquery::{DatePart, Subquery, TruncUnit};
