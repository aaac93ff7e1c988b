//! SQLite's SQL: `"ident"` quoting, `?` placeholders, `RETURNING` (3.35+), `LIMIT -1`,
//! `INSERT OR IGNORE`, the text lookups as functions registered on each connection
//! (`functions.rs`), and the column types of Django's SQLite backend.

use crate::ast::{DatePart, PatternKind, TruncUnit};
use crate::sql::{
    quote_literal, Capabilities, Dialect, Extremum, ForeignKeySwitch, IsolationLevel, JsonPaths, KeyList, TableChanges,
    TextLookup, TransactionMode,
};
use crate::value::ColumnType;

/// SQLite's dialect.
pub(crate) struct Sqlite;

/// The one instance.
pub(crate) static SQLITE: Sqlite = Sqlite;

/// SQLite's default `SQLITE_MAX_VARIABLE_NUMBER` (3.32+), which the bundled build keeps.
const MAX_PARAMS: usize = 32766;

impl Dialect for Sqlite {
    #[inline]
    fn quote(&self, ident: &str, out: &mut String) {
        crate::sql::quote_double(ident, out);
    }

    #[inline]
    fn placeholder(&self, _n: usize, out: &mut String) {
        out.push('?');
    }

    fn max_params(&self) -> usize {
        MAX_PARAMS
    }

    fn boolean(&self, value: bool) -> &'static str {
        if value {
            "1"
        } else {
            "0"
        }
    }

    /// Literal numbers, as Django writes them: SQLite re-plans a statement whose
    /// `LIMIT` is a bound parameter every time it is bound (about 5 µs a query,
    /// measured), while a literal keeps the cached statement's plan. The numbers are
    /// the crate's own integers, never user text.
    fn limit(&self, count: Option<u64>, offset: u64, out: &mut String) {
        use std::fmt::Write;
        match count {
            Some(count) => {
                let _ = write!(out, " LIMIT {}", clamp(count));
            }
            None if offset > 0 => out.push_str(" LIMIT -1"),
            None => return,
        }
        if offset > 0 {
            let _ = write!(out, " OFFSET {}", clamp(offset));
        }
    }

    /// A plain list runs faster than json_each (which parses its text at each
    /// execution: about 15% slower on the loading_associations benchmark); the JSON
    /// form keeps huge batches under the parameter limit.
    fn key_list(&self) -> KeyList {
        KeyList::PaddedOrJson { max: 1024 }
    }

    /// SQLite's `LIKE` ignores ASCII case only and treats `%` and `_` specially, and
    /// `lower()` folds ASCII only: the lookups are functions with PostgreSQL's
    /// behaviour instead (`functions.rs`).
    fn json_paths(&self) -> JsonPaths {
        JsonPaths::PathText
    }

    fn text_lookup(&self, kind: PatternKind, fold: bool) -> TextLookup {
        let prefix = match (kind, fold) {
            (PatternKind::Contains, false) => "orm_contains(",
            (PatternKind::Contains, true) => "orm_icontains(",
            (PatternKind::StartsWith, false) => "orm_startswith(",
            (PatternKind::StartsWith, true) => "orm_istartswith(",
            (PatternKind::EndsWith, false) => "orm_endswith(",
            (PatternKind::EndsWith, true) => "orm_iendswith(",
            (PatternKind::Exact, _) => "orm_iexact(",
        };
        TextLookup::Call { prefix, middle: ", ", suffix: ")" }
    }

    /// Dates are stored as Django's text (`2024-05-02 12:00:00.250000`, UTC for an
    /// aware value): `strftime` reads the part, as an integer. Django calls a Python
    /// function (`django_datetime_extract`) that gives the same numbers in UTC.
    fn extract(&self, part: DatePart, _column_type: ColumnType) -> (&'static str, &'static str) {
        match part {
            DatePart::Year => ("CAST(strftime('%Y', ", ") AS INTEGER)"),
            DatePart::Month => ("CAST(strftime('%m', ", ") AS INTEGER)"),
            DatePart::Day => ("CAST(strftime('%d', ", ") AS INTEGER)"),
            DatePart::WeekDay => ("(CAST(strftime('%w', ", ") AS INTEGER) + 1)"),
            DatePart::Hour => ("CAST(strftime('%H', ", ") AS INTEGER)"),
            DatePart::Minute => ("CAST(strftime('%M', ", ") AS INTEGER)"),
        }
    }

    /// `strftime` into Django's text form of the truncated value.
    fn trunc(&self, unit: TruncUnit, column_type: ColumnType) -> (&'static str, &'static str) {
        match (unit, column_type) {
            (TruncUnit::Month, ColumnType::Date) => ("strftime('%Y-%m-01', ", ")"),
            (TruncUnit::Month, _) => ("strftime('%Y-%m-01 00:00:00', ", ")"),
            (TruncUnit::Day, ColumnType::Date) | (TruncUnit::Date, _) => ("date(", ")"),
            (TruncUnit::Day, _) => ("strftime('%Y-%m-%d 00:00:00', ", ")"),
        }
    }

    fn insert_ignoring_conflicts(&self) -> (&'static str, &'static str) {
        ("INSERT OR IGNORE INTO ", "")
    }

    /// The declared type (the column's affinity).
    fn column_type(&self, column_type: ColumnType, _max_length: Option<u32>, out: &mut String) {
        use ColumnType as C;
        out.push_str(match column_type {
            C::Int16 | C::Int32 | C::Int64 | C::UInt8 | C::UInt16 | C::UInt32 | C::Bool => "INTEGER",
            C::Float32 | C::Float64 => "REAL",
            C::Bytes => "BLOB",
            C::Decimal => "NUMERIC",
            C::Text | C::Date | C::Timestamp | C::TimestampTz | C::Uuid | C::Json => "TEXT",
        })
    }

    fn auto_key(&self) -> &'static str {
        " INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"
    }

    /// `length()` counts characters up to the first NUL; a text with a NUL is
    /// measured in bytes instead (never fewer than its characters).
    fn max_length_check(&self, column: &str, max: u32, out: &mut String) {
        use std::fmt::Write;
        let mut quoted = String::new();
        self.quote(column, &mut quoted);
        let _ = write!(
            out,
            " CHECK (length({quoted}) <= {max} AND (instr(CAST({quoted} AS BLOB), X'00') = 0 OR length(CAST({quoted} AS BLOB)) <= {max}))"
        );
    }

    /// SQLite's transactions are serializable whatever is asked.
    fn begin(&self, mode: TransactionMode, _isolation: Option<IsolationLevel>) -> &'static str {
        match mode {
            TransactionMode::Deferred => "BEGIN",
            TransactionMode::Immediate => "BEGIN IMMEDIATE",
            TransactionMode::Exclusive => "BEGIN EXCLUSIVE",
        }
    }

    fn capabilities(&self) -> Capabilities {
        Sqlite::CAPABILITIES
    }

    /// Scalar `MAX(a, b)` is NULL when any argument is; the writer makes it ignore
    /// NULLs as PostgreSQL's `GREATEST` does.
    fn extremum(&self) -> Extremum {
        Extremum::Scalar
    }

    /// SQLite's `lower()`/`upper()` fold ASCII only: functions of `functions.rs`
    /// fold all of Unicode, as PostgreSQL does.
    fn case_function(&self, upper: bool) -> &'static str {
        if upper {
            "orm_upper"
        } else {
            "orm_lower"
        }
    }

    /// UTC, as the text aware timestamps are stored in (Django's SQLite `Now()`).
    fn now(&self) -> &'static str {
        "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    }

    /// `ALTER TABLE` cannot change a column's type, nullability, default or
    /// constraints: such changes rebuild the table.
    fn table_changes(&self) -> TableChanges {
        TableChanges::Rebuild
    }

    /// An AUTOINCREMENT table's counter is its row of `sqlite_sequence`.
    fn keep_auto_key_counter(&self, from: &str, into: &str) -> Vec<String> {
        let (mut from_text, mut into_text) = (String::new(), String::new());
        quote_literal(from, &mut from_text);
        quote_literal(into, &mut into_text);
        vec![
            format!("DELETE FROM sqlite_sequence WHERE name = {into_text}"),
            format!("INSERT INTO sqlite_sequence (name, seq) SELECT {into_text}, seq FROM sqlite_sequence WHERE name = {from_text}"),
        ]
    }

    fn triggers_of_table(&self) -> Option<&'static str> {
        Some("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name")
    }

    /// A column's affinity converts what reads as its type and keeps anything else
    /// as it is: a text that is not a number stays text in an INTEGER column.
    fn misfit_condition(&self, column: &str, column_type: ColumnType, out: &mut String) -> bool {
        use ColumnType as C;
        let allowed = match column_type {
            C::Int16 | C::Int32 | C::Int64 | C::UInt8 | C::UInt16 | C::UInt32 | C::Bool => "'integer'",
            C::Float32 | C::Float64 => "'integer', 'real'",
            C::Decimal => "'integer', 'real', 'text'",
            C::Bytes => "'blob'",
            C::Text | C::Date | C::Timestamp | C::TimestampTz | C::Uuid | C::Json => "'text'",
        };
        out.push_str("typeof(");
        self.quote(column, out);
        out.push_str(") NOT IN ('null', ");
        out.push_str(allowed);
        out.push(')');
        true
    }

    fn row_key(&self) -> Option<&'static str> {
        Some("rowid")
    }

    /// The rebuild drops a table other tables refer to: SQLite's documented
    /// procedure turns enforcement off (which only works outside a transaction) and
    /// runs `foreign_key_check` before committing.
    fn foreign_key_switch(&self) -> Option<ForeignKeySwitch> {
        Some(ForeignKeySwitch {
            read: "PRAGMA foreign_keys",
            off: "PRAGMA foreign_keys = OFF",
            on: "PRAGMA foreign_keys = ON",
            check: "PRAGMA foreign_key_check",
        })
    }
}

impl Sqlite {
    const CAPABILITIES: Capabilities = Capabilities {
        for_update: false,
        for_no_key_update: false,
        distinct_on: false,
        isolation_levels: false,
        savepoints: true,
        transactional_ddl: true,
        deferrable_constraints: true,
        identity_columns: false,
    };
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
