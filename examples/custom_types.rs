//! Storing your own types: an enum of choices (Django's `choices`) and a newtype, each
//! by implementing `orm::FieldType` (and `orm::Ordered` where order makes sense).
//!
//! Run it with `cargo run --example custom_types`.

use orm::prelude::*;
use orm::{ColumnType, DecodeError, Ordered, Value, ValueRef};

/// A choice stored as text, like a Django `CharField(choices=...)`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Draft,
    Published,
    Archived,
}

impl FieldType for Status {
    const COLUMN: ColumnType = ColumnType::Text;
    const RUST_TYPE: &'static str = "Status";

    fn to_value(&self) -> Value {
        let text = match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Archived => "archived",
        };
        Value::Text(text.to_owned())
    }

    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Text(b"draft") => Ok(Status::Draft),
            ValueRef::Text(b"published") => Ok(Status::Published),
            ValueRef::Text(b"archived") => Ok(Status::Archived),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}

/// Money in cents, stored as an integer; ordered, so `gt`/`lt`/`max` work on it.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct Cents(i64);

impl FieldType for Cents {
    const COLUMN: ColumnType = ColumnType::Int64;
    const RUST_TYPE: &'static str = "Cents";

    fn to_value(&self) -> Value {
        Value::Integer(self.0)
    }

    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Integer(i) => Ok(Cents(i)),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}

impl Ordered for Cents {}

#[derive(Model, Debug, Clone)]
struct Article {
    id: i64,
    title: String,
    status: Status,
    price: Cents,
    previous_status: Option<Status>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Article,)>()?;
    Article::objects().bulk_create(
        &db,
        [
            NewArticle {
                title: "Hello".into(),
                status: Status::Published,
                price: Cents(0),
                previous_status: Some(Status::Draft),
            },
            NewArticle { title: "Pricing".into(), status: Status::Draft, price: Cents(1500), previous_status: None },
            NewArticle {
                title: "Old news".into(),
                status: Status::Archived,
                price: Cents(300),
                previous_status: Some(Status::Published),
            },
        ],
    )?;

    let live = Article::objects().filter(|a| a.status.eq(Status::Published)).all(&db)?;
    println!("published: {:?}", live.iter().map(|a| &a.title).collect::<Vec<_>>());

    let paid = Article::objects()
        .filter(|a| a.price.gt(Cents(100)))
        .order_by(|a| a.price.desc())
        .values(|a| (a.title, a.price))
        .all(&db)?;
    println!("paid, dearest first: {paid:?}");

    let dearest = Article::objects().aggregate(&db, |a| a.price.max())?;
    println!("dearest: {dearest:?}");

    let was_draft = Article::objects().filter(|a| a.previous_status.eq(Status::Draft)).count(&db)?;
    println!("previously drafts: {was_draft}");
    Ok(())
}
