//! ManyToMany writes past SQLite's limit on parameters.

#[path = "common/shop.rs"]
mod shop;
use orm::prelude::*;
use shop::*;

#[test]
fn many_to_many_writes_past_the_parameter_limit() -> orm::Result<()> {
    let db = shop_db()?;
    let acme = Company::objects().create(&db, NewCompany { name: "Acme".into() })?;
    let ada = Developer::objects()
        .create(&db, NewDeveloper { name: "Ada".into(), years_experience: 9, company: (&acme).into() })?;
    let n = 33_000; // more than SQLite's 32766 parameters
    Skill::objects().bulk_insert(&db, (0..n).map(|i| NewSkill { name: format!("s{i:05}") }))?;
    let skills = Skill::objects().all(&db)?;
    ada.skills().add(&db, &skills)?;
    assert_eq!(ada.skills().objects().count(&db)?, n);
    // set() to all but the first: the kept list is longer than the limit.
    ada.skills().set(&db, &skills[1..])?;
    assert_eq!(ada.skills().objects().count(&db)?, n - 1);
    assert_eq!(ada.skills().objects().first(&db)?.map(|s| s.name), Some("s00001".to_owned()));
    // remove() of more targets than the limit.
    assert_eq!(ada.skills().remove(&db, &skills)?, (n - 1) as usize);
    assert_eq!(ada.skills().objects().count(&db)?, 0);
    ada.skills().set(&db, &skills[..3])?;
    assert_eq!(ada.skills().objects().count(&db)?, 3);
    Ok(())
}
