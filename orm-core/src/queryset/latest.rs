//! `latest` and `earliest` (Django's `latest("created_at")`): the one row first in an
//! ordering, or `DoesNotExist`.

use super::shape::RowShape;
use super::QuerySet;
use crate::dsl::IntoOrdering;
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::model::Model;

impl<M: Model, S: RowShape<M>> QuerySet<M, S> {
    /// The row last by `fields` (Django's `latest("published")`): one query, ordered
    /// by those fields descending, `LIMIT 1`, replacing any ordering in effect.
    /// Several terms are each reversed, as Django's `latest("a", "-b")`:
    /// `latest(&db, |b| (b.price_cents, b.isbn.desc()))` orders by `price_cents DESC,
    /// isbn ASC`. `Error::DoesNotExist` when no row matches.
    ///
    /// NULLs are where the database puts them, as in Django: PostgreSQL orders them
    /// above every value (so `latest` of a nullable column finds a NULL row first),
    /// SQLite below (`earliest` does). To skip them, filter first:
    /// `.filter(|p| p.published.is_null(false))`.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// #[derive(Model, Debug)]
    /// struct Post { id: i64, title: String, published_year: i32 }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Post,)>()?;
    /// # for (title, year) in [("a", 2020), ("b", 2024), ("c", 2022)] {
    /// #     Post::objects().create(&db, NewPost { title: title.into(), published_year: year })?;
    /// # }
    /// assert_eq!(Post::objects().latest(&db, |p| p.published_year)?.title, "b");
    /// assert_eq!(Post::objects().earliest(&db, |p| p.published_year)?.title, "a");
    /// # Ok(())
    /// # }
    /// ```
    pub fn latest<O: IntoOrdering>(&self, db: &Db, fields: impl FnOnce(S::View) -> O) -> Result<S::Item> {
        self.first_by(db, fields, true)
    }

    /// The row first by `fields` (Django's `earliest("published")`): as
    /// [`latest`](Self::latest), in ascending order.
    pub fn earliest<O: IntoOrdering>(&self, db: &Db, fields: impl FnOnce(S::View) -> O) -> Result<S::Item> {
        self.first_by(db, fields, false)
    }

    fn first_by<O: IntoOrdering>(&self, db: &Db, fields: impl FnOnce(S::View) -> O, reverse: bool) -> Result<S::Item> {
        if self.query.is_sliced() {
            return Err(Error::InvalidQuery { message: "cannot change a query once a slice has been taken" });
        }
        let mut qs = self.clone().order_by(fields);
        if qs.query.order.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::InvalidQuery { message: "earliest() and latest() need a field to order by" });
        }
        qs.query.reversed = reverse;
        qs.query.set_limits(0, Some(1));
        qs.all(db)?.pop().ok_or(Error::DoesNotExist { model: M::META.name })
    }
}
