//! Running a QuerySet: `all`, `iter`, `count`, `exists`, `first`, `last`, `get` and
//! `aggregate`.

use super::shape::{self, RowShape, ShapeColumns};
use super::{Cursor, QuerySet, MAX_GET_RESULTS};
use crate::dsl::{AggregateSelection, Q};
use crate::error::{Error, Result};
use crate::exec::{Db, SqlKind};
use crate::meta::Path;
use crate::model::{Model, RelatedPlan};
use crate::sql as compile;
use std::marker::PhantomData;

impl<M: Model, S: RowShape<M>> QuerySet<M, S> {
    /// What `db`'s database cannot do, and what Django refuses before any query: a
    /// row lock outside a transaction, `of` naming a relation the query does not follow.
    fn check_features(&self, db: &Db) -> Result<()> {
        if let Some(message) = compile::compound_order_error(&self.query, self.shape.columns().as_columns()) {
            return Err(Error::InvalidQuery { message });
        }
        let capabilities = db.dialect().capabilities();
        if !self.query.distinct_on.is_empty() && !capabilities.distinct_on {
            return Err(Error::InvalidQuery {
                message: "DISTINCT ON fields is not supported by this database backend",
            });
        }
        if let Some(lock) = &self.query.lock {
            if capabilities.for_update && !db.in_transaction() {
                return Err(Error::InvalidQuery {
                    message: "select_for_update cannot be used outside of a transaction.",
                });
            }
            if lock.of.iter().any(|p| !p.is_root() && !self.query.select_related.contains(p)) {
                return Err(Error::InvalidQuery {
                    message:
                        "select_for_update(of) names a relation the query does not follow: add it to select_related",
                });
            }
        }
        Ok(())
    }

    /// Runs the query and collects every row (one query; none for an empty filter or
    /// slice).
    pub fn all(&self, db: &Db) -> Result<Vec<S::Item>> {
        self.query.check_ordered()?;
        self.check_features(db)?;
        if self.query.is_empty() {
            return Ok(Vec::new());
        }
        let related = self.related_plan().sharing(self.query.prefetch_follows_select_related());
        let decode = shape::ShapeRows { shape: &self.shape, related: &related, _model: PhantomData };
        let mut items = if self.query.is_plain() && matches!(self.shape.columns(), ShapeColumns::Model) {
            // `objects().all()`: its SQL depends only on the model; built once per Db.
            db.fetch(&db.cached_sql::<M>(0, SqlKind::SelectAll), &[], decode)?
        } else {
            let sql = self.sql_for(db);
            db.fetch(&sql.text, &sql.params, decode)?
        };
        S::after_fetch(&mut items, db, &self.query)?;
        Ok(items)
    }

    fn related_plan(&self) -> RelatedPlan {
        if self.query.select_related.is_empty() || !self.shape.has_instances() {
            RelatedPlan::default()
        } else {
            RelatedPlan::new(M::META, &self.query.select_related)
        }
    }

    /// Runs the query and streams its rows without collecting them: the returned
    /// cursor's [`rows`](Cursor::rows) iterator decodes one row at a time.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// for book in Book::objects().iter(&db)?.rows() {
    ///     println!("{}", book?.title);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn iter<'db>(&self, db: &'db Db) -> Result<Cursor<'db, M, S>> {
        self.query.check_ordered()?;
        self.check_features(db)?;
        if !self.query.prefetch.is_empty() {
            return Err(Error::InvalidQuery {
                message: "iter() streams rows one at a time and cannot prefetch_related: use all()",
            });
        }
        if self.query.is_empty() {
            return Ok(Cursor::empty(self.shape.clone()));
        }
        let sql = self.sql_for(db);
        Ok(Cursor::new(db.prepare(&sql.text, &sql.params)?, self.shape.clone(), self.related_plan()))
    }

    /// The number of rows (`SELECT COUNT(*)`).
    pub fn count(&self, db: &Db) -> Result<i64> {
        self.query.check()?;
        if self.query.is_empty() {
            return Ok(0);
        }
        let compound = self.query.combinator.is_some();
        let sql = if self.query.is_grouped() || self.query.is_distinct() || self.query.is_sliced() || compound {
            // Count the rows of the query itself, as Django does: its ordering dropped
            // unless a slice needs it (so distinct values are not made distinct by
            // the default ordering's columns), and without select_related's joins.
            let mut inner = self.query.clone();
            if !inner.is_sliced() {
                inner.order = Some(Vec::new());
                inner.reversed = false;
            }
            inner.select_related.clear();
            compile::count_rows(&inner, self.shape.columns().as_columns(), db.dialect())
        } else {
            compile::count(&self.query, db.dialect())
        };
        db.fetch_one(&sql.text, &sql.params, crate::backend::Column::<i64>::at(0))
    }

    /// Whether any row matches (`SELECT 1 ... LIMIT 1`).
    pub fn exists(&self, db: &Db) -> Result<bool> {
        self.query.check()?;
        if self.query.is_empty() {
            return Ok(false);
        }
        if self.query.is_grouped() || self.query.combinator.is_some() {
            return Ok(self.clone().slice(..1).all(db)?.len() == 1);
        }
        let sql = compile::exists(&self.query, db.dialect());
        Ok(db.fetch(&sql.text, &sql.params, crate::backend::FirstColumn)?.len() == 1)
    }

    /// The first row in the ordering in effect, or by primary key if there is none.
    pub fn first(&self, db: &Db) -> Result<Option<S::Item>> {
        let mut qs = self.clone();
        if !qs.query.is_ordered() {
            qs.query.order = Some(crate::ast::pk_order_at(M::META, Path::ROOT, false).collect());
        }
        qs.query.set_limits(0, Some(1));
        Ok(qs.all(db)?.pop())
    }

    /// The last row in the ordering in effect, or by primary key if there is none.
    pub fn last(&self, db: &Db) -> Result<Option<S::Item>> {
        let mut qs = self.clone();
        if qs.query.is_sliced() {
            qs.query.error.get_or_insert("cannot reverse a query once a slice has been taken");
        }
        if qs.query.is_ordered() {
            qs.query.reversed = !qs.query.reversed;
        } else {
            qs.query.order = Some(crate::ast::pk_order_at(M::META, Path::ROOT, true).collect());
        }
        qs.query.high = Some(qs.query.low + 1);
        Ok(qs.all(db)?.pop())
    }

    /// The one row that matches `condition` (Django's `get`): `Error::DoesNotExist`
    /// if none does, `Error::MultipleObjectsReturned` if more do.
    pub fn get(&self, db: &Db, condition: impl FnOnce(S::View) -> Q) -> Result<S::Item> {
        let mut qs = self.clone().filter(condition);
        if !qs.query.is_sliced() {
            qs.query.order = Some(Vec::new());
            qs.query.high = Some(MAX_GET_RESULTS);
        }
        let mut rows = qs.all(db)?;
        match rows.len() {
            0 => Err(Error::DoesNotExist { model: M::META.name }),
            1 => Ok(rows.pop().expect("one row")),
            n => Err(Error::MultipleObjectsReturned {
                model: M::META.name,
                count: (n < MAX_GET_RESULTS as usize).then_some(n),
            }),
        }
    }

    /// Computes aggregates over the rows (Django's `aggregate`):
    /// `aggregate(&db, |b| (b.price_cents.avg(), b.published_year.max()))` gives
    /// `(Option<f64>, Option<i32>)`. Over no rows, counts are 0 and the others `None`;
    /// an empty filter sends no query.
    ///
    /// Over an annotated QuerySet the closure also gets the annotations, and the
    /// aggregates run over its rows through a subquery, as Django's do:
    /// `values(|b| b.author).annotate(|b| b.id.count()).aggregate(&db, |(_, n)| n.avg())`
    /// is `SELECT AVG("__col0") FROM (SELECT COUNT(..) AS "__col0" .. GROUP BY ..)
    /// subquery`, one query.
    pub fn aggregate<A: AggregateSelection>(&self, db: &Db, select: impl FnOnce(S::View) -> A) -> Result<A::Output> {
        self.query.check()?;
        if self.query.combinator.is_some() {
            return Err(Error::InvalidQuery {
                message: "Calling QuerySet.aggregate() after union() is not supported.",
            });
        }
        let aggregates = select(self.view());
        if self.query.is_empty() {
            return Ok(aggregates.empty_output());
        }
        let mut nodes = Vec::new();
        aggregates.push_nodes(&mut nodes);
        let sql = if self.query.is_grouped() {
            // The rows as `count()` counts them: no ordering unless a slice needs it.
            let mut rows = self.query.clone();
            if !rows.is_sliced() {
                rows.order = Some(Vec::new());
                rows.reversed = false;
            }
            rows.select_related.clear();
            compile::aggregate_over_rows(&rows, &nodes, db.dialect())
        } else {
            compile::aggregate(&self.query, &nodes, db.dialect())
        };
        db.fetch_one(&sql.text, &sql.params, crate::dsl::Selected(&aggregates))
    }
}
