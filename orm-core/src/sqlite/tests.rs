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

/// Conditional expressions, functions, casts, a filtered aggregate and NULLS LAST
/// (the expressions of `sql/writer/functions.rs`).
mod expressions {
    use super::SQLITE;
    use crate::ast::{AggFunc, CmpOp, Cond, ExprNode, Func, NullsOrder, OrderBy, Query};
    use crate::sql::tests::{col, value, BOOK};
    use crate::sql::*;
    use crate::value::{ColumnType, Value};

    fn selecting(node: ExprNode) -> Sql {
        select(&Query::new(&BOOK), Columns::Exprs(&[node]), &SQLITE)
    }

    fn call(func: Func, args: Vec<ExprNode>) -> ExprNode {
        ExprNode::Func { func, args }
    }

    #[test]
    fn case_binds_its_branches() {
        let case = ExprNode::Case {
            whens: vec![(Cond::Compare(CmpOp::Gt, col(2), value(2000)), value("new"))],
            default: Some(Box::new(value("old"))),
        };
        let sql = selecting(case);
        assert_eq!(sql.text, r#"SELECT CASE WHEN "book"."year" > ? THEN ? ELSE ? END FROM "book""#);
        assert_eq!(sql.params, [Value::from(2000), Value::from("new"), Value::from("old")]);
        let no_default = ExprNode::Case { whens: vec![(Cond::Everything, col(1))], default: None };
        assert_eq!(selecting(no_default).text, r#"SELECT CASE WHEN 1 THEN "book"."title" END FROM "book""#);
    }

    #[test]
    fn coalesce_cast_and_the_text_functions() {
        assert_eq!(
            selecting(call(Func::Coalesce, vec![col(1), value("none")])).text,
            r#"SELECT COALESCE("book"."title", ?) FROM "book""#
        );
        let cast = ExprNode::Cast { expr: Box::new(col(2)), to: ColumnType::Int64 };
        assert_eq!(selecting(cast).text, r#"SELECT CAST("book"."year" AS INTEGER) FROM "book""#);
        assert_eq!(selecting(call(Func::Lower, vec![col(1)])).text, r#"SELECT orm_lower("book"."title") FROM "book""#);
        assert_eq!(
            selecting(call(Func::Concat, vec![col(1), value(" by "), ExprNode::Value(Value::Null)])).text,
            r#"SELECT ("book"."title" || ? || COALESCE(?, '')) FROM "book""#
        );
        let round = ExprNode::Cast {
            expr: Box::new(call(Func::Round, vec![col(2), ExprNode::Value(Value::Int32(1))])),
            to: ColumnType::Int32,
        };
        assert_eq!(selecting(round).text, r#"SELECT CAST(ROUND("book"."year", ?) AS INTEGER) FROM "book""#);
        assert_eq!(
            selecting(call(Func::Now, Vec::new())).text,
            r#"SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') FROM "book""#
        );
    }

    #[test]
    fn greatest_is_max_with_nullable_arguments_falling_back_on_the_others() {
        let sql = selecting(call(Func::Greatest, vec![col(2), ExprNode::Value(Value::Null), value(1990)]));
        assert_eq!(sql.text, r#"SELECT MAX("book"."year", COALESCE(?, "book"."year", ?), ?) FROM "book""#);
        assert_eq!(sql.params, [Value::Null, Value::from(1990), Value::from(1990)]);
        assert_eq!(
            selecting(call(Func::Least, vec![col(2), col(0)])).text,
            r#"SELECT MIN("book"."year", "book"."id") FROM "book""#
        );
    }

    #[test]
    fn a_filtered_aggregate_and_nulls_last() {
        let count = ExprNode::FilteredAggregate {
            func: AggFunc::Count,
            arg: Some(Box::new(col(0))),
            distinct: false,
            filter: Box::new(Cond::Compare(CmpOp::Gt, col(2), value(2000))),
        };
        let sql = aggregate(&Query::new(&BOOK), &[count], &SQLITE);
        assert_eq!(sql.text, r#"SELECT COUNT("book"."id") FILTER (WHERE "book"."year" > ?) FROM "book""#);
        let mut query = Query::new(&BOOK);
        query.order = Some(vec![OrderBy { node: col(2), desc: true, nulls: Some(NullsOrder::Last) }]);
        assert!(
            select(&query, Columns::Model, &SQLITE).text.ends_with(r#"ORDER BY "book"."year" DESC NULLS LAST"#),
            "{}",
            select(&query, Columns::Model, &SQLITE).text
        );
    }
}

#[test]
fn a_subquery_is_written_inside_with_its_own_aliases_and_binds() {
    use crate::sql::fixtures as f;
    let sql = select(&f::in_correlated(), Columns::Exprs(&[crate::sql::tests::col(0)]), &SQLITE);
    assert_eq!(
        sql.text,
        r#"SELECT "book"."id" FROM "book" WHERE "book"."year" > ? AND "book"."id" IN (SELECT "U0"."id" FROM "book" "U0" WHERE "U0"."title" = ? AND "U0"."year" < "book"."year") AND "book"."year" < ?"#
    );
    assert_eq!(sql.params, [Value::from(2000), Value::from("Dune"), Value::from(2020)]);
    let (query, columns) = f::exists_and_scalar();
    assert_eq!(
        select(&query, Columns::Exprs(&columns), &SQLITE).text,
        r#"SELECT "book"."title", (SELECT "U0"."title" FROM "book" "U0" WHERE "U0"."year" = "book"."year" ORDER BY "U0"."title" DESC LIMIT 1) FROM "book" WHERE NOT (EXISTS(SELECT 1 FROM "book" "U0" WHERE "U0"."year" = "book"."year" LIMIT 1))"#
    );
}

#[test]
fn date_parts_are_strftime_on_djangos_text() {
    use crate::sql::fixtures as f;
    let exprs = f::date_parts(crate::value::ColumnType::TimestampTz);
    let sql = select(&crate::ast::Query::new(&BOOK), Columns::Exprs(&exprs), &SQLITE);
    let y = r#""book"."year""#;
    let expected = [
        format!("CAST(strftime('%Y', {y}) AS INTEGER)"),
        format!("CAST(strftime('%m', {y}) AS INTEGER)"),
        format!("CAST(strftime('%d', {y}) AS INTEGER)"),
        format!("(CAST(strftime('%w', {y}) AS INTEGER) + 1)"),
        format!("CAST(strftime('%H', {y}) AS INTEGER)"),
        format!("CAST(strftime('%M', {y}) AS INTEGER)"),
        format!("strftime('%Y-%m-01 00:00:00', {y})"),
        format!("strftime('%Y-%m-%d 00:00:00', {y})"),
        format!("date({y})"),
    ];
    assert_eq!(sql.text, format!("SELECT {} FROM \"book\"", expected.join(", ")));
    let dates = f::date_parts(crate::value::ColumnType::Date);
    let sql = select(&crate::ast::Query::new(&BOOK), Columns::Exprs(&dates[6..]), &SQLITE);
    assert_eq!(sql.text, format!("SELECT strftime('%Y-%m-01', {y}), date({y}), date({y}) FROM \"book\""));
}

#[test]
fn a_compound_statement_orders_by_position_and_aggregates_run_over_grouped_rows() {
    use crate::sql::fixtures as f;
    let sql = select(&f::union(), Columns::Model, &SQLITE);
    assert_eq!(
        sql.text,
        r#"SELECT "book"."id", "book"."title", "book"."year" FROM "book" WHERE "book"."year" < ? UNION SELECT "book"."id", "book"."title", "book"."year" FROM "book" WHERE "book"."year" > ? ORDER BY 2 DESC LIMIT 2 OFFSET 1"#
    );
    assert_eq!(sql.params, [Value::from(1940), Value::from(2000)]);
    let (query, aggregates) = f::grouped();
    assert_eq!(
        aggregate_over_rows(&query, &aggregates, &SQLITE).text,
        r#"SELECT AVG("__col0"), COUNT(*) FROM (SELECT COUNT("book"."id") AS "__col0" FROM "book" GROUP BY "book"."year" HAVING COUNT("book"."id") > ?) subquery"#
    );
}
