//! The SQL writer as a pure function of (query, dialect), on a dialect of its own with
//! numbered placeholders (`$1, $2`), whose numbers must follow the text order whatever
//! order the parts of the query were built in. Each backend's snapshots are in its
//! folder (`sqlite/tests.rs`, `postgres/tests.rs`), on the fixtures here.

use super::*;
use crate::ast::{Assignment, CmpOp, Cond, ExprNode, OrderBy, PatternKind, Query};
use crate::meta::{ColumnMeta, ModelMeta, Path, PrefetchCall};
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

pub(crate) static BOOK: ModelMeta = ModelMeta {
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

/// A dialect of the writer's own tests: the SQL standard's quoting and `$n`
/// placeholders, nothing of any backend (whose snapshots are in their folders).
pub(crate) struct Numbered;

impl Dialect for Numbered {
    fn quote(&self, ident: &str, out: &mut String) {
        quote_double(ident, out)
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
        if let Some(count) = count {
            out.push_str(&format!(" LIMIT {count}"));
        }
        if offset > 0 {
            out.push_str(&format!(" OFFSET {offset}"));
        }
    }
    fn key_list(&self) -> KeyList {
        KeyList::PaddedOrJson { max: 1024 }
    }
    fn json_paths(&self) -> JsonPaths {
        JsonPaths::Operators
    }
    fn text_lookup(&self, _kind: PatternKind, _fold: bool) -> TextLookup {
        TextLookup::Call { prefix: "lookup(", middle: ", ", suffix: ")" }
    }
    fn insert_ignoring_conflicts(&self) -> (&'static str, &'static str) {
        ("INSERT INTO ", " ON CONFLICT DO NOTHING")
    }
    fn column_type(&self, _column_type: ColumnType, _max_length: Option<u32>, out: &mut String) {
        out.push_str("ANY");
    }
    fn auto_key(&self) -> &'static str {
        " INTEGER PRIMARY KEY"
    }
    fn max_length_check(&self, _column: &str, _max: u32, _out: &mut String) {}
    fn begin(&self, _mode: TransactionMode, _isolation: Option<IsolationLevel>) -> &'static str {
        "BEGIN"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            for_update: false,
            for_no_key_update: false,
            distinct_on: false,
            isolation_levels: false,
            savepoints: true,
            transactional_ddl: true,
            deferrable_constraints: false,
            identity_columns: false,
        }
    }
}

pub(crate) static NUMBERED: Numbered = Numbered;

pub(crate) fn col(index: u16) -> ExprNode {
    ExprNode::Column { meta: &BOOK, column: index, path: Path::ROOT }
}

pub(crate) fn value(v: impl Into<Value>) -> ExprNode {
    ExprNode::Value(v.into())
}

/// `year > 2000 AND title = 'Dune'`, ordered by title, rows 10 to 15.
pub(crate) fn filtered() -> Query {
    let mut query = Query::new(&BOOK);
    query.filter =
        Some(Cond::and(Cond::Compare(CmpOp::Gt, col(2), value(2000)), Cond::Compare(CmpOp::Eq, col(1), value("Dune"))));
    query.order = Some(vec![OrderBy { node: col(1), desc: false, nulls: None }]);
    query.low = 10;
    query.high = Some(15);
    query
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
fn keyed_statements_go_through_the_writer_too() {
    assert_eq!(
        delete_in("book", "id", &[Value::from(1), Value::from(2), Value::from(3)], &NUMBERED).text,
        r#"DELETE FROM "book" WHERE "book"."id" IN ($1, $2, $3)"#
    );
    assert_eq!(update_by_pk(&BOOK, &NUMBERED), r#"UPDATE "book" SET "title" = $1, "year" = $2 WHERE "book"."id" = $3"#);
}
