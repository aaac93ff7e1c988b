//! The record of applied migrations: the table `orm_migrations` (Django's
//! `django_migrations`), one row per applied migration with its file's checksum, so
//! that `migrate` knows what is pending and refuses a history whose files changed.

use crate::backend::{DecodeRow, FirstColumn, RowRead};
use crate::error::{ConstraintKind, Error, Result};
use crate::exec::Db;
use crate::schema::{Column, Table};
use crate::value::{ColumnType, Value, ValueRef};

/// The name of the record's table.
pub(crate) const TABLE: &str = "orm_migrations";

/// One applied migration, as recorded ([`Db::applied_migrations`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// The migration's name (`0002_book_isbn`).
    pub name: String,
    /// The checksum of its file when it was applied.
    pub checksum: String,
    /// When it was applied, in UTC: `2025-05-02T12:00:00Z`.
    pub applied_at: String,
}

/// The record's table: `(id, name UNIQUE, checksum, applied_at)`.
fn table() -> Table {
    let text = |name: &str, max_length: u32| Column {
        name: name.to_owned(),
        column_type: ColumnType::Text,
        nullable: false,
        auto: false,
        unique: name == "name",
        default: None,
        max_length: Some(max_length),
        references: None,
    };
    Table {
        name: TABLE.to_owned(),
        model: None,
        columns: vec![
            Column { auto: true, column_type: ColumnType::Int64, unique: false, max_length: None, ..text("id", 0) },
            text("name", 255),
            text("checksum", 64),
            text("applied_at", 32),
        ],
        primary_key: vec!["id".to_owned()],
        unique_together: Vec::new(),
        indexes: Vec::new(),
    }
}

/// Creates the record's table if it does not exist.
pub(crate) fn ensure(db: &Db) -> Result<()> {
    for statement in crate::sql::create_table(&table(), db.dialect()) {
        db.execute(&statement, &[])?;
    }
    Ok(())
}

/// `SELECT .. FROM "orm_migrations" ..` in the connection's dialect.
fn statement(db: &Db, text: &str) -> String {
    let mut quoted = String::new();
    db.dialect().quote(TABLE, &mut quoted);
    let mut out = String::with_capacity(text.len() + 16);
    let mut n = 0;
    for (i, part) in text.split('?').enumerate() {
        if i > 0 {
            n += 1;
            db.dialect().placeholder(n, &mut out);
        }
        out.push_str(&part.replace("{table}", &quoted));
    }
    out
}

struct Record;

impl DecodeRow for Record {
    type Item = AppliedMigration;
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<AppliedMigration> {
        let text = |i: usize, column: &'static str| -> Result<String> {
            match row.value(i)? {
                ValueRef::Text(bytes) => Ok(String::from_utf8_lossy(bytes).into_owned()),
                other => Err(Error::Decode {
                    model: "orm_migrations",
                    column,
                    expected: "String",
                    found: other.type_name().to_owned(),
                    expression: None,
                }),
            }
        };
        Ok(AppliedMigration {
            name: text(0, "name")?,
            checksum: text(1, "checksum")?,
            applied_at: text(2, "applied_at")?,
        })
    }
}

/// Every applied migration, in the order they were applied.
pub(crate) fn applied(db: &Db) -> Result<Vec<AppliedMigration>> {
    db.fetch(&statement(db, "SELECT \"name\", \"checksum\", \"applied_at\" FROM {table} ORDER BY \"id\""), &[], Record)
}

/// Records `name` as applied now; `false` when it is recorded already (another
/// connection applied it since this one read the record).
pub(crate) fn record(db: &Db, name: &str, checksum: &str) -> Result<bool> {
    let sql = statement(db, "INSERT INTO {table} (\"name\", \"checksum\", \"applied_at\") VALUES (?, ?, ?)");
    match db.execute(&sql, &[Value::Text(name.to_owned()), Value::Text(checksum.to_owned()), Value::Text(now_utc())]) {
        Ok(_) => Ok(true),
        Err(Error::Integrity { kind: ConstraintKind::Unique, .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Removes the record of `name` (it was unapplied); `false` when it was not
/// recorded (another connection unapplied it since this one read the record).
pub(crate) fn unrecord(db: &Db, name: &str) -> Result<bool> {
    let removed =
        db.execute(&statement(db, "DELETE FROM {table} WHERE \"name\" = ?"), &[Value::Text(name.to_owned())])?;
    Ok(removed == 1)
}

/// How many rows `table` has (a rebuild's progress).
pub(crate) fn count_rows(db: &Db, table: &str) -> Result<i64> {
    let mut sql = "SELECT COUNT(*) FROM ".to_owned();
    db.dialect().quote(table, &mut sql);
    match db.fetch(&sql, &[], FirstColumn)?.pop() {
        Some(Value::Integer(n)) => Ok(n),
        other => Err(Error::Migration { message: format!("counting the rows of {table} returned {other:?}") }),
    }
}

/// The current time in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
fn now_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let days = i32::try_from(seconds.div_euclid(86_400)).unwrap_or(i32::MAX);
    let (year, month, day) = crate::value::civil_from_days(days);
    let rest = seconds.rem_euclid(86_400);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_an_iso_timestamp_in_utc() {
        let now = super::now_utc();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z') && &now[10..11] == "T", "{now}");
    }
}
