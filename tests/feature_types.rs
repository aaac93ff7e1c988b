//! The optional column types behind cargo features. They run with
//! `cargo test --features chrono,uuid,decimal,json --test feature_types` (CI runs it):
//! turning the features on for the whole workspace would change the compile-error
//! texts that `tests/ui` compares, so `cargo test --workspace` leaves them out.
#![cfg(all(feature = "chrono", feature = "uuid", feature = "decimal", feature = "json"))]

#[path = "support/backends.rs"]
mod backends;

use backends::{Backend, TestDb};
use orm::chrono::{NaiveDate, TimeZone, Utc};
use orm::prelude::*;
use orm::rust_decimal::Decimal;
use std::str::FromStr;

#[derive(Model, Debug, Clone, PartialEq)]
struct Event {
    id: i64,
    day: NaiveDate,
    at: orm::DateTime,
    local: orm::chrono::NaiveDateTime,
    last_seen: Option<orm::DateTime>,
    price: Decimal,
    token: orm::uuid::Uuid,
    payload: orm::serde_json::Value,
}

fn event(day: u32, price: &str) -> NewEvent {
    NewEvent {
        day: NaiveDate::from_ymd_opt(2024, 3, day).unwrap(),
        at: Utc.with_ymd_and_hms(2024, 3, day, 12, 30, 5).unwrap() + orm::chrono::Duration::microseconds(250),
        local: NaiveDate::from_ymd_opt(2024, 3, day).unwrap().and_hms_opt(8, 0, 0).unwrap(),
        last_seen: None,
        price: Decimal::from_str(price).unwrap(),
        token: orm::uuid::Uuid::from_u128(u128::from(day)),
        payload: orm::serde_json::json!({"day": day, "tags": ["a", "b"]}),
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Stamp {
    id: i64,
    at: orm::DateTime,
    local: Option<orm::chrono::NaiveDateTime>,
}

/// The same table read as text.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "stamp")]
struct StampText {
    id: i64,
    at: String,
    local: Option<String>,
}

/// Rows as Django's SQLite backend writes them (`str(datetime)`): no fraction when the
/// microseconds are zero. Django's PostgreSQL backend writes native timestamps: there
/// the same texts are cast by the server (`at` in UTC).
fn django_rows(db: &TestDb) -> orm::Result<()> {
    db.create_tables::<(Stamp,)>()?;
    let insert = match db.backend() {
        Backend::Sqlite => "INSERT INTO stamp (id, at, local) VALUES (?, ?, ?)",
        Backend::Postgres => {
            "INSERT INTO stamp (id, at, local) VALUES \
             (?, CAST(CAST(? AS text) || '+00' AS timestamptz), CAST(CAST(? AS text) AS timestamp))"
        }
    };
    for (id, text) in [(1, "2024-05-02 11:59:59.999999"), (2, "2024-05-02 12:00:00"), (3, "2024-05-02 12:00:00.500000")]
    {
        db.execute(&db.sql(insert), &[id.into(), text.into(), text.into()])?;
    }
    Ok(())
}

fn ids(db: &Db, qs: orm::QuerySet<Stamp>) -> orm::Result<Vec<i64>> {
    qs.order_by(|s| s.id.asc()).values(|s| s.id).all(db)
}

backend_tests! {
    fn optional_types_round_trip_and_order(db) {
        db.create_tables::<(Event,)>()?;
        if db.backend() == Backend::Postgres {
            // PostgreSQL's own types, not text: the round trip below goes through them.
            db.execute(
                "DO $$ DECLARE got text; BEGIN \
                 SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) INTO got \
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'event'; \
                 IF got IS DISTINCT FROM 'id bigint, day date, at timestamp with time zone, \
                 local timestamp without time zone, last_seen timestamp with time zone, price numeric, \
                 token uuid, payload jsonb' THEN RAISE EXCEPTION 'event columns: %', got; END IF; END $$",
                &[],
            )?;
        }
        let created = Event::objects().bulk_create(db, [event(9, "10.50"), event(10, "9.99"), event(2, "100.01")])?;
        let read = Event::objects().order_by(|e| e.id.asc()).all(db)?;
        assert_eq!(read, created);

        let by_day: Vec<NaiveDate> = Event::objects().order_by(|e| e.day.asc()).values(|e| e.day).all(db)?;
        assert_eq!(by_day.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["2024-03-02", "2024-03-09", "2024-03-10"]);
        let cutoff = Utc.with_ymd_and_hms(2024, 3, 9, 12, 30, 5).unwrap();
        assert_eq!(Event::objects().filter(|e| e.at.gt(cutoff)).count(db)?, 2);
        let cheap = Event::objects().filter(|e| e.price.lt(Decimal::from(11))).count(db)?;
        assert_eq!(cheap, 2);
        let max_price = Event::objects().aggregate(db, |e| e.price.max())?;
        assert_eq!(max_price, Some(Decimal::from_str("100.01").unwrap()));
        let token = orm::uuid::Uuid::from_u128(10);
        assert_eq!(Event::objects().get(db, |e| e.token.eq(token))?.price, Decimal::from_str("9.99").unwrap());
        assert_eq!(Event::objects().filter(|e| e.last_seen.is_null(true)).count(db)?, 3);
        Ok(())
    }

    fn malformed_stored_values_are_decode_errors(db) {
        db.create_tables::<(Event,)>()?;
        Event::objects().create(db, event(1, "1"))?;
        if db.backend() == Backend::Postgres {
            // PostgreSQL's date and jsonb columns refuse malformed text: make them text.
            db.execute("ALTER TABLE event ALTER COLUMN day TYPE text, ALTER COLUMN payload TYPE text", &[])?;
        }
        db.execute("UPDATE event SET day = 'not a date'", &[])?;
        let err = Event::objects().all(db).unwrap_err();
        assert!(matches!(err, orm::Error::Decode { column: "day", expected: "NaiveDate", .. }), "{err}");
        db.execute("UPDATE event SET day = '2024-01-01', payload = '{oops'", &[])?;
        let err = Event::objects().all(db).unwrap_err();
        assert!(err.to_string().contains("invalid JSON"), "{err}");
        Ok(())
    }

    fn datetimes_compare_with_rows_django_wrote_at_exact_boundaries(db) {
        django_rows(db)?;
        let noon = Utc.with_ymd_and_hms(2024, 5, 2, 12, 0, 0).unwrap();
        let half = noon + orm::chrono::Duration::milliseconds(500);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.at.eq(noon)))?, [2]);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.at.gte(noon)))?, [2, 3]);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.at.gt(noon)))?, [3]);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.at.lt(noon)))?, [1]);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.at.lte(noon)))?, [1, 2]);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.at.range(noon, half)))?, [2, 3]);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.at.eq(half)))?, [3]);
        let naive = noon.naive_utc();
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.local.eq(naive)))?, [2]);
        assert_eq!(ids(db, Stamp::objects().filter(|s| s.local.lt(naive)))?, [1]);
        Ok(())
    }

    fn datetimes_are_stored_as_django_stores_them(db) {
        db.create_tables::<(Stamp,)>()?;
        let noon = Utc.with_ymd_and_hms(2024, 5, 2, 12, 0, 0).unwrap();
        // Nanoseconds below a microsecond are dropped, as Python keeps microseconds only.
        let fraction = noon + orm::chrono::Duration::nanoseconds(123_456_789);
        Stamp::objects().create(db, NewStamp { at: noon, local: Some(fraction.naive_utc()) })?;
        // SQLite holds Django's text. PostgreSQL holds native timestamps, as Django's
        // PostgreSQL backend writes them: read as text in UTC, they are the same text.
        let stored: Vec<(String, Option<String>)> = match db.backend() {
            Backend::Sqlite => StampText::objects().values(|s| (s.at, s.local)).all(db)?,
            Backend::Postgres => db
                .raw::<StampText>("SELECT id, (at AT TIME ZONE 'UTC')::text AS at, local::text AS local FROM stamp", &[])?
                .into_iter()
                .map(|s| (s.at, s.local))
                .collect(),
        };
        assert_eq!(stored, [("2024-05-02 12:00:00".to_owned(), Some("2024-05-02 12:00:00.123456".to_owned()))]);
        let read = Stamp::objects().get(db, |s| s.at.eq(noon))?;
        assert_eq!(read.local, Some((noon + orm::chrono::Duration::microseconds(123_456)).naive_utc()));
        Ok(())
    }
}
