//! # orm: Django's QuerySets, checked by the Rust compiler, over SQLite
//!
//! Write `#[derive(Model)]` on a plain struct and get typed field handles, lazy
//! chainable QuerySets and a connection that counts every query.
//!
//! ```
//! use orm::prelude::*;
//!
//! #[derive(Model, Debug, Clone)]
//! #[orm(ordering = "-published_year")]
//! pub struct Book {
//!     pub id: i64,
//!     #[orm(max_length = 200, index)]
//!     pub title: String,
//!     pub published_year: i32,
//!     pub price_cents: i64,
//! }
//!
//! fn main() -> orm::Result<()> {
//!     let db = Db::open_in_memory()?;
//!     db.create_tables::<(Book,)>()?;
//!     let book = Book::objects().create(&db, NewBook { title: "1984".into(), published_year: 1949, price_cents: 899 })?;
//!
//!     let old = Book::objects().filter(|b| b.published_year.lt(1990));   // nothing runs yet
//!     assert_eq!(old.count(&db)?, 1);                                     // one query
//!     old.update(&db, |b| b.price_cents.set(b.price_cents * 2))?;        // F expression
//!     let titles: Vec<String> = Book::objects().values(|b| b.title).all(&db)?;
//!     assert_eq!(titles, ["1984"]);
//!     assert_eq!(Book::objects().get(&db, |b| b.id.eq(book.id))?.price_cents, 1798);
//!     Ok(())
//! }
//! ```
//!
//! ## Model attributes
//!
//! On the struct: `#[orm(table = "name")]` (default: the struct's name in snake_case),
//! `ordering = "-year, title"` (Django's `Meta.ordering`), `unique_together(a, b)`,
//! `index_together(a, b)`.
//!
//! On a field: `column = "name"`, `primary_key` (a natural key; without it a field
//! `id: i64` is the auto-increment key), `unique`, `index`, `default = <literal>` (an
//! SQL `DEFAULT`), `max_length = N` (a `CHECK` on a text column).
//!
//! See the README for the full guide and the table of what works next to Django's API.

#![warn(missing_docs)]

pub use orm_core::*;
pub use orm_macros::{embed_migrations, queryset, Model};

/// Everything a user of the ORM usually needs: `use orm::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "chrono")]
    pub use orm_core::DateTime;
    pub use orm_core::{
        assert_num_queries, Db, Error, FieldSet, FieldType, ForeignKey, HasMany, HasOne, Lookups, ManyToMany, Model,
        ModelExt, OneToOne, Options, Pool, PoolOptions, QuerySet, RelationLookups, Result, Saving, TransactionMode, Q,
    };
    pub use orm_core::{DateLookups, Exists, OuterRefs, Subquery};
    pub use orm_macros::Model;
    // Conditional expressions and functions.
    #[cfg(feature = "chrono")]
    pub use orm_core::now;
    pub use orm_core::{case, Functions};
}
