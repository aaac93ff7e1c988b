//! Text lookups as `LIKE` and keyed lists (`IN (..)`, a JSON array, `= ANY($1)`).

use super::{Ctx, Writer};
use crate::ast::{ExprNode, PatternKind};
use crate::sql::dialect::KeyList;
use crate::value::Value;

impl Writer {
    /// A text lookup as `LIKE` (see [`TextLookup::Like`]).
    pub(super) fn like(&mut self, kind: PatternKind, fold: bool, lhs: &ExprNode, rhs: &ExprNode, c: Option<Ctx>) {
        let (open, close) = if fold { ("UPPER(", ")") } else { ("", "") };
        self.push(open);
        self.expr_in(lhs, c);
        self.push(close);
        self.push(if kind == PatternKind::Exact { " = " } else { " LIKE " });
        self.push(open);
        let (before, after) = match kind {
            PatternKind::Contains => ("%", "%"),
            PatternKind::StartsWith => ("", "%"),
            PatternKind::EndsWith => ("%", ""),
            PatternKind::Exact => ("", ""),
        };
        match rhs {
            ExprNode::Value(Value::Text(text)) if kind != PatternKind::Exact => {
                let mut pattern = String::with_capacity(text.len() + 2);
                pattern.push_str(before);
                for ch in text.chars() {
                    if matches!(ch, '%' | '_' | '\\') {
                        pattern.push('\\');
                    }
                    pattern.push(ch);
                }
                pattern.push_str(after);
                self.param(&Value::Text(pattern));
            }
            _ if kind == PatternKind::Exact => self.expr_in(rhs, c),
            _ => {
                if !before.is_empty() {
                    self.push("'%' || ");
                }
                self.push("REPLACE(REPLACE(REPLACE(");
                self.expr_in(rhs, c);
                self.push(", '\\', '\\\\'), '%', '\\%'), '_', '\\_')");
                if !after.is_empty() {
                    self.push(" || '%'");
                }
            }
        }
        self.push(close);
    }

    /// `col IN (..)` for many keys, as the dialect lists them: for SQLite, the list
    /// padded to a power of two (the last key repeated), so that a handful of cached
    /// statements serve every batch size, and past `max` keys one JSON array read by
    /// `json_each` (keys that JSON cannot carry exactly, blobs and floats, stay a list).
    pub(in crate::sql) fn in_keys(&mut self, alias: &str, column: &str, keys: &[Value]) {
        if self.planning {
            return; // no join
        }
        self.column_at(alias, column);
        let max = match self.dialect.key_list() {
            KeyList::PaddedOrJson { max } => max,
            KeyList::Array => {
                self.push(" = ANY(");
                self.param(&Value::Array(keys.to_vec()));
                self.push(")");
                return;
            }
        };
        if keys.len() > max {
            if let Some(json) = json_array(keys) {
                self.push(" IN (SELECT value FROM json_each(");
                self.param(&Value::Text(json));
                self.push("))");
                return;
            }
        }
        let slots = match keys.len() {
            0 => 0, // `IN ()`: SQLite's empty list, true of no row
            n if n > max => n,
            n => n.next_power_of_two(),
        };
        self.push(" IN (");
        for i in 0..slots {
            if i > 0 {
                self.push(", ");
            }
            // Past the keys, repeat the last one: a duplicate changes nothing.
            self.param(&keys[i.min(keys.len() - 1)]);
        }
        self.push(")");
    }
}

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
