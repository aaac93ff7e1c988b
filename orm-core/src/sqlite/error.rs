//! SQLite's errors, classified as the crate's: constraint violations as
//! `Error::Integrity`, the rest as `Error::Database` with its kind.

use crate::error::{ConstraintKind, DatabaseErrorKind, Error};
use rusqlite::ErrorCode;

/// The crate's error for a rusqlite error.
pub(crate) fn from_rusqlite(err: rusqlite::Error) -> Error {
    let (code, message) = match &err {
        rusqlite::Error::SqliteFailure(code, message) => (Some(*code), message.clone()),
        _ => (None, None),
    };
    let Some(code) = code else {
        let kind = match &err {
            rusqlite::Error::InvalidColumnIndex(_)
            | rusqlite::Error::InvalidColumnName(_)
            | rusqlite::Error::InvalidParameterCount(..)
            | rusqlite::Error::SqlInputError { .. } => DatabaseErrorKind::Statement,
            _ => DatabaseErrorKind::Other,
        };
        return Error::Database { kind, code: None, message: err.to_string(), source: Box::new(err) };
    };
    let message = message.unwrap_or_else(|| code.to_string());
    if code.code == ErrorCode::ConstraintViolation {
        let kind = match code.extended_code {
            2067 => ConstraintKind::Unique,
            1555 => ConstraintKind::PrimaryKey,
            1299 => ConstraintKind::NotNull,
            787 => ConstraintKind::ForeignKey,
            // ON DELETE RESTRICT reports through SQLite's trigger code.
            1811 if message.contains("FOREIGN KEY") => ConstraintKind::ForeignKey,
            275 => ConstraintKind::Check,
            _ => ConstraintKind::Other,
        };
        // SQLite writes "UNIQUE constraint failed: t.c"; the kind says the first part.
        let detail = match message.split_once(" constraint failed: ") {
            Some((_, detail)) => detail.to_owned(),
            None => message,
        };
        return Error::Integrity { kind, message: detail };
    }
    let kind = match code.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => DatabaseErrorKind::Busy,
        ErrorCode::ReadOnly => DatabaseErrorKind::ReadOnly,
        ErrorCode::CannotOpen | ErrorCode::NotADatabase | ErrorCode::PermissionDenied => DatabaseErrorKind::Connection,
        _ if message.contains("syntax error") || message.starts_with("no such") => DatabaseErrorKind::Statement,
        _ => DatabaseErrorKind::Other,
    };
    Error::Database { kind, code: Some(code.extended_code.to_string()), message, source: Box::new(err) }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        from_rusqlite(err)
    }
}
