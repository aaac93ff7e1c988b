//! Relations: lookups across them, the loaders and their query counts, reading.

#[path = "common/shop.rs"]
mod shop;
use orm::prelude::*;
use orm::Error;
use shop::*;

fn titles(books: &[Book]) -> Vec<&str> {
    books.iter().map(|b| b.title.as_str()).collect()
}

#[test]
fn smoke_lookup_across_foreign_key() -> orm::Result<()> {
    let db = shop_db()?;
    seed_books(&db)?;
    let qs = Book::objects().filter(|b| b.author().name.eq("George Orwell"));
    println!("{}", qs.sql());
    assert_eq!(titles(&qs.all(&db)?), ["1984", "Animal Farm", "Homage to Catalonia"]);
    Ok(())
}
