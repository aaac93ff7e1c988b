//! SQLite's SQL, snapshot: the writer's statements in SQLite's dialect.

use super::SQLITE;
use crate::schema::Table;
use crate::sql::tests::{filtered, BOOK, NUMBERED};
use crate::sql::*;
use crate::value::Value;

#[test]
fn a_select_is_written_in_text_order_with_literal_limits() {
    let sqlite = select(&filtered(), Columns::Model, &SQLITE);
    assert_eq!(
        sqlite.text,
        r#"SELECT "book"."id", "book"."title", "book"."year" FROM "book" WHERE "book"."year" > ? AND "book"."title" = ? ORDER BY "book"."title" ASC LIMIT 5 OFFSET 10"#
    );
    assert_eq!(sqlite.params, [Value::from(2000), Value::from("Dune")]);
    let numbered = select(&filtered(), Columns::Model, &NUMBERED);
    assert_eq!(numbered.text, sqlite.text.replacen('?', "$1", 1).replacen('?', "$2", 1));
    assert_eq!(numbered.params, sqlite.params);
}

#[test]
fn an_insert_numbers_row_after_row() {
    assert_eq!(
        insert(&BOOK, 2, false, false, &SQLITE),
        r#"INSERT INTO "book" ("title", "year") VALUES (?, ?), (?, ?)"#
    );
    assert_eq!(
        insert(&BOOK, 2, false, true, &NUMBERED),
        r#"INSERT INTO "book" ("title", "year") VALUES ($1, $2), ($3, $4) RETURNING "book"."id""#
    );
}

#[test]
fn transaction_statements_come_from_the_dialect() {
    assert_eq!(begin(TransactionMode::Deferred, None, &SQLITE), "BEGIN");
    assert_eq!(begin(TransactionMode::Immediate, None, &SQLITE), "BEGIN IMMEDIATE");
    assert_eq!(begin(TransactionMode::Exclusive, Some(IsolationLevel::Serializable), &SQLITE), "BEGIN EXCLUSIVE");
    assert_eq!(savepoint("ROLLBACK TO", "orm_sp_1", &SQLITE), r#"ROLLBACK TO "orm_sp_1""#);
}

#[test]
fn identifiers_are_quoted_by_the_dialect() {
    let mut out = String::new();
    SQLITE.quote(r#"odd"name"#, &mut out);
    assert_eq!(out, r#""odd""name""#);
}

#[test]
fn create_table_names_the_dialects_column_types() {
    let statements = create_table(&Table::from_model(&BOOK), &SQLITE);
    assert_eq!(
        statements,
        [
            r#"CREATE TABLE IF NOT EXISTS "book" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "year" INTEGER NOT NULL)"#
        ]
    );
}
