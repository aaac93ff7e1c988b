//! PostgreSQL's errors, classified as the crate's by SQLSTATE: constraint violations
//! as `Error::Integrity`, the rest as `Error::Database` with the same kinds as
//! SQLite's.

use crate::error::{ConstraintKind, DatabaseErrorKind, Error};

/// The crate's error for a `postgres` error.
pub(crate) fn from_postgres(err: postgres::Error) -> Error {
    let Some(db) = err.as_db_error() else {
        let io = std::error::Error::source(&err).is_some_and(|s| s.is::<std::io::Error>());
        let kind = if err.is_closed() || io { DatabaseErrorKind::Connection } else { DatabaseErrorKind::Other };
        return Error::Database { kind, code: None, message: err.to_string(), source: Box::new(err) };
    };
    let code = db.code().code().to_owned();
    let mut message = db.message().to_owned();
    if let Some(detail) = db.detail() {
        message.push_str(" (");
        message.push_str(detail);
        message.push(')');
    }
    let constraint = match code.as_str() {
        "23505" if db.constraint().is_some_and(|c| c.ends_with("_pkey")) => Some(ConstraintKind::PrimaryKey),
        "23505" => Some(ConstraintKind::Unique),
        "23503" => Some(ConstraintKind::ForeignKey),
        "23502" => Some(ConstraintKind::NotNull),
        "23514" => Some(ConstraintKind::Check),
        c if c.starts_with("23") => Some(ConstraintKind::Other),
        _ => None,
    };
    if let Some(kind) = constraint {
        // SQLite's detail, which the crate's message is: `table.column[, table.column]`
        // for keys and NOT NULL, the constraint's name for a CHECK.
        let table = db.table().unwrap_or("");
        let detail = match kind {
            ConstraintKind::NotNull => db.column().map(|c| format!("{table}.{c}")),
            ConstraintKind::Check => db.constraint().map(str::to_owned),
            _ => db.detail().and_then(|d| key_columns(d)).map(|cols| {
                cols.split(", ").map(|c| format!("{table}.{}", c.trim_matches('"'))).collect::<Vec<_>>().join(", ")
            }),
        };
        return Error::Integrity { kind, message: detail.unwrap_or(message) };
    }
    let kind = match code.as_str() {
        "40001" | "40P01" => DatabaseErrorKind::Serialization,
        "55P03" => DatabaseErrorKind::Busy, // lock_not_available (NOWAIT)
        "25006" => DatabaseErrorKind::ReadOnly,
        c if c.starts_with("42") => DatabaseErrorKind::Statement,
        c if c.starts_with("08") || c.starts_with("3D") || c.starts_with("28") || c.starts_with("57P") => {
            DatabaseErrorKind::Connection
        }
        _ => DatabaseErrorKind::Other,
    };
    Error::Database { kind, code: Some(code), message, source: Box::new(err) }
}

/// The columns of `Key (a, b)=(1, 2) already exists.`
fn key_columns(detail: &str) -> Option<&str> {
    let rest = detail.strip_prefix("Key (")?;
    Some(&rest[..rest.find(")=(")?])
}

impl From<postgres::Error> for Error {
    fn from(err: postgres::Error) -> Error {
        from_postgres(err)
    }
}
