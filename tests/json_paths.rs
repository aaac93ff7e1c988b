//! Paths into JSON columns (feature `json`), checked against what Django 5.2 returns
//! for the same rows (its `data__tags__0`, `data__n`, `isnull`, `has_key`, `KT()`), on
//! SQLite and PostgreSQL. Run with `cargo test --features json --test json_paths` (CI
//! runs it); without the feature this file is empty, as `tests/feature_types.rs` is.
#![cfg(feature = "json")]

#[path = "support/backends.rs"]
mod backends;

use backends::Backend;
use orm::prelude::*;
use orm::serde_json::{json, Value as Json};

#[derive(Model, Debug, Clone)]
#[orm(table = "jdoc", ordering = "id")]
struct Doc {
    id: i64,
    data: Option<Json>,
}

/// Django's rows: objects with and without each key, a JSON null, a SQL NULL, an
/// array and a bare string.
fn docs(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Doc,)>()?;
    let rows = [
        Some(json!({"tags": ["a", "b"], "n": 1, "name": "Ann", "sub": {"k": true}})),
        Some(json!({"tags": ["b"], "n": 2, "name": "bob"})),
        Some(json!({"n": null})),
        None,
        Some(json!({"tags": [], "n": "1"})),
        Some(json!([1, 2])),
        Some(json!("str")),
    ];
    Doc::objects().bulk_create(db, rows.map(|data| NewDoc { data }))?;
    Ok(())
}

fn ids(db: &Db, qs: QuerySet<Doc>) -> orm::Result<Vec<i64>> {
    Ok(qs.all(db)?.into_iter().map(|d| d.id).collect())
}

backend_tests! {
    fn key_and_index_lookups_compare_json_values_as_django(db) {
        docs(db)?;
        let q = |f: fn(DocFields) -> Q| Doc::objects().filter(f);
        assert_eq!(ids(db, q(|d| d.data.key("tags").at(0).eq(json!("a"))))?, [1]);
        assert_eq!(ids(db, q(|d| d.data.key("n").eq(json!(1))))?, [1]);
        assert_eq!(ids(db, q(|d| d.data.key("n").eq(json!("1"))))?, [5], "a string is not a number");
        assert_eq!(ids(db, q(|d| d.data.key("n").eq(Json::Null)))?, [3], "JSON null, as data__n=None");
        assert_eq!(ids(db, q(|d| d.data.key("sub").key("k").eq(json!(true))))?, [1]);
        assert_eq!(ids(db, q(|d| d.data.key("sub").eq(json!({"k": true}))))?, [1], "an object");
        assert_eq!(ids(db, q(|d| d.data.key("tags").eq(json!([]))))?, [5], "an array");
        // isnull on a key: nothing there (a JSON null is something).
        assert_eq!(ids(db, q(|d| d.data.key("n").is_null(true)))?, [4, 6, 7]);
        assert_eq!(ids(db, q(|d| d.data.key("n").is_null(false)))?, [1, 2, 3, 5]);
        assert_eq!(ids(db, q(|d| d.data.has_key("n")))?, [1, 2, 3, 5]);
        assert_eq!(ids(db, q(|d| d.data.key("sub").has_key("k")))?, [1]);
        // Django's exclude guards the column, not the path: a row without the key is
        // unknown there and left out; a NULL column is kept.
        assert_eq!(ids(db, Doc::objects().exclude(|d| d.data.key("n").eq(json!(1))))?, [2, 3, 4, 5]);
        assert_eq!(ids(db, q(|d| d.data.key("tags").at(0).is_in([json!("a"), json!("b")])))?, [1, 2]);
        Ok(())
    }

    fn the_text_of_a_path_takes_the_text_lookups(db) {
        docs(db)?;
        let q = |f: fn(DocFields) -> Q| Doc::objects().filter(f);
        assert_eq!(ids(db, q(|d| d.data.key("name").text().icontains("B")))?, [2]);
        assert_eq!(ids(db, q(|d| d.data.key("name").text().startswith("A")))?, [1]);
        assert_eq!(ids(db, q(|d| d.data.key("n").text().eq("1")))?, [1, 5], "the text of 1 and of \"1\"");
        let texts: Vec<Option<String>> = Doc::objects().values(|d| d.data.key("tags").at(0).text()).all(db)?;
        assert_eq!(texts, [Some("a".into()), Some("b".into()), None, None, None, None, None], "Django's KT()");
        // As PostgreSQL's ->> spells them, on both backends.
        let spelt: Vec<Option<String>> = Doc::objects().values(|d| d.data.key("sub").key("k").text()).all(db)?;
        assert_eq!(spelt[0].as_deref(), Some("true"));
        let whole: Vec<Option<String>> = Doc::objects().values(|d| d.data.key("sub").text()).all(db)?;
        let parsed: Json = orm::serde_json::from_str(whole[0].as_deref().expect("an object")).expect("JSON");
        assert_eq!(parsed, json!({"k": true}));
        Ok(())
    }

    fn a_path_selects_its_json_value(db) {
        docs(db)?;
        let values: Vec<Option<Json>> = Doc::objects().values(|d| d.data.key("n").value()).all(db)?;
        assert_eq!(
            values,
            [Some(json!(1)), Some(json!(2)), Some(Json::Null), None, Some(json!("1")), None, None],
            "the value, a JSON null, or nothing there"
        );
        let tags: Vec<(i64, Option<Json>)> =
            Doc::objects().filter(|d| d.data.has_key("tags")).values(|d| (d.id, d.data.key("tags").value())).all(db)?;
        assert_eq!(tags, [(1, Some(json!(["a", "b"]))), (2, Some(json!(["b"]))), (5, Some(json!([])))]);
        Ok(())
    }

    fn keys_are_bound_whatever_they_hold(db) {
        db.create_tables::<(Doc,)>()?;
        let odd = json!({"a.b": 1, "q\"x": 2, "back\\slash": 3, "[0]": 4, "it's": 5, "$": 6});
        Doc::objects().create(db, NewDoc { data: Some(odd) })?;
        for (key, want) in [("a.b", 1), ("q\"x", 2), ("back\\slash", 3), ("[0]", 4), ("it's", 5), ("$", 6)] {
            let got: Vec<Option<Json>> =
                Doc::objects().values(|d| d.data.key(key).value()).all(db)?;
            assert_eq!(got, [Some(json!(want))], "key {key:?}");
            assert_eq!(Doc::objects().filter(|d| d.data.key(key).eq(json!(want))).count(db)?, 1, "key {key:?}");
        }
        let captured = db.capture(|| Doc::objects().filter(|d| d.data.key("q\"x").at(3).eq(json!(2))).count(db))?;
        let sql = &captured.queries[0].sql;
        assert!(!sql.contains("q\""), "the key is a parameter: {sql}");
        match db.backend() {
            Backend::Sqlite => assert!(sql.contains("(\"jdoc\".\"data\" -> ?) = ?"), "{sql}"),
            Backend::Postgres => assert!(sql.contains("(\"jdoc\".\"data\" -> $1::text -> $2::integer) = $3"), "{sql}"),
        }
        Ok(())
    }
}
