//! Paths into JSON columns (feature `json`): Django's `data__tags__0`, typed.
//!
//! `d.data.key("tags").at(0)` is the JSON value there (`NULL` where the path leads
//! nowhere): compared with [`Lookups::eq`] as JSON, tested with
//! [`is_null`](Lookups::is_null) (`true`: nothing there, Django's `isnull` on a key),
//! selected in `values()`/`annotate`; [`JsonPath::text`] is its text, for the text
//! lookups. Keys and indexes are bound parameters.

use super::expr::{Expr, Field, Q};
use super::lookups::Lookups;
use crate::ast::{ExprNode, JsonStep};
use crate::model::{Cardinality, Flavor, Model};
use serde_json::Value as Json;

/// A path into a JSON column: `d.data.key("tags").at(0)`. Its lookups compare JSON
/// values (`eq(json!("rust"))`); [`text`](Self::text) gives the text lookups.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a JSON path does nothing until a lookup, text() or value() uses it"]
pub struct JsonPath {
    base: ExprNode,
    steps: Vec<JsonStep>,
}

impl JsonPath {
    fn node(self, text: bool) -> ExprNode {
        ExprNode::Json { base: Box::new(self.base), steps: self.steps, text }
    }

    /// The member `key` of the object here (`data__tags`).
    pub fn key(mut self, key: impl Into<String>) -> JsonPath {
        self.steps.push(JsonStep::Key(key.into()));
        self
    }

    /// The element `index` (from 0) of the array here (`data__tags__0`).
    pub fn at(mut self, index: u32) -> JsonPath {
        self.steps.push(JsonStep::Index(index));
        self
    }

    /// Whether the object here has the member `key` (Django's `has_key`), whatever
    /// its value, JSON `null` included.
    pub fn has_key(self, key: impl Into<String>) -> Q {
        self.key(key).is_null(false)
    }

    /// The value here as text: a string without its quotes; a number, `true` or
    /// `false` as JSON writes it; an object or array as its JSON; `NULL` for JSON
    /// `null` or nothing there (Django's `KT()`, PostgreSQL's `->>`). For the text
    /// lookups: `d.data.key("name").text().icontains("ada")`.
    pub fn text(self) -> Expr<Option<String>> {
        Expr::from_node(self.node(true))
    }

    /// The JSON value here, for `values()` and `annotate`: `None` where the path leads
    /// nowhere, `Some(Value::Null)` for a JSON `null`.
    pub fn value(self) -> Expr<Option<Json>> {
        Expr::from_node(self.node(false))
    }
}

/// `eq(json!(..))` compares JSON values; `eq(Json::Null)` matches a JSON `null` and
/// `is_null(true)` a path that leads nowhere.
impl Lookups<Option<Json>> for JsonPath {
    fn into_expr_node(self) -> ExprNode {
        self.node(false)
    }
}

macro_rules! json_field {
    ($ty:ty) => {
        impl<M: Model, C: Cardinality, X: Flavor> Field<M, $ty, C, X> {
            /// The member `key` of the JSON object in this column (`data__key`).
            pub fn key(self, key: impl Into<String>) -> JsonPath {
                JsonPath { base: self.node(), steps: vec![JsonStep::Key(key.into())] }
            }

            /// The element `index` (from 0) of the JSON array in this column (`data__0`).
            pub fn at(self, index: u32) -> JsonPath {
                JsonPath { base: self.node(), steps: vec![JsonStep::Index(index)] }
            }

            /// Whether the JSON object in this column has the member `key` (Django's
            /// `has_key`), whatever its value.
            pub fn has_key(self, key: impl Into<String>) -> Q {
                self.key(key).is_null(false)
            }
        }
    };
}
json_field!(Json);
json_field!(Option<Json>);
