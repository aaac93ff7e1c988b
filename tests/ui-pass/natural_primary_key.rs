// A natural key marked #[orm(primary_key)]: no auto-increment, the key is in NewX.
use orm::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Country {
    #[orm(primary_key, max_length = 2)]
    pub code: String,
    pub name: String,
}

// A field named `id` that is not the key and not i64 is fine once another field is the key.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Ticket {
    #[orm(primary_key)]
    pub number: i32,
    pub id: String,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Country, Ticket)>()?;
    let fr = Country::objects().create(&db, NewCountry { code: "FR".into(), name: "France".into() })?;
    assert_eq!(Country::objects().get(&db, |c| c.code.eq("FR"))?, fr);
    let t = Ticket::objects().create(&db, NewTicket { number: 7, id: "external".into() })?;
    assert_eq!(Ticket::objects().get(&db, |t| t.number.eq(7))?, t);
    Ok(())
}
