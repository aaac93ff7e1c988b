//! Answers checked against Django 5.2 on the same data: reads through nullable and
//! many-valued relations, aggregates in values(), annotate and filter, orderings, and
//! loaders that meet. Each test says what Django does.

#[path = "common/shop.rs"]
mod shop;
use orm::prelude::*;
use shop::*;

#[test]
fn values_through_a_nullable_or_many_valued_relation_are_options() -> orm::Result<()> {
    let db = shop_db()?;
    seed_books(&db)?;
    // Book.editor is a nullable ForeignKey: Django returns None for a book without one.
    let editors: Vec<(String, Option<String>)> =
        Book::objects().order_by(|b| b.title.asc()).values(|b| (b.title, b.editor().name)).all(&db)?;
    assert_eq!(editors[0], ("1984".to_owned(), None));
    assert_eq!(editors[3], ("Homage to Catalonia".to_owned(), Some("Aldous Huxley".to_owned())));
    // A nullable column through a nullable relation is one Option, not two.
    let births: Vec<Option<i32>> =
        Book::objects().order_by(|b| b.title.asc()).values(|b| b.editor().birth_year).all(&db)?;
    assert_eq!(births, [None, None, None, Some(1894)]);
    // A many-valued relation: Zola has no books, and is kept with None.
    let titles: Vec<(String, Option<String>)> =
        Author::objects().filter(|a| a.name.eq("Émile Zola")).values(|a| (a.name, a.books().title)).all(&db)?;
    assert_eq!(titles, [("Émile Zola".to_owned(), None)]);
    // Grouped by a nullable path: the books without an editor form the None group.
    let mut per_editor: Vec<(Option<String>, i64)> =
        Book::objects().values(|b| b.editor().name).annotate(|b| b.id.count()).all(&db)?;
    per_editor.sort();
    assert_eq!(per_editor, [(None, 3), (Some("Aldous Huxley".to_owned()), 1)]);
    // A required ForeignKey still reads as the plain type.
    let authors: Vec<String> = Book::objects().values(|b| b.author().name).distinct().all(&db)?;
    assert_eq!(authors.len(), 4, "the default ordering's column joins the DISTINCT list, as in Django");
    Ok(())
}

#[test]
fn an_aggregate_in_values_groups_per_instance_as_django_does() -> orm::Result<()> {
    // Django: values_list("name", Count("skills", distinct=True)) is GROUP BY the key:
    // one row per developer (even two of one name), zero counts kept.
    let db = shop_db()?;
    let acme = Company::objects().create(&db, NewCompany { name: "Acme".into() })?;
    let dev = |name: &str| NewDeveloper { name: name.into(), years_experience: 1, company: (&acme).into() };
    let devs = Developer::objects().bulk_create(&db, [dev("zero"), dev("one"), dev("two"), dev("two")])?;
    let skills = Skill::objects().bulk_create(&db, [NewSkill { name: "C".into() }, NewSkill { name: "Go".into() }])?;
    devs[1].skills().add(&db, &skills[..1])?;
    devs[2].skills().add(&db, &skills)?;
    devs[3].skills().add(&db, &skills)?;
    let rows: Vec<(String, i64)> = orm::assert_num_queries!(db, 1, {
        Developer::objects().order_by(|d| d.id.asc()).values(|d| (d.name, d.skills().id.count_distinct())).all(&db)?
    });
    let expected: Vec<(String, i64)> =
        [("zero", 0), ("one", 1), ("two", 2), ("two", 2)].map(|(n, c)| (n.to_owned(), c)).into();
    assert_eq!(rows, expected);
    // values(..).annotate(..) groups by the values themselves: one row per name.
    let mut by_name: Vec<(String, i64)> =
        Developer::objects().values(|d| d.name).annotate(|d| d.skills().id.count_distinct()).all(&db)?;
    by_name.sort();
    assert_eq!(by_name.len(), 3);
    Ok(())
}
