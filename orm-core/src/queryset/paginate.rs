//! Pagination: Django's offset `Paginator`, and keyset (cursor) pagination over an
//! order that ends with a unique column, which never counts rows and stays stable
//! while rows are inserted.

use super::QuerySet;
use crate::ast::{CmpOp, Cond, ExprNode, OrderBy};
use crate::dsl::{FieldOrder, IntoOrdering, OrderTerms, Q};
use crate::error::{Error, Result};
use crate::exec::Db;
use crate::model::{Model, NotNull, Root, Unique};
use crate::value::Value;

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

    /// A page of `size` rows in a keyset order, after or before the row a `cursor`
    /// from an earlier page names (`None`: the first page). One query, no `COUNT`;
    /// inserts elsewhere do not shift the pages.
    ///
    /// The order is one unique column (`|b| b.id.asc()`), or columns that end with one
    /// as the tie-breaker, as the articles' `CursorPagination(ordering="-created_at")`
    /// needs: `|p| (p.created_at.desc(), p.id.desc())`. Every column is the model's own
    /// and never NULL; anything else is a compile error that says so.
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model, Debug)] struct Book { id: i64, title: String }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// # Book::objects().bulk_insert(&db, (0..5).map(|i| NewBook { title: format!("b{}", i % 2) }))?;
    /// let first = Book::objects().keyset_page(&db, |b| (b.title.asc(), b.id.asc()), 2, None)?;
    /// let second = Book::objects().keyset_page(&db, |b| (b.title.asc(), b.id.asc()), 2, first.next.as_deref())?;
    /// assert_eq!((second.items[0].title.as_str(), second.items[0].id), ("b0", 5));
    /// # Ok(())
    /// # }
    /// ```
    pub fn keyset_page<K: KeysetOrdering>(
        &self,
        db: &Db,
        key: impl FnOnce(M::Fields) -> K,
        size: usize,
        cursor: Option<&str>,
    ) -> Result<KeysetPage<M>> {
        let order = key(M::__fields(crate::meta::Path::ROOT)).terms();
        let mut columns = Vec::with_capacity(order.len());
        for term in &order {
            match &term.node {
                ExprNode::Column { column, path, .. } if path.is_root() => columns.push(usize::from(*column)),
                _ => return Err(Error::InvalidQuery { message: "keyset pagination orders by columns of the model" }),
            }
        }
        if size == 0 {
            return Err(Error::InvalidQuery { message: "pages hold at least one row" });
        }
        let cursor = cursor.map(|c| decode_cursor(c, order.len())).transpose()?;
        let backwards = matches!(cursor, Some((Direction::Before, _)));
        let mut qs = self.clone();
        if let Some((direction, values)) = &cursor {
            let after = after_condition(&order, values, *direction);
            qs = qs.filter(move |_| after);
        }
        // Reading backwards walks the order in reverse, then restores it.
        let walk: Vec<OrderBy> =
            order.iter().map(|t| OrderBy { node: t.node.clone(), desc: t.desc != backwards, nulls: t.nulls }).collect();
        let mut items = qs.order_by(move |_| Walk(walk)).slice(..size + 1).all(db)?;
        let more = items.len() > size;
        items.truncate(size);
        if backwards {
            items.reverse();
        }
        let values_of = |m: &M| columns.iter().map(|&c| m.__value_of(c)).collect::<Vec<Value>>();
        let first = items.first().map(values_of);
        let last = items.last().map(values_of);
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

/// Terms given as they are.
struct Walk(Vec<OrderBy>);

impl IntoOrdering for Walk {
    fn push_terms(self, out: &mut OrderTerms) {
        for term in self.0 {
            out.push(term);
        }
    }
}

/// The rows after (or before) the cursor's row in the order: `c1 > v1 OR (c1 = v1 AND
/// c2 > v2) OR ...`, each `>` a `<` on a descending column (and both swapped before).
fn after_condition(order: &[OrderBy], values: &[Value], direction: Direction) -> Q {
    let mut any = Vec::with_capacity(order.len());
    for i in 0..order.len() {
        let mut all: Vec<Cond> = (0..i)
            .map(|j| Cond::Compare(CmpOp::Eq, order[j].node.clone(), ExprNode::Value(values[j].clone())))
            .collect();
        let op = if order[i].desc == (direction == Direction::After) { CmpOp::Lt } else { CmpOp::Gt };
        all.push(Cond::Compare(op, order[i].node.clone(), ExprNode::Value(values[i].clone())));
        any.push(if all.len() == 1 { all.pop().expect("one") } else { Cond::And(all) });
    }
    Q(if any.len() == 1 { any.pop().expect("one") } else { Cond::Or(any) })
}

/// What a keyset page is ordered by: columns of the QuerySet's own model that are never
/// NULL, the last one unique (the primary key, or a non-null `unique` column), so that
/// the values of a row's ordering columns name that row.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot order a keyset page: the order must end with a unique column that is never NULL",
    label = "not a keyset order",
    note = "a keyset order is one unique column, `|p| p.id.asc()`, or columns that end with one as the tie-breaker, `|p| (p.created_at.desc(), p.id.desc())`; every column is the model's own and never NULL"
)]
pub trait KeysetOrdering {
    #[doc(hidden)]
    fn terms(self) -> Vec<OrderBy>;
}

impl KeysetOrdering for FieldOrder<Root, Unique> {
    fn terms(self) -> Vec<OrderBy> {
        vec![self.term]
    }
}

impl<A: NotNull> KeysetOrdering for (FieldOrder<Root, A>, FieldOrder<Root, Unique>) {
    fn terms(self) -> Vec<OrderBy> {
        vec![self.0.term, self.1.term]
    }
}

impl<A: NotNull, B: NotNull> KeysetOrdering for (FieldOrder<Root, A>, FieldOrder<Root, B>, FieldOrder<Root, Unique>) {
    fn terms(self) -> Vec<OrderBy> {
        vec![self.0.term, self.1.term, self.2.term]
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Direction {
    After,
    Before,
}

/// `a` or `b`, then each value as its type, its length and its text, hex-encoded:
/// opaque to clients, and checked when read back.
fn encode_cursor(direction: Direction, values: &[Value]) -> String {
    let mut raw = String::from(if direction == Direction::After { "a" } else { "b" });
    for value in values {
        // Each value keeps its logical type, so that it binds as its column's type.
        let (kind, text) = match value {
            Value::Bool(b) => ('b', u8::from(*b).to_string()),
            Value::Int16(i) => ('h', i.to_string()),
            Value::Int32(i) => ('j', i.to_string()),
            Value::Integer(i) => ('i', i.to_string()),
            Value::Float32(r) => ('f', r.to_bits().to_string()),
            Value::Real(r) => ('r', r.to_bits().to_string()),
            Value::Text(t) => ('t', t.clone()),
            Value::Decimal(t) => ('m', t.clone()),
            Value::Json(t) => ('o', t.clone()),
            Value::Blob(b) => ('x', hex(b)),
            Value::Uuid(u) => ('u', hex(u)),
            Value::Date(d) => ('d', d.to_string()),
            Value::Timestamp(t) => ('s', t.to_string()),
            Value::TimestampTz(t) => ('z', t.to_string()),
            Value::Null | Value::Array(_) => ('n', String::new()),
        };
        raw.push(kind);
        raw.push_str(&text.len().to_string());
        raw.push(':');
        raw.push_str(&text);
    }
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str, columns: usize) -> Result<(Direction, Vec<Value>)> {
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
    let direction = match raw.as_bytes().first() {
        Some(b'a') => Direction::After,
        Some(b'b') => Direction::Before,
        _ => return Err(bad()),
    };
    let mut rest = &raw[1..];
    let mut values = Vec::with_capacity(columns);
    while !rest.is_empty() {
        let kind = rest.chars().next().ok_or_else(bad)?;
        let (len, tail) = rest[1..].split_once(':').ok_or_else(bad)?;
        let len: usize = len.parse().map_err(|_| bad())?;
        let text = tail.get(..len).ok_or_else(bad)?;
        let number = || text.parse::<i64>().map_err(|_| bad());
        values.push(match kind {
            'b' => Value::Bool(number()? != 0),
            'h' => Value::Int16(text.parse().map_err(|_| bad())?),
            'j' => Value::Int32(text.parse().map_err(|_| bad())?),
            'i' => Value::Integer(number()?),
            'f' => Value::Float32(f32::from_bits(text.parse().map_err(|_| bad())?)),
            'r' => Value::Real(f64::from_bits(text.parse().map_err(|_| bad())?)),
            't' => Value::Text(text.to_owned()),
            'm' => Value::Decimal(text.to_owned()),
            'o' => Value::Json(text.to_owned()),
            'x' => Value::Blob(unhex(text).ok_or_else(bad)?),
            'u' => Value::Uuid(unhex(text).and_then(|b| b.try_into().ok()).ok_or_else(bad)?),
            'd' => Value::Date(text.parse().map_err(|_| bad())?),
            's' => Value::Timestamp(number()?),
            'z' => Value::TimestampTz(number()?),
            'n' => Value::Null,
            _ => return Err(bad()),
        });
        rest = &tail[len..];
    }
    if values.len() != columns {
        return Err(bad());
    }
    Ok((direction, values))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}
