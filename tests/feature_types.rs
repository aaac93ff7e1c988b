//! The optional column types behind cargo features. Run with
//! `cargo test --features chrono,uuid,decimal,json --test feature_types`.
#![cfg(all(feature = "chrono", feature = "uuid", feature = "decimal", feature = "json"))]

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

#[test]
fn optional_types_round_trip_and_order() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Event,)>()?;
    let created = Event::objects().bulk_create(&db, [event(9, "10.50"), event(10, "9.99"), event(2, "100.01")])?;
    let read = Event::objects().order_by(|e| e.id.asc()).all(&db)?;
    assert_eq!(read, created);

    let by_day: Vec<NaiveDate> = Event::objects().order_by(|e| e.day.asc()).values(|e| e.day).all(&db)?;
    assert_eq!(by_day.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["2024-03-02", "2024-03-09", "2024-03-10"]);
    let cutoff = Utc.with_ymd_and_hms(2024, 3, 9, 12, 30, 5).unwrap();
    assert_eq!(Event::objects().filter(|e| e.at.gt(cutoff)).count(&db)?, 2);
    let cheap = Event::objects().filter(|e| e.price.lt(Decimal::from(11))).count(&db)?;
    assert_eq!(cheap, 2);
    let max_price = Event::objects().aggregate(&db, |e| e.price.max())?;
    assert_eq!(max_price, Some(Decimal::from_str("100.01").unwrap()));
    let token = orm::uuid::Uuid::from_u128(10);
    assert_eq!(Event::objects().get(&db, |e| e.token.eq(token))?.price, Decimal::from_str("9.99").unwrap());
    assert_eq!(Event::objects().filter(|e| e.last_seen.is_null(true)).count(&db)?, 3);
    Ok(())
}

#[test]
fn malformed_stored_values_are_decode_errors() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Event,)>()?;
    Event::objects().create(&db, event(1, "1"))?;
    db.execute("UPDATE event SET day = 'not a date'", &[])?;
    let err = Event::objects().all(&db).unwrap_err();
    assert!(matches!(err, orm::Error::Decode { column: "day", expected: "NaiveDate", .. }), "{err}");
    db.execute("UPDATE event SET day = '2024-01-01', payload = '{oops'", &[])?;
    let err = Event::objects().all(&db).unwrap_err();
    assert!(err.to_string().contains("invalid JSON"), "{err}");
    Ok(())
}
