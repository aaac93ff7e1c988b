//! SQL functions registered on every connection for the text lookups and the case
//! functions of expressions.
//!
//! SQLite's `LIKE` ignores ASCII case only and treats `%` and `_` specially; `lower()`
//! folds ASCII only. These functions give Django's lookups PostgreSQL's behaviour:
//! the plain lookups are case-sensitive and match the text literally (`%`, `_`, `\`
//! and NUL included), and the `i` lookups fold case for all of Unicode.
//! Each returns NULL when an argument is NULL.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use std::borrow::Cow;

fn text<'a>(ctx: &'a Context<'_>, i: usize) -> Option<Cow<'a, str>> {
    match ctx.get_raw(i) {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Some(String::from_utf8_lossy(bytes)),
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(Cow::Owned(i.to_string())),
        ValueRef::Real(r) => Some(Cow::Owned(r.to_string())),
    }
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

type Matcher = fn(&str, &str) -> bool;

const FUNCTIONS: [(&str, Matcher); 7] = [
    ("orm_contains", |h, n| h.contains(n)),
    ("orm_startswith", |h, n| h.starts_with(n)),
    ("orm_endswith", |h, n| h.ends_with(n)),
    ("orm_icontains", |h, n| fold(h).contains(&fold(n))),
    ("orm_istartswith", |h, n| fold(h).starts_with(&fold(n))),
    ("orm_iendswith", |h, n| fold(h).ends_with(&fold(n))),
    ("orm_iexact", |h, n| fold(h) == fold(n)),
];

/// `orm_lower(text)` and `orm_upper(text)`: the case functions of expressions
/// (`lower()` and `upper()` fold ASCII only).
type CaseChange = fn(&str) -> String;

const CASE_FUNCTIONS: [(&str, CaseChange); 2] =
    [("orm_lower", |s| s.to_lowercase()), ("orm_upper", |s| s.to_uppercase())];

pub(crate) fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS;
    for (name, change) in CASE_FUNCTIONS {
        conn.create_scalar_function(name, 1, flags, move |ctx| Ok(text(ctx, 0).map(|s| change(&s))))?;
    }
    for (name, matcher) in FUNCTIONS {
        conn.create_scalar_function(name, 2, flags, move |ctx| {
            Ok(match (text(ctx, 0), text(ctx, 1)) {
                (Some(hay), Some(needle)) => Some(matcher(&hay, &needle)),
                _ => None,
            })
        })?;
    }
    Ok(())
}
