//! The DDL that changes a live table from one [`Table`] description to another: a
//! migration's operations, in the dialect's SQL.
//!
//! A dialect that changes tables in place (PostgreSQL) gets `ALTER TABLE .. ADD`,
//! `DROP`, `RENAME`, `ALTER COLUMN .. TYPE .. USING`, `SET`/`DROP NOT NULL`,
//! `SET`/`DROP DEFAULT` and constraints added and dropped. On SQLite, `ALTER TABLE`
//! adds, renames and drops a plain column; anything else rebuilds the table as SQLite
//! documents it: a new table with the new definition, the rows copied, the old table
//! dropped, the new one renamed, its indexes and triggers created again (foreign key
//! enforcement is suspended around the migration's transaction by the caller, and the
//! keys checked before it commits).
//!
//! Index names follow their table and columns (`<table>_<columns>_idx`): a rename of
//! either renames the indexes, so that a later operation finds them by the state's
//! names.

use super::ddl::{column_definition, create_index, create_table_statement, references};
use super::dialect::{Constraint, Dialect, TableChanges};
use super::Writer;
use crate::schema::{Column, Schema, Table};
use crate::value::ColumnType;

/// One step of a schema change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// A statement.
    Sql(String),
    /// A rebuild's copy of `table`'s rows into the new table: `INSERT INTO .. SELECT ..
    /// FROM "<table>"`, without a `WHERE` (the caller may copy in ranges of the
    /// dialect's row key, to report progress).
    CopyRows {
        /// The table copied from.
        table: String,
        /// The statement.
        sql: String,
    },
    /// A query counting the rows a rebuild copied whose value does not have the
    /// column's type (SQLite keeps a text that does not read as a number in an
    /// INTEGER column, where PostgreSQL's cast would refuse it): any is an error.
    Verify {
        /// The query, returning one count.
        sql: String,
        /// The table and column, for the error.
        column: String,
        /// The column's type, for the error.
        column_type: ColumnType,
    },
    /// Before a rebuild drops the table: its triggers are read, to be created again.
    SaveTriggers(String),
    /// After the rebuild: the triggers read before are created again.
    RestoreTriggers(String),
}

impl Step {
    /// The statement's text (`None` for the steps that read the live database).
    pub(crate) fn sql(&self) -> Option<&str> {
        match self {
            Step::Sql(sql) | Step::CopyRows { sql, .. } => Some(sql),
            Step::Verify { .. } | Step::SaveTriggers(_) | Step::RestoreTriggers(_) => None,
        }
    }
}

/// Where a rebuilt table's column takes its values from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Source<'a> {
    /// The old table's column of the same name.
    Column,
    /// The old column, its NULLs replaced by this SQL literal.
    Coalesce(&'a str),
    /// This SQL literal for every row (a new column's one-off value).
    Literal(&'a str),
}

fn rebuilds(dialect: &'static dyn Dialect) -> bool {
    dialect.table_changes() == TableChanges::Rebuild
}

fn sql(text: String) -> Step {
    Step::Sql(text)
}

/// `CREATE TABLE` and `CREATE INDEX` without `IF NOT EXISTS`: a migration that finds
/// its table made already fails rather than record a table it did not make.
fn strict(text: String) -> String {
    for (lenient, strict) in
        [("CREATE TABLE IF NOT EXISTS ", "CREATE TABLE "), ("CREATE INDEX IF NOT EXISTS ", "CREATE INDEX ")]
    {
        if let Some(rest) = text.strip_prefix(lenient) {
            return format!("{strict}{rest}");
        }
    }
    text
}

/// `CREATE TABLE` and its indexes.
pub(crate) fn create_table(table: &Table, dialect: &'static dyn Dialect) -> Vec<Step> {
    super::ddl::create_table(table, dialect).into_iter().map(|text| sql(strict(text))).collect()
}

/// `ALTER TABLE "<table>" ` in a new writer.
fn alter_table(table: &str, dialect: &'static dyn Dialect) -> Writer {
    let mut w = Writer::bare(dialect);
    w.push("ALTER TABLE ");
    w.ident(table);
    w.push(" ");
    w
}

/// `DROP TABLE "<table>"` (its indexes and triggers go with it).
pub(crate) fn drop_table(table: &str, dialect: &'static dyn Dialect) -> Vec<Step> {
    let mut w = Writer::bare(dialect);
    w.push("DROP TABLE ");
    w.ident(table);
    vec![sql(w.text())]
}

/// `ALTER TABLE .. RENAME TO ..`, and its indexes renamed after it.
pub(crate) fn rename_table(before: &Table, after: &Table, dialect: &'static dyn Dialect) -> Vec<Step> {
    let mut w = alter_table(&before.name, dialect);
    w.push("RENAME TO ");
    w.ident(&after.name);
    let mut out = vec![sql(w.text())];
    for index in &before.indexes {
        out.extend(rename_index(before, after, index, index, dialect));
    }
    out
}

/// Renames the index on `columns` of `before` to its name on `new_columns` of
/// `after` (SQLite has no `ALTER INDEX`: it is dropped and created again).
fn rename_index(
    before: &Table,
    after: &Table,
    columns: &[String],
    new_columns: &[String],
    dialect: &'static dyn Dialect,
) -> Vec<Step> {
    let (from, to) = (before.index_name(columns), after.index_name(new_columns));
    if from == to {
        return Vec::new();
    }
    if rebuilds(dialect) {
        return vec![drop_index(before, columns, dialect), sql(strict(create_index(after, new_columns, dialect)))];
    }
    let mut w = Writer::bare(dialect);
    w.push("ALTER INDEX ");
    w.ident(&from);
    w.push(" RENAME TO ");
    w.ident(&to);
    vec![sql(w.text())]
}

/// `CREATE INDEX` on `columns` of `table` (as it is after the change).
pub(crate) fn add_index(table: &Table, columns: &[String], dialect: &'static dyn Dialect) -> Vec<Step> {
    vec![sql(strict(create_index(table, columns, dialect)))]
}

/// `DROP INDEX` on `columns` of `table` (as it is before the change).
pub(crate) fn remove_index(table: &Table, columns: &[String], dialect: &'static dyn Dialect) -> Vec<Step> {
    vec![drop_index(table, columns, dialect)]
}

fn drop_index(table: &Table, columns: &[String], dialect: &'static dyn Dialect) -> Step {
    let mut w = Writer::bare(dialect);
    w.push("DROP INDEX ");
    w.ident(&table.index_name(columns));
    sql(w.text())
}

/// `ADD COLUMN`. `fill` is the one-off value of the rows that exist, when the column
/// is NOT NULL without a default. SQLite adds the column in place when it can (not
/// unique, not a key, a constant default or none, nullable or with a default), and
/// rebuilds the table otherwise.
pub(crate) fn add_column(
    before: &Table,
    after: &Table,
    column: &Column,
    fill: Option<&str>,
    dialect: &'static dyn Dialect,
) -> Vec<Step> {
    let fill = fill.filter(|_| column.default.is_none());
    if rebuilds(dialect) {
        let constant_default = column.default.as_deref().is_none_or(|d| {
            let d = d.trim_start();
            !d.starts_with('(') && !d.to_ascii_uppercase().starts_with("CURRENT_")
        });
        let in_place = !column.auto
            && !column.unique
            && fill.is_none()
            && (column.nullable || column.default.is_some())
            && constant_default;
        if !in_place {
            let sources = |c: &Column| match (c.name == column.name, fill) {
                (false, _) => Some(Source::Column),
                (true, Some(value)) => Some(Source::Literal(value)),
                (true, None) => None,
            };
            return rebuild(before, after, sources, dialect);
        }
    }
    let mut w = alter_table(&after.name, dialect);
    w.push("ADD COLUMN ");
    match fill {
        // The rows that exist take the one-off value as a default, dropped after.
        Some(value) if !rebuilds(dialect) => {
            let with_default = Column { default: Some(value.to_owned()), ..column.clone() };
            column_definition(&mut w, &with_default, false, dialect);
            let mut drop = alter_table(&after.name, dialect);
            drop.push("ALTER COLUMN ");
            drop.ident(&column.name);
            drop.push(" DROP DEFAULT");
            vec![sql(w.text()), sql(drop.text())]
        }
        _ => {
            column_definition(&mut w, column, false, dialect);
            vec![sql(w.text())]
        }
    }
}

/// `DROP COLUMN`. SQLite drops a plain column in place (its indexes dropped
/// first), and rebuilds the table for a key, a unique column, a column of a
/// `unique_together` group, a foreign key or a column other tables refer to.
pub(crate) fn drop_column(
    schema: &Schema,
    before: &Table,
    after: &Table,
    column: &str,
    dialect: &'static dyn Dialect,
) -> Vec<Step> {
    let mut out = Vec::new();
    if rebuilds(dialect) {
        let old = before.column(column);
        let referenced = schema
            .tables
            .values()
            .flat_map(|t| &t.columns)
            .any(|c| c.references.as_ref().is_some_and(|r| r.table == before.name && r.column == column));
        let plain = old.is_some_and(|c| !c.unique && !c.auto && c.references.is_none())
            && !before.primary_key.iter().any(|k| k == column)
            && !before.unique_together.iter().any(|group| group.iter().any(|c| c == column))
            && !referenced;
        if !plain {
            return rebuild(before, after, |_| Some(Source::Column), dialect);
        }
        for index in before.indexes.iter().filter(|index| index.iter().any(|c| c == column)) {
            out.push(drop_index(before, index, dialect));
        }
    }
    let mut w = alter_table(&before.name, dialect);
    w.push("DROP COLUMN ");
    w.ident(column);
    out.push(sql(w.text()));
    out
}

/// `RENAME COLUMN` (which every reference, index and check follows), and the
/// indexes that include the column renamed after it.
pub(crate) fn rename_column(
    before: &Table,
    after: &Table,
    from: &str,
    to: &str,
    dialect: &'static dyn Dialect,
) -> Vec<Step> {
    let mut w = alter_table(&before.name, dialect);
    w.push("RENAME COLUMN ");
    w.ident(from);
    w.push(" TO ");
    w.ident(to);
    let mut out = vec![sql(w.text())];
    for index in before.indexes.iter().filter(|index| index.iter().any(|c| c == from)) {
        let renamed: Vec<String> = index.iter().map(|c| if c == from { to.to_owned() } else { c.clone() }).collect();
        out.extend(rename_index(before, after, index, &renamed, dialect));
    }
    out
}

/// A column's new definition. In place: each difference its own statement, the
/// constraints that go dropped first and those that come added last; `fill`
/// replaces the NULLs of a column that becomes NOT NULL. SQLite rebuilds the table.
pub(crate) fn alter_column(
    before: &Table,
    after: &Table,
    column: &Column,
    fill: Option<&str>,
    dialect: &'static dyn Dialect,
) -> Vec<Step> {
    if rebuilds(dialect) {
        let sources = |c: &Column| match fill {
            Some(value) if c.name == column.name => Some(Source::Coalesce(value)),
            _ => Some(Source::Column),
        };
        return rebuild(before, after, sources, dialect);
    }
    let Some(old) = before.column(&column.name) else { return Vec::new() };
    let table = &after.name;
    let (old_eff, new_eff) = (effective(old), effective(column));
    let name = std::slice::from_ref(&column.name);
    let mut out = Vec::new();
    let statement = |out: &mut Vec<Step>, action: &dyn Fn(&mut Writer)| {
        let mut w = alter_table(table, dialect);
        action(&mut w);
        out.push(sql(w.text()));
    };
    let alter = |w: &mut Writer, rest: &str| {
        w.push("ALTER COLUMN ");
        w.ident(&column.name);
        w.push(rest);
    };
    // What goes first.
    let drop = |kind: Constraint| {
        let mut text = String::new();
        dialect.drop_constraint(table, kind, name, &mut text);
        sql(text)
    };
    let mut drops = Vec::new();
    if old_eff.references.is_some() && old_eff.references != new_eff.references {
        drops.push(drop(Constraint::ForeignKey));
    }
    if old_eff.unique && !new_eff.unique {
        drops.push(drop(Constraint::Unique));
    }
    let (old_checks, new_checks) = (checks(&old_eff, dialect), checks(&new_eff, dialect));
    if old_checks != new_checks {
        drops.extend(old_checks.iter().map(|_| drop(Constraint::Check)));
    }
    if old.auto && !column.auto {
        statement(&mut out, &|w| alter(w, " DROP IDENTITY"));
    }
    let old_type = column_type(&old_eff, dialect);
    let new_type = column_type(&new_eff, dialect);
    // A default of the old type cannot be cast with the column: it goes first and
    // comes back (as the new definition says) after the type.
    let default_dropped = old_type != new_type && old_eff.default.is_some();
    if default_dropped {
        statement(&mut out, &|w| alter(w, " DROP DEFAULT"));
    }
    if old_type != new_type {
        // An explicit cast to a bounded text cuts what is longer; the assignment cast
        // (no USING) refuses it instead, and converts from every type.
        let bounded_text = column.column_type == ColumnType::Text && column.max_length.is_some();
        statement(&mut out, &|w| {
            alter(w, " TYPE ");
            w.push(&new_type);
            if !bounded_text {
                w.push(" USING CAST(");
                w.ident(&column.name);
                w.push(" AS ");
                w.push(&new_type);
                w.push(")");
            }
        });
    }
    if old_eff.nullable && !new_eff.nullable {
        if let Some(value) = fill {
            let mut w = Writer::bare(dialect);
            w.push("UPDATE ");
            w.ident(table);
            w.push(" SET ");
            w.ident(&column.name);
            w.push(" = ");
            w.push(value);
            w.push(" WHERE ");
            w.ident(&column.name);
            w.push(" IS NULL");
            out.push(sql(w.text()));
        }
        statement(&mut out, &|w| alter(w, " SET NOT NULL"));
    } else if !old_eff.nullable && new_eff.nullable {
        statement(&mut out, &|w| alter(w, " DROP NOT NULL"));
    }
    if old_eff.default != new_eff.default || default_dropped {
        match &new_eff.default {
            Some(default) => statement(&mut out, &|w| {
                alter(w, " SET DEFAULT ");
                super::ddl::default_literal(w, new_eff.column_type, default, dialect);
            }),
            None if !default_dropped => statement(&mut out, &|w| alter(w, " DROP DEFAULT")),
            None => {}
        }
    }
    if !old.auto && column.auto {
        statement(&mut out, &|w| alter(w, " ADD GENERATED BY DEFAULT AS IDENTITY"));
        out.extend(dialect.restart_auto_key(table, &column.name).into_iter().map(sql));
    }
    // What comes last.
    if new_eff.unique && !old_eff.unique {
        statement(&mut out, &|w| {
            w.push("ADD UNIQUE (");
            w.ident(&column.name);
            w.push(")");
        });
    }
    if old_checks != new_checks {
        for check in &new_checks {
            statement(&mut out, &|w| {
                w.push("ADD ");
                w.push(check);
            });
        }
    }
    if let Some(reference) = new_eff.references.as_ref().filter(|r| old_eff.references.as_ref() != Some(*r)) {
        statement(&mut out, &|w| {
            w.push("ADD FOREIGN KEY (");
            w.ident(&column.name);
            w.push(")");
            references(w, reference);
        });
    }
    drops.extend(out);
    drops
}

/// The table's `unique_together` groups become `after`'s: in place, the groups
/// that go dropped and those that come added; SQLite rebuilds the table.
pub(crate) fn alter_unique_together(before: &Table, after: &Table, dialect: &'static dyn Dialect) -> Vec<Step> {
    if rebuilds(dialect) {
        return rebuild(before, after, |_| Some(Source::Column), dialect);
    }
    let mut out = Vec::new();
    for group in before.unique_together.iter().filter(|g| !after.unique_together.contains(g)) {
        let mut text = String::new();
        dialect.drop_constraint(&before.name, Constraint::Unique, group, &mut text);
        out.push(sql(text));
    }
    for group in after.unique_together.iter().filter(|g| !before.unique_together.contains(g)) {
        let mut w = alter_table(&after.name, dialect);
        w.push("ADD UNIQUE (");
        for (i, name) in group.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.ident(name);
        }
        w.push(")");
        out.push(sql(w.text()));
    }
    out
}

/// The table rebuilt with `after`'s definition: each of `after`'s columns takes the
/// values `source` says (`None`: its default, or NULL).
pub(crate) fn rebuild<'a>(
    before: &Table,
    after: &'a Table,
    source: impl Fn(&'a Column) -> Option<Source<'a>>,
    dialect: &'static dyn Dialect,
) -> Vec<Step> {
    let temp = format!("new__{}", after.name);
    let mut out =
        vec![Step::SaveTriggers(before.name.clone()), sql(strict(create_table_statement(after, &temp, dialect)))];
    let copied: Vec<(&Column, Source)> = after
        .columns
        .iter()
        .filter_map(|c| source(c).map(|s| (c, s)))
        .filter(|(c, s)| !matches!(s, Source::Column | Source::Coalesce(_)) || before.column(&c.name).is_some())
        .collect();
    if !copied.is_empty() {
        let mut w = Writer::bare(dialect);
        w.push("INSERT INTO ");
        w.ident(&temp);
        w.push(" (");
        for (i, (column, _)) in copied.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.ident(&column.name);
        }
        w.push(") SELECT ");
        for (i, (column, source)) in copied.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            match source {
                Source::Column => w.ident(&column.name),
                Source::Coalesce(value) => {
                    w.push("COALESCE(");
                    w.ident(&column.name);
                    w.push(", ");
                    w.push(value);
                    w.push(")");
                }
                Source::Literal(value) => w.push(value),
            }
        }
        w.push(" FROM ");
        w.ident(&before.name);
        out.push(Step::CopyRows { table: before.name.clone(), sql: w.text() });
        // The values whose type changed, or that a one-off value gave.
        for (column, source) in &copied {
            let changed = before.column(&column.name).is_none_or(|old| old.column_type != column.column_type);
            if !changed && *source == Source::Column {
                continue;
            }
            let mut condition = String::new();
            if dialect.misfit_condition(&column.name, column.column_type, &mut condition) {
                let mut w = Writer::bare(dialect);
                w.push("SELECT COUNT(*) FROM ");
                w.ident(&temp);
                w.push(" WHERE ");
                w.push(&condition);
                out.push(Step::Verify {
                    sql: w.text(),
                    column: format!("{}.{}", after.name, column.name),
                    column_type: column.column_type,
                });
            }
        }
    }
    let auto = |t: &Table| t.columns.iter().any(|c| c.auto);
    if auto(before) && auto(after) {
        out.extend(dialect.keep_auto_key_counter(&before.name, &temp).into_iter().map(sql));
    }
    out.extend(drop_table(&before.name, dialect));
    let mut w = alter_table(&temp, dialect);
    w.push("RENAME TO ");
    w.ident(&after.name);
    out.push(sql(w.text()));
    out.extend(after.indexes.iter().map(|index| sql(strict(create_index(after, index, dialect)))));
    out.push(Step::RestoreTriggers(after.name.clone()));
    out
}

/// What the database holds for a column: an auto key is a NOT NULL 64-bit integer
/// without a default or constraints of its own.
fn effective(column: &Column) -> Column {
    if !column.auto {
        return column.clone();
    }
    Column { nullable: false, ..plain(&column.name) }
}

fn column_type(column: &Column, dialect: &'static dyn Dialect) -> String {
    let mut out = String::new();
    dialect.column_type(column.column_type, column.max_length, &mut out);
    out
}

/// The `CHECK (..)` clauses `CREATE TABLE` gives a column.
fn checks(column: &Column, dialect: &'static dyn Dialect) -> Vec<String> {
    let mut out = Vec::new();
    if matches!(column.column_type, ColumnType::UInt8 | ColumnType::UInt16 | ColumnType::UInt32) {
        let mut w = Writer::bare(dialect);
        w.push("CHECK (");
        w.ident(&column.name);
        w.push(" >= 0)");
        out.push(w.text());
    }
    if let Some(max) = column.max_length {
        let mut check = String::new();
        dialect.max_length_check(&column.name, max, &mut check);
        if !check.trim().is_empty() {
            out.push(check.trim().to_owned());
        }
    }
    out
}

/// A nullable column of no constraint, of `name`.
fn plain(name: &str) -> Column {
    Column {
        name: name.to_owned(),
        column_type: ColumnType::Int64,
        nullable: true,
        auto: false,
        unique: false,
        default: None,
        max_length: None,
        references: None,
    }
}
