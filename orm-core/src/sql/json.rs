//! Paths into JSON columns (`d.data.key("tags").at(0)`), as each dialect writes them.
//! Every key and index is a bound parameter.

use super::dialect::JsonPaths;
use super::writer::{Ctx, Writer};
use crate::ast::{ExprNode, JsonStep};
use crate::value::Value;

impl Writer {
    /// The value at `steps` in `base` (JSON; with `text`, its text: a string without
    /// its quotes, `true`, `1.5`, an object's JSON), `NULL` where nothing is there.
    pub(super) fn json(&mut self, base: &ExprNode, steps: &[JsonStep], text: bool, ctx: Option<Ctx>) {
        match self.dialect().json_paths() {
            JsonPaths::PathText => {
                let path = Value::Text(sqlite_path(steps));
                if !text {
                    self.push("(");
                    self.expr_in(base, ctx);
                    self.push(" -> ");
                    self.param(&path);
                    self.push(")");
                    return;
                }
                // `->>` reads a JSON string as text and a number as a number, but
                // true and false as 1 and 0: they are spelt as PostgreSQL's `->>` does.
                self.push("CASE json_type(");
                self.expr_in(base, ctx);
                self.push(", ");
                self.param(&path);
                self.push(") WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST((");
                self.expr_in(base, ctx);
                self.push(" ->> ");
                self.param(&path);
                self.push(") AS TEXT) END");
            }
            JsonPaths::Operators => {
                self.push("(");
                self.expr_in(base, ctx);
                for (i, step) in steps.iter().enumerate() {
                    self.push(if text && i + 1 == steps.len() { " ->> " } else { " -> " });
                    match step {
                        JsonStep::Key(key) => {
                            self.param(&Value::Text(key.clone()));
                            self.push("::text");
                        }
                        JsonStep::Index(index) => {
                            self.param(&Value::Integer(i64::from(*index)));
                            self.push("::integer");
                        }
                    }
                }
                self.push(")");
            }
        }
    }
}

/// SQLite's path text: `$."tags"[0]`. A key is always quoted, so a `.` or `[` in it is
/// part of the key. A quoted label ends at the next `"` whatever precedes it, but
/// SQLite (3.45 and later; the bundled one is newer) reads JSON escapes inside it:
/// a `"` in the key is written `\u0022` and a `\` as `\\`.
fn sqlite_path(steps: &[JsonStep]) -> String {
    let mut path = String::from("$");
    for step in steps {
        match step {
            JsonStep::Key(key) => {
                path.push_str(".\"");
                for ch in key.chars() {
                    match ch {
                        '"' => path.push_str("\\u0022"),
                        '\\' => path.push_str("\\\\"),
                        _ => path.push(ch),
                    }
                }
                path.push('"');
            }
            JsonStep::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}
