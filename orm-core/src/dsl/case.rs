//! Conditional expressions (Django's `Case`/`When`), conditional aggregation
//! (`Count(.., filter=Q(..))`), `Now()`, and where an ordering puts NULLs.

use super::expr::{Aggregate, Expr, Field, FieldOrder, IntoOrdering, Q};
use super::functions::{MaybeNull, OperandType};
use super::ordering::{OrderTerms, RelationOrder};
use crate::ast::{Cond, ExprNode, NullsOrder, OrderBy};
use crate::model::{Cardinality, Flavor, Model};
use crate::types::FieldType;
use crate::value::Value;
use std::marker::PhantomData;

/// Starts a conditional expression, Django's `Case(When(..), .., default=..)`: the
/// value of the first `when` whose condition holds, else the `default` (or NULL, with
/// `end()`).
///
/// The first `when` fixes the expression's type; every other branch and the default
/// must be of that type, or the code does not compile.
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model)] struct Book { id: i64, title: String, price_cents: i64 }
/// let labels = Book::objects().values(|b| {
///     (b.title, case().when(b.price_cents.gt(1000), "dear").when(b.price_cents.gt(500), "fair").default("cheap"))
/// }); // rows of (String, String)
/// let dear = Book::objects().values(|b| case().when(b.price_cents.gt(1000), b.title).end()); // Option<String>
/// ```
pub fn case() -> CaseStart {
    CaseStart(())
}

/// A conditional expression before its first branch; see [`case`].
#[derive(Debug)]
#[must_use = "a case needs at least one `when(condition, value)`"]
pub struct CaseStart(());

impl CaseStart {
    /// The first branch: `then` where `condition` holds. Its type is the case's:
    /// a literal's own type (write `1_i64` for an `i64`), `String` for text, a field's
    /// type as it reads.
    pub fn when<V: OperandType>(self, condition: Q, then: V) -> Case<V::Type> {
        Case { whens: vec![(condition.0, then.operand_node())], _marker: PhantomData }
    }
}

/// A conditional expression with its branches so far, of type `T`; finished by
/// [`default`](Case::default) (an `Expr<T>`) or [`end`](Case::end) (NULL where no
/// branch holds: an `Expr<Option<T>>`).
#[derive(Debug)]
#[must_use = "finish the case with `.default(value)` or `.end()`"]
pub struct Case<T> {
    whens: Vec<(Cond, ExprNode)>,
    _marker: PhantomData<fn() -> T>,
}

impl<T: FieldType> Case<T> {
    /// Another branch, tried after the ones before it.
    pub fn when(mut self, condition: Q, then: impl CaseBranch<T>) -> Case<T> {
        self.whens.push((condition.0, then.branch_node()));
        self
    }

    /// The value where no branch holds (Django's `default=`).
    pub fn default(self, value: impl CaseBranch<T>) -> Expr<T> {
        Expr::from_node(ExprNode::Case { whens: self.whens, default: Some(Box::new(value.branch_node())) })
    }

    /// No default: NULL where no branch holds, as Django's `Case` without `default`.
    pub fn end(self) -> Expr<Option<T::Inner>>
    where
        T: MaybeNull,
    {
        Expr::from_node(ExprNode::Case { whens: self.whens, default: None })
    }
}

/// A value, field or expression that can be a branch of a [`Case`] of type `T`: of
/// `T` itself (or `Option` of it, either way).
#[diagnostic::on_unimplemented(
    message = "this branch is `{Self}`, but the case's first `when` made it a case of `{T}`",
    label = "expected a value, field or expression of type `{T}`",
    note = "every `when` and the `default` of a case give the same type; the first `when` fixes it (write a literal with its type, `1_i64`, or cast a field: `b.year.cast::<i64>()`)"
)]
pub trait CaseBranch<T> {
    #[doc(hidden)]
    fn branch_node(self) -> ExprNode;
}

impl<T: FieldType> CaseBranch<T> for T {
    fn branch_node(self) -> ExprNode {
        ExprNode::Value(self.into_value())
    }
}
impl<T: FieldType> CaseBranch<Option<T>> for T {
    fn branch_node(self) -> ExprNode {
        ExprNode::Value(self.into_value())
    }
}
impl CaseBranch<String> for &str {
    fn branch_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.to_owned()))
    }
}
impl CaseBranch<Option<String>> for &str {
    fn branch_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.to_owned()))
    }
}
impl CaseBranch<String> for &String {
    fn branch_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.clone()))
    }
}
impl CaseBranch<Option<String>> for &String {
    fn branch_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.clone()))
    }
}
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> CaseBranch<T> for Field<M, T, C, X> {
    fn branch_node(self) -> ExprNode {
        self.node()
    }
}
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> CaseBranch<Option<T>> for Field<M, T, C, X> {
    fn branch_node(self) -> ExprNode {
        self.node()
    }
}
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> CaseBranch<T> for Field<M, Option<T>, C, X> {
    fn branch_node(self) -> ExprNode {
        self.node()
    }
}
impl<T> CaseBranch<T> for Expr<T> {
    fn branch_node(self) -> ExprNode {
        self.node
    }
}
impl<T> CaseBranch<Option<T>> for Expr<T> {
    fn branch_node(self) -> ExprNode {
        self.node
    }
}
impl<T> CaseBranch<T> for Expr<Option<T>> {
    fn branch_node(self) -> ExprNode {
        self.node
    }
}

impl<Out> Aggregate<Out> {
    /// The aggregate over the rows that meet `condition` only (Django's
    /// `Count("x", filter=Q(..))`): `COUNT(..) FILTER (WHERE ..)` on SQLite and
    /// PostgreSQL alike. Calling it again adds a condition (`AND`).
    ///
    /// ```
    /// # use orm::prelude::*;
    /// # #[derive(Model)] struct Book { id: i64, price_cents: i64 }
    /// # fn main() -> orm::Result<()> {
    /// # let db = Db::open_in_memory()?; db.create_tables::<(Book,)>()?;
    /// let (dear, cheap_total) = Book::objects().aggregate(&db, |b| {
    ///     (b.id.count().filter(b.price_cents.gt(1000)), b.price_cents.sum().filter(b.price_cents.lte(1000)))
    /// })?;
    /// assert_eq!((dear, cheap_total), (0, None));
    /// # Ok(())
    /// # }
    /// ```
    pub fn filter(mut self, condition: Q) -> Aggregate<Out> {
        let condition = condition.0;
        if condition == Cond::Everything {
            return self;
        }
        self.node = match std::mem::replace(&mut self.node, ExprNode::Value(Value::Null)) {
            ExprNode::Aggregate { func, arg, distinct } => {
                ExprNode::FilteredAggregate { func, arg, distinct, filter: Box::new(condition) }
            }
            ExprNode::FilteredAggregate { func, arg, distinct, filter } => {
                ExprNode::FilteredAggregate { func, arg, distinct, filter: Box::new(Cond::and(*filter, condition)) }
            }
            other => other,
        };
        self
    }
}

/// The current date and time, Django's `Now()`: the statement's start on PostgreSQL
/// (`STATEMENT_TIMESTAMP()`), the current time in UTC on SQLite, to the millisecond.
#[cfg(feature = "chrono")]
pub fn now() -> Expr<chrono::DateTime<chrono::Utc>> {
    Expr::from_node(ExprNode::Func { func: crate::ast::Func::Now, args: Vec::new() })
}

impl OrderBy {
    /// NULLs before every value, on every backend (Django's `nulls_first=True`).
    pub fn nulls_first(mut self) -> OrderBy {
        self.nulls = Some(NullsOrder::First);
        self
    }

    /// NULLs after every value, on every backend (Django's `nulls_last=True`).
    pub fn nulls_last(mut self) -> OrderBy {
        self.nulls = Some(NullsOrder::Last);
        self
    }
}

impl<C, X> FieldOrder<C, X> {
    /// NULLs before every value: `d.last_login.desc().nulls_first()`.
    pub fn nulls_first(self) -> OrderBy {
        self.term.nulls_first()
    }

    /// NULLs after every value: `a.birth_year.asc().nulls_last()`.
    pub fn nulls_last(self) -> OrderBy {
        self.term.nulls_last()
    }
}

/// An expression orders ascending: `order_by(|b| b.price_cents * 2)`.
impl<T: FieldType> IntoOrdering for Expr<T> {
    fn push_terms(self, out: &mut OrderTerms) {
        out.push(OrderBy { node: self.node, desc: false, nulls: None });
    }
}

/// Ordering by a relation with where NULLs go: `b.editor().asc().nulls_last()`, each
/// term of the related model's ordering with `NULLS LAST` (a row without the related
/// row sorts there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelationNullsOrder {
    order: RelationOrder,
    nulls: NullsOrder,
}

impl RelationOrder {
    /// NULLs (rows without the related row, or NULL in its ordering) first.
    pub fn nulls_first(self) -> RelationNullsOrder {
        RelationNullsOrder { order: self, nulls: NullsOrder::First }
    }

    /// NULLs (rows without the related row, or NULL in its ordering) last.
    pub fn nulls_last(self) -> RelationNullsOrder {
        RelationNullsOrder { order: self, nulls: NullsOrder::Last }
    }
}

impl IntoOrdering for RelationNullsOrder {
    fn push_terms(self, out: &mut OrderTerms) {
        let start = out.terms.len();
        self.order.push_terms(out);
        for term in &mut out.terms[start..] {
            term.nulls = Some(self.nulls);
        }
    }
}
