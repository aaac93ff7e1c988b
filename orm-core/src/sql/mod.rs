//! The SQL writer: the one place that turns a query description into SQL text and
//! parameters, for a backend's [`Dialect`]. Every value becomes a bound parameter;
//! every identifier is quoted by the dialect; statements are written in text order
//! with their parameters numbered as they go.

pub(crate) mod alter;
mod ddl;
mod dialect;
mod dml;
#[cfg(test)]
pub(crate) mod fixtures;
mod joins;
mod json;
mod select;
mod setops;
mod subquery;
#[cfg(test)]
pub(crate) mod tests;
mod upsert;
mod writer;

pub(crate) use alter::Step;
pub(crate) use ddl::create_table;
#[cfg_attr(not(feature = "postgres"), allow(unused_imports))]
pub(crate) use dialect::Constraint;
pub(crate) use dialect::{
    quote_double, quote_literal, Capabilities, Dialect, Extremum, ForeignKeySwitch, JsonPaths, KeyList, TableChanges,
    TextLookup,
};
pub use dialect::{IsolationLevel, TransactionMode};
pub(crate) use dml::*;
pub(crate) use select::{aggregate, count, count_rows, exists, select};
pub(crate) use setops::compound_order_error;
pub(crate) use subquery::aggregate_over_rows;
pub(crate) use upsert::{insert_on_conflict, OnConflict, Returning};

use crate::ast::ExprNode;
use crate::value::Value;
pub(crate) use writer::Writer;

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
    /// These expressions, named `__col0, __col1, ..` (a subquery's columns, read by
    /// the query around it).
    Aliased(&'a [ExprNode]),
}
