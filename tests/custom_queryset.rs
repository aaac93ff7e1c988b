//! Custom chainable QuerySets, custom managers and typed optional filters.

#[path = "support/backends.rs"]
mod backends;
#[allow(dead_code)]
#[path = "../examples/custom_queryset.rs"]
mod example;

use example::*;
use orm::prelude::*;

/// SQLite only: the example's own `run()` opens an in-memory SQLite database of its
/// own (the tests below run its QuerySet methods on every backend).
#[test]
fn the_chain_of_custom_and_built_in_methods_is_one_query() -> orm::Result<()> {
    let (names, queries) = example::run()?;
    assert_eq!(names, ["Ada"]);
    assert_eq!(queries, 1);
    Ok(())
}

/// The example's tables, one company and three developers.
fn seed(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Company, Developer, Skill)>()?;
    let acme = Company::objects().create(db, NewCompany { name: "Acme".into() })?;
    Developer::objects().bulk_create(
        db,
        [("Ada", 12, Some(days_ago(1))), ("Bob", 2, Some(days_ago(2))), ("Cy", 9, None)].map(|(n, y, l)| {
            NewDeveloper { name: n.into(), years_experience: y, last_login: l, company: (&acme).into() }
        }),
    )?;
    Ok(())
}

backend_tests! {
    fn custom_methods_chain_in_any_order_with_built_ins(db) {
        seed(db)?;
        let a: Vec<String> = Developer::objects().senior().active().values(|d| d.name).all(db)?;
        let b: Vec<String> =
            Developer::objects().order_by(|d| d.name.desc()).active().senior().values(|d| d.name).all(db)?;
        assert_eq!(a, ["Ada"]);
        assert_eq!(a, b);
        assert_eq!(Developer::objects().senior().count(db)?, 2);
        assert_eq!(Developer::objects().active().exclude(|d| d.name.eq("Bob")).count(db)?, 1);
        Ok(())
    }

    fn custom_managers_are_named_entry_points(db) {
        seed(db)?;
        let devs = orm::assert_num_queries!(db, 1, { Developer::active_objects().all(db)? });
        assert_eq!(devs.len(), 2);
        assert!(devs.iter().all(|d| d.company.get().is_ok()), "the manager's select_related applies");
        assert_eq!(Developer::active_objects().senior().count(db)?, 1);
        Ok(())
    }

    fn filter_opt_builds_queries_from_optional_inputs(db) {
        seed(db)?;
        let search = |name: Option<&str>, min_years: Option<i32>| -> orm::Result<Vec<String>> {
            Developer::objects()
                .filter_opt(name, |d, n| d.name.istartswith(n))
                .filter_opt(min_years, |d, y| d.years_experience.gte(y))
                .values(|d| d.name)
                .all(db)
        };
        assert_eq!(search(None, None)?, ["Ada", "Bob", "Cy"]);
        assert_eq!(search(Some("a"), None)?, ["Ada"]);
        assert_eq!(search(None, Some(5))?, ["Ada", "Cy"]);
        assert_eq!(search(Some("b"), Some(5))?, Vec::<String>::new());
        Ok(())
    }
}
