//! ManyToMany writes past SQLite's limit on parameters.

#[path = "support/backends.rs"]
mod backends;
#[path = "common/shop.rs"]
mod shop;
use orm::prelude::*;
use shop::*;

backend_tests! {
    fn many_to_many_writes_past_the_parameter_limit(db) {
        shop_setup(db)?;
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

    fn many_to_many_set_sends_what_django_sends(db) {
        shop_setup(db)?;
        let acme = Company::objects().create(&db, NewCompany { name: "Acme".into() })?;
        let ada = Developer::objects()
            .create(&db, NewDeveloper { name: "Ada".into(), years_experience: 9, company: (&acme).into() })?;
        let s = Skill::objects().bulk_create(&db, ["s1", "s2", "s3"].map(|n| NewSkill { name: n.into() }))?;
        ada.skills().add(&db, &s[..2])?;
        let sent = |f: &dyn Fn() -> orm::Result<()>| -> orm::Result<Vec<String>> {
            let captured = db.capture(f)?;
            Ok(captured.queries.iter().map(|q| q.sql.split(' ').next().unwrap_or_default().to_owned()).collect())
        };
        // Django: BEGIN; SELECT the current links; DELETE s1; INSERT s3; COMMIT.
        assert_eq!(sent(&|| ada.skills().set(&db, [&s[1], &s[2]]))?, ["BEGIN", "SELECT", "DELETE", "INSERT", "COMMIT"]);
        assert_eq!(ada.skills().objects().values(|k| k.name).all(&db)?, ["s2", "s3"]);
        // Unchanged: only the SELECT. Emptied: no INSERT.
        assert_eq!(sent(&|| ada.skills().set(&db, [&s[2], &s[1]]))?, ["BEGIN", "SELECT", "COMMIT"]);
        assert_eq!(sent(&|| ada.skills().set(&db, []))?, ["BEGIN", "SELECT", "DELETE", "COMMIT"]);
        assert_eq!(ada.skills().objects().count(&db)?, 0);
        // add, remove and clear: BEGIN, one statement, COMMIT; remove() of nothing sends nothing.
        assert_eq!(sent(&|| ada.skills().add(&db, &s))?, ["BEGIN", "INSERT", "COMMIT"]);
        assert_eq!(sent(&|| ada.skills().remove(&db, &s[..2]).map(drop))?, ["BEGIN", "DELETE", "COMMIT"]);
        assert!(sent(&|| ada.skills().remove(&db, []).map(drop))?.is_empty());
        assert_eq!(sent(&|| ada.skills().clear(&db).map(drop))?, ["BEGIN", "DELETE", "COMMIT"]);
        Ok(())
    }
}
