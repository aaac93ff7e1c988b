//! Date and time parts on the chrono types: `year()`, `month()`, `day()`,
//! `week_day()`, `hour()`, `minute()`, `date()` in lookups and values, and
//! `trunc_month()`/`trunc_day()` for reports per period. The expected rows are what
//! Django 5.2 returns on the same rows with `USE_TZ = True, TIME_ZONE = "UTC"`, on
//! SQLite and PostgreSQL. Run with `cargo test --features chrono --test date_parts`.
#![cfg(feature = "chrono")]

#[path = "support/backends.rs"]
mod backends;

use orm::chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use orm::prelude::*;

#[derive(Model, Debug, Clone)]
struct Post {
    id: i64,
    title: String,
    created: orm::DateTime,
    day: NaiveDate,
    seen: Option<NaiveDateTime>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> orm::DateTime {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

/// Four posts around a new year, one at its last microsecond.
fn seed(db: &Db) -> orm::Result<()> {
    db.create_tables::<(Post,)>()?;
    let last_microsecond = utc(2024, 12, 31, 23, 59) + orm::chrono::Duration::microseconds(59_999_999);
    let rows = [
        ("1984", utc(2024, 3, 5, 10, 30), Some(date(2024, 6, 15).and_hms_opt(18, 45, 0).unwrap())),
        ("Animal Farm", last_microsecond, None),
        ("Homage", utc(2025, 1, 1, 0, 0), None),
        ("Brave New World", utc(2023, 3, 7, 8, 0), None),
    ];
    for (title, created, seen) in rows {
        Post::objects().create(db, NewPost { title: title.into(), created, day: created.date_naive(), seen })?;
    }
    Ok(())
}

fn titles(qs: QuerySet<Post>, db: &Db) -> orm::Result<Vec<String>> {
    qs.order_by(|p| p.id.asc()).values(|p| p.title).all(db)
}

backend_tests! {
    fn year_is_a_range_on_the_column_as_in_django(db) {
        seed(db)?;
        let qs = Post::objects().filter(|p| p.created.year().eq(2024));
        let sql = qs.sql_for(db);
        // Django: "created" BETWEEN '2024-01-01 00:00:00' AND '2024-12-31 23:59:59.999999'
        assert!(sql.text.contains(r#"WHERE "post"."created" BETWEEN "#), "{sql}");
        assert_eq!(
            sql.params,
            [orm::FieldType::to_value(&utc(2024, 1, 1, 0, 0)), orm::FieldType::to_value(&(utc(2025, 1, 1, 0, 0) - orm::chrono::Duration::microseconds(1)))]
        );
        assert_eq!(titles(qs, db)?, ["1984", "Animal Farm"]);
        assert_eq!(titles(Post::objects().filter(|p| p.day.year().eq(2024)), db)?, ["1984", "Animal Farm"]);
        assert_eq!(titles(Post::objects().filter(|p| p.created.year().gt(2023)), db)?, ["1984", "Animal Farm", "Homage"]);
        assert_eq!(titles(Post::objects().filter(|p| p.created.year().lte(2024)), db)?, ["1984", "Animal Farm", "Brave New World"]);
        assert_eq!(titles(Post::objects().filter(|p| p.created.year().gte(2025)), db)?, ["Homage"]);
        assert_eq!(titles(Post::objects().filter(|p| p.created.year().lt(2024)), db)?, ["Brave New World"]);
        assert_eq!(titles(Post::objects().exclude(|p| p.created.year().eq(2024)), db)?, ["Homage", "Brave New World"]);
        Ok(())
    }

    fn month_and_week_day_lookups_extract_the_part(db) {
        seed(db)?;
        // Django: created__month=3
        assert_eq!(titles(Post::objects().filter(|p| p.created.month().eq(3)), db)?, ["1984", "Brave New World"]);
        // Django: created__week_day=3 (1 = Sunday): three Tuesdays
        let rows = Post::objects()
            .filter(|p| p.created.week_day().eq(3))
            .order_by(|p| p.id.asc())
            .values(|p| (p.title, p.created.week_day()))
            .all(db)?;
        assert_eq!(rows, [("1984".to_owned(), 3), ("Animal Farm".to_owned(), 3), ("Brave New World".to_owned(), 3)]);
        assert_eq!(titles(Post::objects().filter(|p| p.day.day().eq(1)), db)?, ["Homage"]);
        Ok(())
    }

    fn parts_in_values_are_integers_in_utc(db) {
        seed(db)?;
        // Django: ExtractMonth("created"), ExtractYear, ExtractDay("day"), ExtractHour,
        // ExtractMinute, ExtractWeekDay("day")
        let rows = Post::objects()
            .order_by(|p| p.id.asc())
            .values(|p| (p.title, p.created.month(), p.created.year(), p.day.day(), p.created.hour(), p.created.minute(), p.day.week_day()))
            .all(db)?;
        let expected = [
            ("1984", 3, 2024, 5, 10, 30, 3),
            ("Animal Farm", 12, 2024, 31, 23, 59, 3),
            ("Homage", 1, 2025, 1, 0, 0, 4),
            ("Brave New World", 3, 2023, 7, 8, 0, 3),
        ];
        let expected: Vec<_> = expected.into_iter().map(|(t, a, b, c, d, e, f)| (t.to_owned(), a, b, c, d, e, f)).collect();
        assert_eq!(rows, expected);
        Ok(())
    }

    fn a_nullable_column_has_nullable_parts(db) {
        seed(db)?;
        let years: Vec<Option<i32>> = Post::objects().order_by(|p| p.id.asc()).values(|p| p.seen.year()).all(db)?;
        assert_eq!(years, [Some(2024), None, None, None]);
        assert_eq!(titles(Post::objects().filter(|p| p.seen.hour().eq(18)), db)?, ["1984"]);
        // A naive datetime's year is a range too; Django's exclude(seen__year=2024)
        // keeps the rows where seen is NULL.
        let in_2024 = Post::objects().filter(|p| p.seen.year().eq(2024));
        assert!(in_2024.sql().text.contains(r#""post"."seen" BETWEEN"#), "{}", in_2024.sql());
        assert_eq!(titles(in_2024, db)?, ["1984"]);
        assert_eq!(titles(Post::objects().exclude(|p| p.seen.year().eq(2024)), db)?, ["Animal Farm", "Homage", "Brave New World"]);
        // Django: exclude(seen__month=6) keeps the rows where seen is NULL
        assert_eq!(titles(Post::objects().exclude(|p| p.seen.month().eq(6)), db)?, ["Animal Farm", "Homage", "Brave New World"]);
        Ok(())
    }

    fn date_of_a_datetime_in_lookups_and_values(db) {
        seed(db)?;
        // Django: created__date=date(2024, 3, 5)
        assert_eq!(titles(Post::objects().filter(|p| p.created.date().eq(date(2024, 3, 5))), db)?, ["1984"]);
        let days = Post::objects().order_by(|p| p.id.asc()).values(|p| p.created.date()).all(db)?;
        assert_eq!(days, [date(2024, 3, 5), date(2024, 12, 31), date(2025, 1, 1), date(2023, 3, 7)]);
        Ok(())
    }

    fn trunc_month_groups_a_report_per_month(db) {
        seed(db)?;
        // Django: annotate(mo=TruncMonth("created")).values("mo").annotate(n=Count("id")).order_by("mo")
        let per_month = orm::assert_num_queries!(db, 1, {
            Post::objects()
                .values(|p| p.created.trunc_month())
                .annotate(|p| p.id.count())
                .order_by(|(p, _)| p.created.trunc_month().asc())
                .all(db)?
        });
        assert_eq!(
            per_month,
            [(utc(2023, 3, 1, 0, 0), 1), (utc(2024, 3, 1, 0, 0), 1), (utc(2024, 12, 1, 0, 0), 1), (utc(2025, 1, 1, 0, 0), 1)]
        );
        // The same on a date column gives dates.
        let per_month = Post::objects()
            .values(|p| p.day.trunc_month())
            .annotate(|p| p.id.count())
            .order_by(|(p, _)| p.day.trunc_month().asc())
            .all(db)?;
        assert_eq!(per_month, [(date(2023, 3, 1), 1), (date(2024, 3, 1), 1), (date(2024, 12, 1), 1), (date(2025, 1, 1), 1)]);
        // Grouping by year: two posts in 2024.
        let per_year = Post::objects()
            .values(|p| p.created.year())
            .annotate(|p| p.id.count())
            .order_by(|(p, _)| p.created.year().asc())
            .all(db)?;
        assert_eq!(per_year, [(2023, 1), (2024, 2), (2025, 1)]);
        Ok(())
    }

    fn trunc_day_keeps_the_type_at_midnight(db) {
        seed(db)?;
        // Django: annotate(d=TruncDay("created")).values_list("title", "d")
        let days = Post::objects().order_by(|p| p.id.asc()).values(|p| p.created.trunc_day()).all(db)?;
        assert_eq!(days, [utc(2024, 3, 5, 0, 0), utc(2024, 12, 31, 0, 0), utc(2025, 1, 1, 0, 0), utc(2023, 3, 7, 0, 0)]);
        let naive = Post::objects().filter(|p| p.seen.is_null(false)).values(|p| p.seen.trunc_day()).all(db)?;
        assert_eq!(naive, [Some(date(2024, 6, 15).and_hms_opt(0, 0, 0).unwrap())]);
        assert_eq!(titles(Post::objects().filter(|p| p.created.trunc_month().eq(utc(2024, 12, 1, 0, 0))), db)?, ["Animal Farm"]);
        Ok(())
    }
}
