//! The SQL writer as a pure function of (query, dialect): each statement snapshot for
//! SQLite's dialect, and for a dialect with numbered placeholders (`$1, $2`, as
//! PostgreSQL's), whose numbers must follow the text order whatever order the parts
//! of the query were built in.

use super::*;
use crate::ast::{Assignment, CmpOp, Cond, ExprNode, OrderBy, PatternKind, Query};
use crate::meta::{ColumnMeta, ModelMeta, Path, PrefetchCall};
use crate::sqlite::SQLITE;
use crate::value::{ColumnType, Value};

const fn column(name: &'static str, column_type: ColumnType, primary_key: bool) -> ColumnMeta {
    ColumnMeta {
        name,
        field: name,
        column_type,
        rust_type: "test",
        nullable: false,
        primary_key,
        unique: false,
        index: false,
        default: None,
        max_length: None,
    }
}

fn no_prefetch(_: &mut PrefetchCall<'_>) -> crate::error::Result<()> {
    Ok(())
}

static BOOK: ModelMeta = ModelMeta {
    name: "Book",
    table: "book",
    columns: &[
        column("id", ColumnType::Int64, true),
        column("title", ColumnType::Text, false),
        column("year", ColumnType::Int32, false),
    ],
    pk: 0,
    pk_columns: &[0],
    auto_pk: true,
    ordering: &[],
    unique_together: &[],
    index_together: &[],
    relations: &[],
    prefetch: no_prefetch,
};

/// SQLite's dialect, with PostgreSQL's placeholders.
struct Numbered;

impl Dialect for Numbered {
    fn quote(&self, ident: &str, out: &mut String) {
        SQLITE.quote(ident, out)
    }
    fn placeholder(&self, n: usize, out: &mut String) {
        out.push('$');
        out.push_str(&n.to_string());
    }
    fn max_params(&self) -> usize {
        65535
    }
    fn boolean(&self, value: bool) -> &'static str {
        if value {
            "TRUE"
        } else {
            "FALSE"
        }
    }
    fn limit(&self, count: Option<u64>, offset: u64, out: &mut String) {
        SQLITE.limit(count, offset, out)
    }
    fn key_list(&self) -> KeyList {
        SQLITE.key_list()
    }
    fn text_lookup(&self, kind: PatternKind, fold: bool) -> TextLookup {
        SQLITE.text_lookup(kind, fold)
    }
    fn insert_ignoring_conflicts(&self) -> (&'static str, &'static str) {
        SQLITE.insert_ignoring_conflicts()
    }
    fn column_type(&self, column_type: ColumnType, max_length: Option<u32>, out: &mut String) {
        SQLITE.column_type(column_type, max_length, out)
    }
    fn auto_key(&self) -> &'static str {
        SQLITE.auto_key()
    }
    fn max_length_check(&self, column: &str, max: u32, out: &mut String) {
        SQLITE.max_length_check(column, max, out)
    }
    fn begin(&self, mode: TransactionMode, isolation: Option<IsolationLevel>) -> &'static str {
        SQLITE.begin(mode, isolation)
    }
    fn capabilities(&self) -> Capabilities {
        SQLITE.capabilities()
    }
}

static NUMBERED: Numbered = Numbered;

fn col(index: u16) -> ExprNode {
    ExprNode::Column { meta: &BOOK, column: index, path: Path::ROOT }
}

fn value(v: impl Into<Value>) -> ExprNode {
    ExprNode::Value(v.into())
}

/// `year > 2000 AND title = 'Dune'`, ordered by title, rows 10 to 15.
fn filtered() -> Query {
    let mut query = Query::new(&BOOK);
    query.filter =
        Some(Cond::and(Cond::Compare(CmpOp::Gt, col(2), value(2000)), Cond::Compare(CmpOp::Eq, col(1), value("Dune"))));
    query.order = Some(vec![OrderBy { node: col(1), desc: false }]);
    query.low = 10;
    query.high = Some(15);
    query
}

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
fn an_update_numbers_its_assignments_before_its_filter() {
    let assignments = [Assignment { meta: &BOOK, column: 1, path: Path::ROOT, value: value("Emma") }];
    let sql = update(&filtered(), &assignments, &NUMBERED);
    assert_eq!(sql.text, r#"UPDATE "book" SET "title" = $1 WHERE "book"."year" > $2 AND "book"."title" = $3"#);
    assert_eq!(sql.params, [Value::from("Emma"), Value::from(2000), Value::from("Dune")]);
}

#[test]
fn counts_and_exists_wrap_the_same_numbering() {
    let mut query = filtered();
    query.distinct = true;
    let sql = count_rows(&query, Columns::Model, &NUMBERED);
    assert!(sql.text.starts_with("SELECT COUNT(*) FROM (SELECT DISTINCT"), "{}", sql.text);
    assert!(sql.text.contains("> $1 AND") && sql.text.contains("= $2 "), "{}", sql.text);
    assert!(sql.text.ends_with(") subquery"), "{}", sql.text);
    let sql = exists(&filtered(), &NUMBERED);
    assert_eq!(sql.text.matches('$').count(), 2, "{}", sql.text);
    assert_eq!(sql.params.len(), 2);
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
fn keyed_statements_go_through_the_writer_too() {
    assert_eq!(
        delete_in("book", "id", &[Value::from(1), Value::from(2), Value::from(3)], &NUMBERED).text,
        r#"DELETE FROM "book" WHERE "book"."id" IN ($1, $2, $3)"#
    );
    assert_eq!(update_by_pk(&BOOK, &NUMBERED), r#"UPDATE "book" SET "title" = $1, "year" = $2 WHERE "book"."id" = $3"#);
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
    let statements = create_table(&crate::schema::Table::from_model(&BOOK), &SQLITE);
    assert_eq!(
        statements,
        [
            r#"CREATE TABLE IF NOT EXISTS "book" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "year" INTEGER NOT NULL)"#
        ]
    );
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use crate::ast::Lock;
    use crate::postgres::POSTGRES;

    #[test]
    fn a_select_numbers_its_parameters_and_offsets_without_a_limit() {
        let sql = select(&filtered(), Columns::Model, &POSTGRES);
        assert_eq!(
            sql.text,
            r#"SELECT "book"."id", "book"."title", "book"."year" FROM "book" WHERE "book"."year" > $1 AND "book"."title" = $2 ORDER BY "book"."title" ASC LIMIT 5 OFFSET 10"#
        );
        let mut query = Query::new(&BOOK);
        query.low = 3;
        assert!(select(&query, Columns::Model, &POSTGRES).text.ends_with(r#"FROM "book" OFFSET 3"#));
    }

    #[test]
    fn in_lists_are_one_array_parameter() {
        let mut query = Query::new(&BOOK);
        query.filter = Some(Cond::In(col(2), vec![value(1), value(2), value(3)]));
        let sql = select(&query, Columns::Model, &POSTGRES);
        assert!(sql.text.ends_with(r#"WHERE "book"."year" = ANY($1)"#), "{}", sql.text);
        assert_eq!(sql.params, [Value::Array(vec![Value::from(1), Value::from(2), Value::from(3)])]);
        assert_eq!(
            delete_in("book", "id", &[Value::from(7), Value::from(8)], &POSTGRES).text,
            r#"DELETE FROM "book" WHERE "book"."id" = ANY($1)"#
        );
    }

    #[test]
    fn text_lookups_are_like_with_the_pattern_escaped_and_upper_for_i_lookups() {
        let lookup = |kind, fold, text: &str| {
            let mut query = Query::new(&BOOK);
            query.filter = Some(Cond::Pattern { kind, fold, lhs: col(1), rhs: value(text) });
            let sql = select(&query, Columns::Exprs(&[col(0)]), &POSTGRES);
            let condition = sql.text.split(" WHERE ").nth(1).expect("a WHERE").to_owned();
            (condition, sql.params)
        };
        assert_eq!(
            lookup(PatternKind::Contains, false, "50%_off\\"),
            (r#""book"."title" LIKE $1"#.into(), vec![Value::from(r"%50\%\_off\\%")])
        );
        assert_eq!(
            lookup(PatternKind::StartsWith, true, "ab"),
            (r#"UPPER("book"."title") LIKE UPPER($1)"#.into(), vec![Value::from("ab%")])
        );
        assert_eq!(lookup(PatternKind::EndsWith, false, "z").1, [Value::from("%z")]);
        assert_eq!(lookup(PatternKind::Exact, true, "Émile").0, r#"UPPER("book"."title") = UPPER($1)"#);
        // Against a column, the escaping is SQL's.
        let mut query = Query::new(&BOOK);
        query.filter = Some(Cond::Pattern { kind: PatternKind::Contains, fold: false, lhs: col(1), rhs: col(1) });
        let sql = select(&query, Columns::Exprs(&[col(0)]), &POSTGRES);
        assert!(
            sql.text.ends_with(
                r#"LIKE '%' || REPLACE(REPLACE(REPLACE("book"."title", '\', '\\'), '%', '\%'), '_', '\_') || '%'"#
            ),
            "{}",
            sql.text
        );
    }

    #[test]
    fn row_locks_and_distinct_on() {
        let mut query = filtered();
        query.lock = Some(Lock { nowait: true, of: vec![Path::ROOT], ..Lock::default() });
        assert!(select(&query, Columns::Model, &POSTGRES)
            .text
            .ends_with(r#"LIMIT 5 OFFSET 10 FOR UPDATE OF "book" NOWAIT"#));
        assert!(!select(&query, Columns::Model, &SQLITE).text.contains("FOR UPDATE"), "no row locks on SQLite");
        let mut query = Query::new(&BOOK);
        query.distinct_on = vec![col(2)];
        query.order = Some(vec![OrderBy { node: col(2), desc: false }]);
        assert!(select(&query, Columns::Model, &POSTGRES)
            .text
            .starts_with(r#"SELECT DISTINCT ON ("book"."year") "book"."id""#));
    }

    #[test]
    fn ddl_uses_identity_keys_and_native_types() {
        assert_eq!(
            create_table(&crate::schema::Table::from_model(&BOOK), &POSTGRES),
            [
                r#"CREATE TABLE IF NOT EXISTS "book" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "title" text NOT NULL, "year" integer NOT NULL)"#
            ]
        );
        assert_eq!(
            begin(TransactionMode::Immediate, Some(IsolationLevel::Serializable), &POSTGRES),
            "BEGIN ISOLATION LEVEL SERIALIZABLE"
        );
        assert_eq!(
            insert(&BOOK, 2, false, true, &POSTGRES),
            r#"INSERT INTO "book" ("title", "year") VALUES ($1, $2), ($3, $4) RETURNING "book"."id""#
        );
    }
}
