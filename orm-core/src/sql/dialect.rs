//! What differs between SQL databases: each backend's [`Dialect`] answers these
//! questions and the one [`Writer`](super::Writer) asks them, so that a statement is a
//! pure function of the query and the dialect.

use crate::ast::{DatePart, PatternKind, TruncUnit};
use crate::value::ColumnType;

/// How a transaction starts (Django 5.1's `transaction_mode` on SQLite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransactionMode {
    /// SQLite's default `BEGIN`: locks are taken when first needed. A read-then-write
    /// transaction can then fail with `busy` when another connection wrote meanwhile.
    #[default]
    Deferred,
    /// `BEGIN IMMEDIATE`: takes the write lock at once (waiting up to the busy
    /// timeout), so read-then-write transactions on one file serialize cleanly.
    Immediate,
    /// `BEGIN EXCLUSIVE`: no other connection reads or writes until the end.
    Exclusive,
}

/// The isolation level of a transaction (PostgreSQL's; SQLite's transactions are
/// always serializable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsolationLevel {
    /// Each statement sees what was committed before it began (PostgreSQL's default).
    ReadCommitted,
    /// The transaction sees one snapshot; a concurrent update of a row it writes is a
    /// serialization failure.
    RepeatableRead,
    /// As if the transactions ran one after another; any anomaly is a serialization
    /// failure ([`DatabaseErrorKind::Serialization`](crate::DatabaseErrorKind)), to
    /// be retried ([`Db::atomic_retrying`](crate::Db::atomic_retrying)).
    Serializable,
}

/// How a statement lists many keys (a prefetch level's parents, keyed deletes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyList {
    /// `IN (?, ?, ...)` padded to a power of two up to `max` keys, then one JSON array
    /// parameter read by `json_each` (SQLite).
    PaddedOrJson {
        /// The most keys listed as parameters.
        max: usize,
    },
    /// `= ANY($1)` with one array parameter, whatever the number of keys
    /// (PostgreSQL).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Array,
}

/// How a text lookup is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextLookup {
    /// `prefix LHS middle RHS suffix`: a function call (SQLite's `orm_contains(..)`).
    Call {
        /// Before the column.
        prefix: &'static str,
        /// Between the column and the text searched for.
        middle: &'static str,
        /// After it.
        suffix: &'static str,
    },
    /// `LHS LIKE pattern`, `%`, `_` and `\` in the text matched literally (escaped in
    /// Rust for a value, so that a prefix pattern can use an index; in SQL for a
    /// column); both sides in `UPPER(..)` for the case-insensitive lookups, and
    /// `UPPER(LHS) = UPPER(RHS)` for `iexact` (Django's PostgreSQL SQL).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Like,
}

/// How a path into a JSON column is written (`sql/json.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonPaths {
    /// SQLite's JSON functions: `(col -> ?)` with the whole path bound as one
    /// `$."key"[0]` text; the text of the value through `json_type` and `->>`.
    PathText,
    /// PostgreSQL's JSONB operators: `(col -> $1::text -> $2::integer)`, a step a
    /// bound key or index; the text of the value with `->>` as the last step.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Operators,
}

/// Writes `ident` in double quotes, each `"` in it doubled: the SQL standard's
/// quoting, which SQLite and PostgreSQL share.
pub(crate) fn quote_double(ident: &str, out: &mut String) {
    out.reserve(ident.len() + 2);
    out.push('"');
    if ident.contains('"') {
        for ch in ident.chars() {
            if ch == '"' {
                out.push('"');
            }
            out.push(ch);
        }
    } else {
        out.push_str(ident);
    }
    out.push('"');
}

/// Writes `text` as an SQL string literal, each `'` in it doubled (identifiers a
/// catalog query compares as text: migrations' DDL has no parameters).
pub(crate) fn quote_literal(text: &str, out: &mut String) {
    out.push('\'');
    for ch in text.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
}

/// What a backend's SQL looks like. Implemented by each backend (`sqlite/dialect.rs`).
pub(crate) trait Dialect: Send + Sync + 'static {
    /// Writes `ident` quoted.
    fn quote(&self, ident: &str, out: &mut String);
    /// Writes the placeholder of parameter `n` (from 1).
    fn placeholder(&self, n: usize, out: &mut String);
    /// The most parameters one statement may bind.
    fn max_params(&self) -> usize;
    /// A condition that is always true or always false.
    fn boolean(&self, value: bool) -> &'static str;
    /// `LIMIT`/`OFFSET` for `count` rows (all of them for `None`) after `offset` rows,
    /// with a leading space; nothing when there is no limit and no offset.
    fn limit(&self, count: Option<u64>, offset: u64, out: &mut String);
    /// How many keys are listed.
    fn key_list(&self) -> KeyList;
    /// How the text lookup `kind` is written (`fold`: case-insensitive).
    fn text_lookup(&self, kind: PatternKind, fold: bool) -> TextLookup;
    /// How a path into a JSON column is written.
    fn json_paths(&self) -> JsonPaths;
    /// `INSERT` that skips rows a unique constraint refuses: the words before the
    /// table name and after the values.
    fn insert_ignoring_conflicts(&self) -> (&'static str, &'static str);
    /// Writes the declared type of a column of `column_type` (at most `max_length`
    /// characters, for text) in `CREATE TABLE`.
    fn column_type(&self, column_type: ColumnType, max_length: Option<u32>, out: &mut String);
    /// What follows an auto-increment key's name in `CREATE TABLE`.
    fn auto_key(&self) -> &'static str;
    /// Writes the `CHECK` that bounds a text column to `max` characters, with a leading
    /// space (or nothing, where the column type bounds it).
    fn max_length_check(&self, column: &str, max: u32, out: &mut String);
    /// The statement that starts a transaction (at `isolation`, where the database
    /// has levels to choose from).
    fn begin(&self, mode: TransactionMode, isolation: Option<IsolationLevel>) -> &'static str;
    /// What follows `AVG(..)` so that it reads as a float (PostgreSQL's is NUMERIC
    /// over integers).
    fn avg_cast(&self) -> &'static str {
        ""
    }
    /// The value that makes an auto key take its next number in an `INSERT`.
    fn next_key(&self) -> &'static str {
        "NULL"
    }
    /// What the database can do beyond the SQL every backend shares.
    fn capabilities(&self) -> Capabilities;

    // Expressions (`writer/functions.rs`): conditional expressions, functions, casts.

    /// Writes what follows a parameter whose type the database cannot infer from where
    /// it stands (a CASE branch, a function's argument) so that it is typed as
    /// `column_type`; nothing by default (SQLite binds any value anywhere).
    fn param_type(&self, _column_type: ColumnType, _out: &mut String) {}
    /// How `GREATEST`/`LEAST` are written.
    fn extremum(&self) -> Extremum {
        Extremum::Native
    }
    /// The function that lowers (or, `upper`, uppers) the case of text, for all of
    /// Unicode.
    fn case_function(&self, upper: bool) -> &'static str {
        if upper {
            "UPPER"
        } else {
            "LOWER"
        }
    }
    /// The current date and time, as the database's timestamp with time zone.
    fn now(&self) -> &'static str {
        "CURRENT_TIMESTAMP"
    }
    /// The type `ROUND`'s operand is cast to so that halves round away from zero
    /// (`None`: as it is).
    fn round_operand(&self) -> Option<ColumnType> {
        None
    }
    // Date parts (`sql/subquery.rs` writes the node between the two texts).

    /// What goes before and after a date or datetime of `column_type` to read `part`
    /// as an integer (Django's `Extract`). This default is PostgreSQL's `EXTRACT`, a
    /// UTC timestamp read in UTC (`AT TIME ZONE 'UTC'`, as Django writes with
    /// `TIME_ZONE = "UTC"`).
    fn extract(&self, part: DatePart, column_type: ColumnType) -> (&'static str, &'static str) {
        let before = match part {
            DatePart::Year => "EXTRACT(YEAR FROM ",
            DatePart::Month => "EXTRACT(MONTH FROM ",
            DatePart::Day => "EXTRACT(DAY FROM ",
            DatePart::WeekDay => "(EXTRACT(DOW FROM ",
            DatePart::Hour => "EXTRACT(HOUR FROM ",
            DatePart::Minute => "EXTRACT(MINUTE FROM ",
        };
        let after = match (part == DatePart::WeekDay, column_type == ColumnType::TimestampTz) {
            (false, false) => ")",
            (false, true) => " AT TIME ZONE 'UTC')",
            (true, false) => ") + 1)",
            (true, true) => " AT TIME ZONE 'UTC') + 1)",
        };
        (before, after)
    }
    /// What goes before and after a date or datetime of `column_type` to truncate it
    /// to `unit`, keeping its type (a date for [`TruncUnit::Date`]). This default is
    /// PostgreSQL's `DATE_TRUNC`, a UTC timestamp truncated in UTC.
    fn trunc(&self, unit: TruncUnit, column_type: ColumnType) -> (&'static str, &'static str) {
        use ColumnType as C;
        match (unit, column_type) {
            (TruncUnit::Month, C::Date) => ("CAST(DATE_TRUNC('month', ", ") AS date)"),
            (TruncUnit::Month, C::TimestampTz) => ("(DATE_TRUNC('month', ", " AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"),
            (TruncUnit::Month, _) => ("DATE_TRUNC('month', ", ")"),
            (TruncUnit::Day, C::Date) => ("CAST(DATE_TRUNC('day', ", ") AS date)"),
            (TruncUnit::Day, C::TimestampTz) => ("(DATE_TRUNC('day', ", " AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"),
            (TruncUnit::Day, _) => ("DATE_TRUNC('day', ", ")"),
            (TruncUnit::Date, C::TimestampTz) => ("CAST(", " AT TIME ZONE 'UTC' AS date)"),
            (TruncUnit::Date, _) => ("CAST(", " AS date)"),
        }
    }

    // Migrations (`alter.rs`): how a table's columns and constraints change.

    /// How a migration changes a table: in place (`ALTER COLUMN`, constraints added
    /// and dropped, indexes renamed), or by rebuilding it.
    fn table_changes(&self) -> TableChanges {
        TableChanges::InPlace
    }
    /// Writes a statement that drops the constraint of `kind` on exactly `columns`
    /// (in order) of `table`, for a dialect that changes tables in place. This
    /// default names it as PostgreSQL names an unnamed constraint when it is created
    /// (`<table>_<columns>_key`, `_fkey`, `_check`); a dialect whose names do not
    /// follow the table through renames finds it by its columns instead.
    fn drop_constraint(&self, table: &str, kind: Constraint, columns: &[String], out: &mut String) {
        out.push_str("ALTER TABLE ");
        self.quote(table, out);
        out.push_str(" DROP CONSTRAINT ");
        let suffix = match kind {
            Constraint::Unique => "key",
            Constraint::ForeignKey => "fkey",
            Constraint::Check => "check",
        };
        self.quote(&format!("{table}_{}_{suffix}", columns.join("_")), out);
    }
    /// The statements that make an auto key column that just became one continue
    /// after the largest key its rows hold (nothing where the database does).
    fn restart_auto_key(&self, _table: &str, _column: &str) -> Vec<String> {
        Vec::new()
    }
    /// The statements that give table `into` the auto key counter of table `from`
    /// (a rebuilt table keeps never reusing a deleted row's key; nothing where the
    /// counter is not per table).
    fn keep_auto_key_counter(&self, _from: &str, _into: &str) -> Vec<String> {
        Vec::new()
    }
    /// A query with one parameter, a table's name, returning the `CREATE TRIGGER`
    /// statements of its triggers, which a rebuild recreates (`None`: no rebuild).
    fn triggers_of_table(&self) -> Option<&'static str> {
        None
    }
    /// An integer key every row of a table has, ordered as inserted (SQLite's
    /// `rowid`), by which a rebuild copies a large table in ranges.
    fn row_key(&self) -> Option<&'static str> {
        None
    }
    /// Writes a condition true of a row whose `column` holds a value that is not of
    /// `column_type` (a rebuild checks the values it copied into a column whose type
    /// changed); `false` when the column's type guarantees its values.
    fn misfit_condition(&self, _column: &str, _column_type: ColumnType, _out: &mut String) -> bool {
        false
    }
    /// The statements that take and release a lock that one migrating connection
    /// holds at a time, across its transactions (`None`: the database's own locks).
    fn migration_lock(&self) -> Option<(&'static str, &'static str)> {
        None
    }
    /// How a migration turns immediate foreign key enforcement off around its
    /// transaction and checks the keys before committing (where a rebuild needs it).
    fn foreign_key_switch(&self) -> Option<ForeignKeySwitch> {
        None
    }
}

/// How `GREATEST(a, b, ..)` and `LEAST(..)` are written (see [`Dialect::extremum`]):
/// either way the result ignores NULLs, NULL only when every argument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extremum {
    /// `GREATEST(..)`/`LEAST(..)`, which ignore NULLs (PostgreSQL).
    Native,
    /// Scalar `MAX(..)`/`MIN(..)` of several arguments, NULL when any argument is
    /// (SQLite): each nullable argument is written `COALESCE(arg, the others..)`.
    Scalar,
}

/// How a database changes a table's columns and constraints (see
/// [`Dialect::table_changes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableChanges {
    /// `ALTER TABLE .. ALTER COLUMN`, `ADD`/`DROP CONSTRAINT`, `ALTER INDEX .. RENAME`
    /// (PostgreSQL).
    InPlace,
    /// `ALTER TABLE` adds, renames and drops a plain column, renames a table; any
    /// other change builds a new table, copies the rows, drops the old one and renames
    /// the new one; indexes are dropped and created again to rename them (SQLite).
    Rebuild,
}

/// A kind of constraint a migration drops (see [`Dialect::drop_constraint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Constraint {
    /// `UNIQUE` on a column or a group.
    Unique,
    /// A column's `REFERENCES`.
    ForeignKey,
    /// A column's `CHECK`.
    Check,
}

/// The statements that suspend foreign key enforcement during a migration (see
/// [`Dialect::foreign_key_switch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForeignKeySwitch {
    /// A query returning one row, one integer: whether enforcement is on.
    pub read: &'static str,
    /// Turns it off (outside a transaction).
    pub off: &'static str,
    /// Turns it on again.
    pub on: &'static str,
    /// A query returning one row per row whose key refers to no row, run before
    /// committing.
    pub check: &'static str,
}

/// What a database supports, so that an engine that speaks a backend's protocol with
/// fewer features (CockroachDB, YugabyteDB on PostgreSQL's) is a variant of its
/// dialect rather than a fork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Capabilities {
    /// Row locks: `SELECT .. FOR UPDATE` (with `NOWAIT`, `SKIP LOCKED`, `OF`).
    pub for_update: bool,
    /// `FOR NO KEY UPDATE`.
    pub for_no_key_update: bool,
    /// `SELECT DISTINCT ON (..)`.
    pub distinct_on: bool,
    /// `SET TRANSACTION ISOLATION LEVEL` / `BEGIN ISOLATION LEVEL ..`.
    pub isolation_levels: bool,
    /// Savepoints (nested `atomic()`).
    pub savepoints: bool,
    /// `CREATE TABLE` inside a transaction, rolled back with it.
    pub transactional_ddl: bool,
    /// Constraints checked at `COMMIT` (`DEFERRABLE INITIALLY DEFERRED`).
    pub deferrable_constraints: bool,
    /// `GENERATED BY DEFAULT AS IDENTITY` keys.
    pub identity_columns: bool,
}
