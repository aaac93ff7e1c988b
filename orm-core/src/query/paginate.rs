//! Pagination: Django's offset `Paginator`, and keyset (cursor) pagination over a
//! unique column, which never counts rows and stays stable while rows are inserted.

use super::expr::{CmpOp, Cond, ExprNode};
use super::{OrderBy, QuerySet, Q};
use crate::model::Model;
use crate::types::Value;
use crate::{Db, Error, Result};

/// One page of an offset pagination (Django's `Paginator.page()`).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of the page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub number: usize,
    /// Rows per page.
    pub per_page: usize,
    /// Rows in all pages.
    pub total: usize,
    /// Number of pages (at least 1, as Django's `allow_empty_first_page`).
    pub num_pages: usize,
}

impl<T> Page<T> {
    /// Whether a page follows.
    pub fn has_next(&self) -> bool {
        self.number < self.num_pages
    }

    /// Whether a page precedes.
    pub fn has_previous(&self) -> bool {
        self.number > 1
    }
}

/// One page of a keyset pagination, with opaque cursors to its neighbours.
#[derive(Debug, Clone, PartialEq)]
pub struct KeysetPage<T> {
    /// The rows of the page, in the pagination's order.
    pub items: Vec<T>,
    /// The cursor of the next page, if there are rows after this one.
    pub next: Option<String>,
    /// The cursor of the previous page, if there are rows before this one.
    pub previous: Option<String>,
}

impl<M: Model> QuerySet<M> {
    /// Page `number` (from 1) of `per_page` rows (Django's `Paginator`): a `COUNT`, then
    /// the slice (2 queries). A number past the last page is `Error::InvalidQuery`, as
    /// Django raises `EmptyPage`.
    pub fn paginate(&self, db: &Db, number: usize, per_page: usize) -> Result<Page<M>> {
        if per_page == 0 || number == 0 {
            return Err(Error::InvalidQuery { message: "page numbers start at 1 and pages hold at least one row" });
        }
        let total = usize::try_from(self.count(db)?).unwrap_or(0);
        let num_pages = total.div_ceil(per_page).max(1);
        if number > num_pages {
            return Err(Error::InvalidQuery { message: "that page contains no results" });
        }
        let start = (number - 1) * per_page;
        let items = self.clone().slice(start..start + per_page).all(db)?;
        Ok(Page { items, number, per_page, total, num_pages })
    }

    /// A page of `size` rows ordered by a unique column (`|b| b.id.asc()`), after or
    /// before the row a `cursor` from an earlier page names (`None`: the first page).
    /// One query, no `COUNT`; inserts elsewhere do not shift the pages.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// # Book::objects().bulk_insert(&db, (0..5).map(|i| NewBook { title: format!("b{i}") }))?;
    /// let first = Book::objects().keyset_page(&db, |b| b.id.asc(), 2, None)?;
    /// let second = Book::objects().keyset_page(&db, |b| b.id.asc(), 2, first.next.as_deref())?;
    /// assert_eq!(second.items[0].id, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn keyset_page(
        &self,
        db: &Db,
        key: impl FnOnce(M::Fields) -> OrderBy,
        size: usize,
        cursor: Option<&str>,
    ) -> Result<KeysetPage<M>> {
        let order = key(M::__fields(crate::model::Path::ROOT));
        let column = match &order.node {
            ExprNode::Column { column, path, meta } if path.is_root() && meta.table == M::META.table => {
                let col = &M::META.columns[usize::from(*column)];
                if !(col.unique || col.primary_key) {
                    return Err(Error::InvalidQuery { message: "keyset pagination needs a unique column to order by" });
                }
                usize::from(*column)
            }
            _ => return Err(Error::InvalidQuery { message: "keyset pagination orders by one column of the model" }),
        };
        if size == 0 {
            return Err(Error::InvalidQuery { message: "pages hold at least one row" });
        }
        let cursor = cursor.map(decode_cursor).transpose()?;
        let backwards = matches!(cursor, Some((Direction::Before, _)));
        // Reading backwards walks the order in reverse, then restores it.
        let walk_desc = order.desc != backwards;
        let mut qs = self.clone();
        if let Some((direction, value)) = &cursor {
            let op = match (order.desc, direction) {
                (false, Direction::After) | (true, Direction::Before) => CmpOp::Gt,
                (true, Direction::After) | (false, Direction::Before) => CmpOp::Lt,
            };
            let node = order.node.clone();
            let value = value.clone();
            qs = qs.filter(move |_| Q(Cond::Compare(op, node, ExprNode::Value(value))));
        }
        let walk = OrderBy { node: order.node.clone(), desc: walk_desc };
        let mut items = qs.order_by(move |_| walk).slice(..size + 1).all(db)?;
        let more = items.len() > size;
        items.truncate(size);
        if backwards {
            items.reverse();
        }
        let first = items.first().map(|m| m.__value_of(column));
        let last = items.last().map(|m| m.__value_of(column));
        let (has_next, has_previous) = match (backwards, cursor.is_some()) {
            (false, had_cursor) => (more, had_cursor),
            (true, _) => (true, more),
        };
        Ok(KeysetPage {
            next: if has_next { last.map(|v| encode_cursor(Direction::After, &v)) } else { None },
            previous: if has_previous { first.map(|v| encode_cursor(Direction::Before, &v)) } else { None },
            items,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Direction {
    After,
    Before,
}

/// `a` or `b`, then the key's type and value, hex-encoded: opaque to clients, and
/// checked when read back.
fn encode_cursor(direction: Direction, value: &Value) -> String {
    let mut raw = String::from(if direction == Direction::After { "a" } else { "b" });
    match value {
        Value::Integer(i) => raw.push_str(&format!("i{i}")),
        Value::Text(t) => {
            raw.push('t');
            raw.push_str(t);
        }
        Value::Real(r) => raw.push_str(&format!("r{}", r.to_bits())),
        Value::Blob(_) | Value::Null => raw.push('n'),
    }
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str) -> Result<(Direction, Value)> {
    let bad = || Error::InvalidQuery { message: "the pagination cursor is not one this QuerySet made" };
    if !cursor.len().is_multiple_of(2) || !cursor.is_ascii() {
        return Err(bad());
    }
    let bytes: Vec<u8> = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&cursor[i..i + 2], 16))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad())?;
    let raw = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut chars = raw.chars();
    let direction = match chars.next() {
        Some('a') => Direction::After,
        Some('b') => Direction::Before,
        _ => return Err(bad()),
    };
    let kind = chars.next().ok_or_else(bad)?;
    let rest: String = chars.collect();
    let value = match kind {
        'i' => Value::Integer(rest.parse().map_err(|_| bad())?),
        't' => Value::Text(rest),
        'r' => Value::Real(f64::from_bits(rest.parse().map_err(|_| bad())?)),
        _ => return Err(bad()),
    };
    Ok((direction, value))
}
