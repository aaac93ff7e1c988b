//! What an SQLite database says its tables are (`Db::check_schema`): three queries over
//! `sqlite_master` joined with the table-valued pragmas `table_info`, `index_list` with
//! `index_info`, and `foreign_key_list`.

use crate::backend::{Fetch, LiveColumn, LiveForeignKey, LiveIndex, LiveTable};
use crate::error::{Error, Result};
use crate::value::Value;
use std::collections::BTreeMap;

/// Every table's columns: `(table, column, declared type, notnull, position in the key)`.
const COLUMNS: &str = "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk \
     FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!' \
     ORDER BY m.name, p.cid";

/// Every index's columns in order: `(table, index, unique, column)`; an expression's
/// column is NULL.
const INDEXES: &str = "SELECT m.name, l.name, l.\"unique\", i.name \
     FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS l JOIN pragma_index_info(l.name) AS i \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!' \
     ORDER BY m.name, l.name, i.seqno";

/// Every foreign key's column pairs in order: `(table, id, referenced table, column,
/// referenced column, on_delete)`; the referenced column is NULL when the constraint
/// names none (the referenced table's primary key).
const FOREIGN_KEYS: &str = "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_delete \
     FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!' \
     ORDER BY m.name, f.id, f.seq";

/// The tables of the database, by name.
pub(crate) fn tables(fetch: Fetch<'_>) -> Result<Vec<LiveTable>> {
    let mut tables: BTreeMap<String, LiveTable> = BTreeMap::new();
    let mut keys: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for row in fetch(COLUMNS, 5)? {
        let table = text(&row[0])?;
        let live =
            tables.entry(table.clone()).or_insert_with(|| LiveTable { name: table.clone(), ..Default::default() });
        let name = text(&row[1])?;
        let position = int(&row[4])?;
        if position > 0 {
            keys.entry(table).or_default().push((position, name.clone()));
        }
        live.columns.push(LiveColumn {
            name,
            declared_type: text(&row[2])?,
            nullable: int(&row[3])? == 0,
            auto: false,
        });
    }
    for (table, mut key) in keys {
        key.sort();
        let live = tables.get_mut(&table).expect("a key column's table was read");
        live.primary_key = key.into_iter().map(|(_, name)| name).collect();
        // A single INTEGER PRIMARY KEY is the rowid: numbered by SQLite, never NULL.
        if let [key] = live.primary_key.as_slice() {
            if let Some(column) = live.columns.iter_mut().find(|c| c.name == *key) {
                if column.declared_type.eq_ignore_ascii_case("INTEGER") {
                    column.auto = true;
                    column.nullable = false;
                }
            }
        }
    }
    for row in fetch(INDEXES, 4)? {
        let Some(live) = tables.get_mut(&text(&row[0])?) else { continue };
        let name = text(&row[1])?;
        let column = match &row[3] {
            Value::Null => None,
            other => Some(text(other)?),
        };
        if live.indexes.last().is_none_or(|index| index.name != name) {
            live.indexes.push(LiveIndex { name, columns: Vec::new(), unique: int(&row[2])? != 0 });
        }
        let index = live.indexes.last_mut().expect("pushed above");
        match column {
            Some(column) => index.columns.push(column),
            // An index on an expression stands for no list of columns.
            None => index.columns.push(String::new()),
        }
    }
    for live in tables.values_mut() {
        for index in &mut live.indexes {
            if index.columns.iter().any(String::is_empty) {
                index.columns.clear();
            }
        }
    }
    let mut last = None;
    for row in fetch(FOREIGN_KEYS, 6)? {
        let table = text(&row[0])?;
        let id = int(&row[1])?;
        let referenced = match &row[4] {
            Value::Null => None,
            other => Some(text(other)?),
        };
        let fk = (text(&row[2])?, text(&row[3])?, referenced, text(&row[5])?);
        let Some(live) = tables.get_mut(&table) else { continue };
        if last.as_ref() != Some(&(table.clone(), id)) {
            live.foreign_keys.push(LiveForeignKey {
                columns: Vec::new(),
                table: fk.0,
                referenced: Vec::new(),
                on_delete: fk.3.to_ascii_uppercase(),
            });
            last = Some((table, id));
        }
        let foreign_key = live.foreign_keys.last_mut().expect("pushed above");
        foreign_key.columns.push(fk.1);
        // Empty for now when the constraint names no column: filled in below.
        foreign_key.referenced.push(fk.2.unwrap_or_default());
    }
    // `REFERENCES t` without columns references t's primary key.
    let keys: BTreeMap<String, Vec<String>> =
        tables.values().map(|t| (t.name.clone(), t.primary_key.clone())).collect();
    for live in tables.values_mut() {
        for fk in &mut live.foreign_keys {
            if fk.referenced.iter().any(String::is_empty) {
                fk.referenced = keys.get(&fk.table).cloned().unwrap_or_default();
            }
        }
    }
    Ok(tables.into_values().collect())
}

fn text(value: &Value) -> Result<String> {
    match value {
        Value::Text(text) => Ok(text.clone()),
        other => Err(unexpected(other)),
    }
}

fn int(value: &Value) -> Result<i64> {
    match value {
        Value::Integer(n) => Ok(*n),
        other => Err(unexpected(other)),
    }
}

fn unexpected(value: &Value) -> Error {
    Error::Migration { message: format!("SQLite described its tables with an unexpected value: {value:?}") }
}
