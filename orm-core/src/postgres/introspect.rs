//! What a PostgreSQL database says the tables of its current schema are
//! (`Db::check_schema`): three queries over the catalogs `pg_class`, `pg_attribute`,
//! `pg_index` and `pg_constraint`, the types as `format_type` writes them, shortened
//! to the names `CREATE TABLE` uses.

use crate::backend::{Fetch, LiveColumn, LiveForeignKey, LiveIndex, LiveTable};
use crate::error::{Error, Result};
use crate::value::Value;
use std::collections::BTreeMap;

/// Every column of the current schema's tables: `(table, column, type, NOT NULL,
/// numbered by the database)`.
const COLUMNS: &str = "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
     a.attnotnull, a.attidentity::text <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%' \
     FROM pg_class AS c \
     JOIN pg_namespace AS n ON n.oid = c.relnamespace \
     JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
     LEFT JOIN pg_attrdef AS d ON d.adrelid = c.oid AND d.adnum = a.attnum \
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
     ORDER BY c.relname, a.attnum";

/// Every index's key columns in order: `(table, index, unique, primary, column)`; an
/// expression's column is NULL.
const INDEXES: &str = "SELECT c.relname::text, i.relname::text, x.indisunique, x.indisprimary, a.attname::text \
     FROM pg_index AS x \
     JOIN pg_class AS c ON c.oid = x.indrelid \
     JOIN pg_namespace AS n ON n.oid = c.relnamespace \
     JOIN pg_class AS i ON i.oid = x.indexrelid \
     CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
     LEFT JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum > 0 \
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND k.ord <= x.indnkeyatts \
     ORDER BY c.relname, i.relname, k.ord";

/// Every foreign key's column pairs in order: `(table, constraint, column, referenced
/// table, referenced column, confdeltype)`.
const FOREIGN_KEYS: &str = "SELECT c.relname::text, con.conname::text, a.attname::text, r.relname::text, \
     ra.attname::text, con.confdeltype::text \
     FROM pg_constraint AS con \
     JOIN pg_class AS c ON c.oid = con.conrelid \
     JOIN pg_namespace AS n ON n.oid = c.relnamespace \
     JOIN pg_class AS r ON r.oid = con.confrelid \
     CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refnum, ord) \
     JOIN pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum \
     JOIN pg_attribute AS ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refnum \
     WHERE con.contype = 'f' AND n.nspname = current_schema() \
     ORDER BY c.relname, con.conname, k.ord";

/// The tables of the current schema, by name.
pub(crate) fn tables(fetch: Fetch<'_>) -> Result<Vec<LiveTable>> {
    let mut tables: BTreeMap<String, LiveTable> = BTreeMap::new();
    for row in fetch(COLUMNS, 5)? {
        let table = text(&row[0])?;
        let live = tables.entry(table.clone()).or_insert_with(|| LiveTable { name: table, ..Default::default() });
        live.columns.push(LiveColumn {
            name: text(&row[1])?,
            declared_type: short_type(&text(&row[2])?),
            nullable: !boolean(&row[3])?,
            auto: boolean(&row[4])?,
        });
    }
    for row in fetch(INDEXES, 5)? {
        let Some(live) = tables.get_mut(&text(&row[0])?) else { continue };
        let name = text(&row[1])?;
        if live.indexes.last().is_none_or(|index| index.name != name) {
            live.indexes.push(LiveIndex { name, columns: Vec::new(), unique: boolean(&row[2])? });
        }
        // An index on an expression stands for no list of columns: marked empty here.
        let column = match &row[4] {
            Value::Null => String::new(),
            other => text(other)?,
        };
        if boolean(&row[3])? {
            live.primary_key.push(column.clone());
        }
        live.indexes.last_mut().expect("pushed above").columns.push(column);
    }
    for live in tables.values_mut() {
        for index in &mut live.indexes {
            if index.columns.iter().any(String::is_empty) {
                index.columns.clear();
            }
        }
    }
    let mut last: Option<(String, String)> = None;
    for row in fetch(FOREIGN_KEYS, 6)? {
        let table = text(&row[0])?;
        let constraint = text(&row[1])?;
        let Some(live) = tables.get_mut(&table) else { continue };
        let here = (table, constraint);
        if last.as_ref() != Some(&here) {
            live.foreign_keys.push(LiveForeignKey {
                columns: Vec::new(),
                table: text(&row[3])?,
                referenced: Vec::new(),
                on_delete: on_delete(&text(&row[5])?).to_owned(),
            });
            last = Some(here);
        }
        let fk = live.foreign_keys.last_mut().expect("pushed above");
        fk.columns.push(text(&row[2])?);
        fk.referenced.push(text(&row[4])?);
    }
    Ok(tables.into_values().collect())
}

/// `format_type`'s long names as `CREATE TABLE` writes them: `character varying(20)`
/// is `varchar(20)`, `timestamp without time zone` is `timestamp`.
fn short_type(long: &str) -> String {
    if let Some(rest) = long.strip_prefix("character varying") {
        return format!("varchar{rest}");
    }
    if let Some(rest) = long.strip_prefix("timestamp without time zone") {
        return format!("timestamp{rest}");
    }
    if let Some(rest) = long.strip_prefix("timestamp(") {
        if let Some(precision) = rest.strip_suffix(") without time zone") {
            return format!("timestamp({precision})");
        }
    }
    long.to_owned()
}

/// `pg_constraint.confdeltype`'s letter as the words of `ON DELETE`.
fn on_delete(letter: &str) -> &'static str {
    match letter {
        "c" => "CASCADE",
        "n" => "SET NULL",
        "r" => "RESTRICT",
        "d" => "SET DEFAULT",
        _ => "NO ACTION",
    }
}

fn text(value: &Value) -> Result<String> {
    match value {
        Value::Text(text) => Ok(text.clone()),
        other => Err(unexpected(other)),
    }
}

fn boolean(value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(unexpected(other)),
    }
}

fn unexpected(value: &Value) -> Error {
    Error::Migration { message: format!("PostgreSQL described its tables with an unexpected value: {value:?}") }
}

#[cfg(test)]
mod tests {
    use super::short_type;

    #[test]
    fn long_type_names_are_written_as_create_table_writes_them() {
        assert_eq!(short_type("character varying(20)"), "varchar(20)");
        assert_eq!(short_type("character varying"), "varchar");
        assert_eq!(short_type("timestamp without time zone"), "timestamp");
        assert_eq!(short_type("timestamp(3) without time zone"), "timestamp(3)");
        assert_eq!(short_type("timestamp with time zone"), "timestamp with time zone");
        assert_eq!(short_type("bigint"), "bigint");
    }
}
