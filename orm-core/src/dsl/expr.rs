//! Typed field handles, expressions (Django's F), conditions (Django's Q), ordering
//! terms and assignments. Everything here only describes SQL; the compiler writes it.

use super::lookups::Lookups;
use super::ordering::{OrderTerms, RelationOrder};
use crate::ast::{AggFunc, ArithOp, Assignment, CmpOp, Cond, ExprNode, OrderBy};
use crate::meta::{ModelMeta, Path};
use crate::model::{Cardinality, FieldSet, Flavor, Model, OwnModel, Plain, Root};
use crate::types::{FieldType, NumericColumn};
use crate::value::Value;
use std::marker::PhantomData;
use std::ops;

/// A condition, Django's `Q` object: returned by lookups such as `b.title.eq("1984")`
/// and combined with `&`, `|` and `!`.
///
/// ```
/// # use orm::prelude::*;
/// # #[derive(Model)] struct Book { id: i64, title: String, published_year: i32 }
/// let q = Book::objects().filter(|b| (b.title.startswith("The") | b.published_year.lt(1950)) & !b.title.contains("draft"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a condition does nothing until it is passed to filter() or exclude()"]
pub struct Q(pub(crate) Cond);

impl Q {
    /// The condition every row meets (a neutral start for `&`).
    pub fn all() -> Q {
        Q(Cond::Everything)
    }

    /// The condition no row meets (a neutral start for `|`); a query whose filter is
    /// `Q::none()` runs no SQL at all.
    pub fn none() -> Q {
        Q(Cond::Nothing)
    }

    #[doc(hidden)]
    pub fn into_cond(self) -> Cond {
        self.0
    }
}

impl ops::BitAnd for Q {
    type Output = Q;
    fn bitand(self, rhs: Q) -> Q {
        Q(Cond::and(self.0, rhs.0))
    }
}

impl ops::BitOr for Q {
    type Output = Q;
    fn bitor(self, rhs: Q) -> Q {
        Q(Cond::or(self.0, rhs.0))
    }
}

impl ops::Not for Q {
    type Output = Q;
    fn not(self) -> Q {
        Q(Cond::not(self.0))
    }
}

/// A value, field or expression usable where a column of type `T` is expected: the
/// right-hand side of a lookup, an operand of arithmetic, or the value of an update.
///
/// Implemented for `T` itself, for `T` where `Option<T>` is expected, for `&str`
/// where text is expected, and for fields and expressions of the same type (Django's
/// `F()`), nullable or not.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a value of a column of type `{T}`",
    label = "expected a value, field or expression of type `{T}`",
    note = "a lookup, arithmetic or `set` takes a value of the column's own type, or another field of that type (Django's F())"
)]
pub trait Operand<T> {
    #[doc(hidden)]
    fn into_node(self) -> ExprNode;
}

impl<T: FieldType> Operand<T> for T {
    #[inline]
    fn into_node(self) -> ExprNode {
        ExprNode::Value(self.to_value())
    }
}
impl<T: FieldType> Operand<Option<T>> for T {
    #[inline]
    fn into_node(self) -> ExprNode {
        ExprNode::Value(self.to_value())
    }
}
impl Operand<String> for &str {
    #[inline]
    fn into_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.to_owned()))
    }
}
impl Operand<Option<String>> for &str {
    #[inline]
    fn into_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.to_owned()))
    }
}
impl Operand<String> for &String {
    #[inline]
    fn into_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.clone()))
    }
}
impl Operand<Option<String>> for &String {
    #[inline]
    fn into_node(self) -> ExprNode {
        ExprNode::Value(Value::Text(self.clone()))
    }
}

/// A typed handle on one column of model `M`, holding values of type `T`. The fields
/// of a `BookFields` struct are `Field`s; they are `Copy` and hold no data.
///
/// `C` says how the column was reached ([`Root`](crate::Root): the query's own model;
/// [`One`](crate::One), [`Nullable`](crate::Nullable), [`Many`](crate::Many): through
/// relations) and `X` what the derive knows of the column ([`Plain`](crate::Plain),
/// [`Unique`](crate::Unique), [`Null`](crate::Null)). Together they give the type the
/// column reads as in `values()`: `Option<T>` through a join that may find no row.
pub struct Field<M, T, C = Root, X = Plain> {
    path: Path,
    column: u16,
    _marker: PhantomData<FieldMarker<M, T, C, X>>,
}

/// What a [`Field`] is typed by, without owning any of it (so it is `Send`, `Sync` and
/// `Copy` whatever the types).
type FieldMarker<M, T, C, X> = fn() -> (M, T, C, X);

impl<M, T, C, X> Clone for Field<M, T, C, X> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T, C, X> Copy for Field<M, T, C, X> {}

impl<M: Model, T, C, X> std::fmt::Debug for Field<M, T, C, X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let col = &M::META.columns[usize::from(self.column)];
        write!(f, "Field({}.{})", M::META.name, col.field)
    }
}

impl<M: Model, T, C: Cardinality, X: Flavor> Field<M, T, C, X> {
    #[doc(hidden)]
    pub const fn new(path: Path, column: u16) -> Self {
        Field { path, column, _marker: PhantomData }
    }

    #[doc(hidden)]
    pub fn node(self) -> ExprNode {
        ExprNode::Column { meta: M::META, column: self.column, path: self.path }
    }

    /// The column's index in the model's `META.columns`.
    pub(crate) fn column_index(self) -> usize {
        usize::from(self.column)
    }

    /// The column's name in SQL.
    pub fn column_name(self) -> &'static str {
        M::META.columns[usize::from(self.column)].name
    }

    /// `SET column = value` for [`QuerySet::update`](crate::QuerySet::update); the
    /// value may be an expression over other fields (Django's `F()`). Only a field of
    /// the QuerySet's own model can be set: a field reached through a relation is a
    /// compile error.
    pub fn set(self, value: impl Operand<T>) -> Assignment
    where
        C: OwnModel,
    {
        Assignment { meta: M::META, column: self.column, path: self.path, value: value.into_node() }
    }

    /// Ascending order on this column (Django's `order_by("field")`).
    pub fn asc(self) -> FieldOrder<C, X> {
        FieldOrder { term: OrderBy { node: self.node(), desc: false, nulls: None }, _marker: PhantomData }
    }

    /// Descending order on this column (Django's `order_by("-field")`).
    pub fn desc(self) -> FieldOrder<C, X> {
        FieldOrder { term: OrderBy { node: self.node(), desc: true, nulls: None }, _marker: PhantomData }
    }
}

/// Rust's comparison operators on a field: never implemented (sealed), so that
/// `b.title == "x"` is a compile error that names the lookup to use.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`==`, `!=`, `<`, `>`, `<=` and `>=` compare Rust values; they do not build a query condition",
    label = "a Rust comparison, not a lookup",
    note = "write the condition with the field's lookups: `b.title.eq(\"x\")`, `.ne(..)`, `.gt(..)`, `.gte(..)`, `.lt(..)`, `.lte(..)`"
)]
pub trait UseLookups: sealed::Never {}

pub(crate) mod sealed {
    /// Implemented for no type.
    pub trait Never {}
}

impl<M, T, C, X, R: UseLookups> PartialEq<R> for Field<M, T, C, X> {
    fn eq(&self, _: &R) -> bool {
        unreachable!("UseLookups has no implementation")
    }
}

impl<M, T, C, X, R: UseLookups> PartialOrd<R> for Field<M, T, C, X> {
    fn partial_cmp(&self, _: &R) -> Option<std::cmp::Ordering> {
        unreachable!("UseLookups has no implementation")
    }
}

/// An ordering term on one column, typed by how the column was reached and what it is:
/// `b.id.asc()`. An ordering anywhere; the columns of a keyset page must be such terms
/// (see [`KeysetOrdering`](crate::KeysetOrdering)).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldOrder<C, X> {
    pub(crate) term: OrderBy,
    _marker: PhantomData<fn() -> (C, X)>,
}

impl<C, X> From<FieldOrder<C, X>> for OrderBy {
    fn from(order: FieldOrder<C, X>) -> OrderBy {
        order.term
    }
}

impl<C, X> IntoOrdering for FieldOrder<C, X> {
    fn push_terms(self, out: &mut OrderTerms) {
        out.push(self.term);
    }
}

/// A typed SQL expression over fields and values, such as `b.price_cents * 2`
/// (Django's `F("price_cents") * 2`).
#[derive(Debug, PartialEq)]
pub struct Expr<T> {
    pub(super) node: ExprNode,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Expr::from_node(self.node.clone())
    }
}

impl<T> Expr<T> {
    pub(crate) fn from_node(node: ExprNode) -> Self {
        Expr { node, _marker: PhantomData }
    }

    #[doc(hidden)]
    pub fn node(self) -> ExprNode {
        self.node
    }

    pub(crate) fn node_ref(&self) -> &ExprNode {
        &self.node
    }
}

impl<M: Model, T, C: Cardinality, X: Flavor> Operand<T> for Field<M, T, C, X> {
    fn into_node(self) -> ExprNode {
        self.node()
    }
}
impl<M: Model, T, C: Cardinality, X: Flavor> Operand<T> for Field<M, Option<T>, C, X> {
    fn into_node(self) -> ExprNode {
        self.node()
    }
}
impl<M: Model, T, C: Cardinality, X: Flavor> Operand<Option<T>> for Field<M, T, C, X> {
    fn into_node(self) -> ExprNode {
        self.node()
    }
}
impl<T> Operand<T> for Expr<T> {
    fn into_node(self) -> ExprNode {
        self.node
    }
}
impl<T> Operand<T> for Expr<Option<T>> {
    fn into_node(self) -> ExprNode {
        self.node
    }
}
impl<T> Operand<Option<T>> for Expr<T> {
    fn into_node(self) -> ExprNode {
        self.node
    }
}

macro_rules! arith {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl<M: Model, T: NumericColumn, C: Cardinality, X: Flavor, R: Operand<T>> ops::$trait<R> for Field<M, T, C, X>
        where
            C::Read<T, X>: NumericColumn,
        {
            type Output = Expr<C::Read<T, X>>;
            fn $method(self, rhs: R) -> Self::Output {
                Expr::from_node(ExprNode::Arith { op: ArithOp::$op, lhs: Box::new(self.node()), rhs: Box::new(rhs.into_node()) })
            }
        }
        impl<T: NumericColumn, R: Operand<T>> ops::$trait<R> for Expr<T> {
            type Output = Expr<T>;
            fn $method(self, rhs: R) -> Expr<T> {
                Expr::from_node(ExprNode::Arith { op: ArithOp::$op, lhs: Box::new(self.node), rhs: Box::new(rhs.into_node()) })
            }
        }
    )*};
}
arith!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div);

/// What `order_by` accepts: one [`OrderBy`] term, a bare field (ascending), or a
/// tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an ordering",
    label = "expected `field.asc()`, `field.desc()` or a tuple of them",
    note = "order_by takes `|b| b.title.asc()` or `|b| (b.year.desc(), b.title.asc())`"
)]
pub trait IntoOrdering {
    #[doc(hidden)]
    fn push_terms(self, out: &mut OrderTerms);
}

impl IntoOrdering for OrderBy {
    fn push_terms(self, out: &mut OrderTerms) {
        out.push(self);
    }
}
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> IntoOrdering for Field<M, T, C, X> {
    fn push_terms(self, out: &mut OrderTerms) {
        out.push(Lookups::asc(self));
    }
}
impl IntoOrdering for () {
    fn push_terms(self, _out: &mut OrderTerms) {}
}

/// What `update` accepts: one [`Assignment`] or a tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an update assignment",
    label = "expected `field.set(value)` or a tuple of them"
)]
pub trait IntoAssignments {
    #[doc(hidden)]
    fn push_assignments(self, out: &mut Vec<Assignment>);
}

impl IntoAssignments for Assignment {
    fn push_assignments(self, out: &mut Vec<Assignment>) {
        out.push(self);
    }
}

/// An aggregate over the rows of a query, producing a value of type `Out`.
#[derive(Debug, PartialEq)]
pub struct Aggregate<Out> {
    pub(crate) node: ExprNode,
    _marker: PhantomData<fn() -> Out>,
}

impl<Out> Clone for Aggregate<Out> {
    fn clone(&self) -> Self {
        Aggregate { node: self.node.clone(), _marker: PhantomData }
    }
}

impl<Out> Aggregate<Out> {
    pub(crate) fn new(func: AggFunc, arg: Option<ExprNode>, distinct: bool) -> Self {
        Aggregate { node: ExprNode::Aggregate { func, arg: arg.map(Box::new), distinct }, _marker: PhantomData }
    }
}

/// `COUNT(*)`: the number of rows.
pub fn count_all() -> Aggregate<i64> {
    Aggregate::new(AggFunc::Count, None, false)
}

macro_rules! tuples {
    ($($name:ident)+) => {
        impl<$($name: IntoOrdering),+> IntoOrdering for ($($name,)+) {
            #[allow(non_snake_case)]
            fn push_terms(self, out: &mut OrderTerms) {
                let ($($name,)+) = self;
                $($name.push_terms(out);)+
            }
        }
        impl<$($name: IntoAssignments),+> IntoAssignments for ($($name,)+) {
            #[allow(non_snake_case)]
            fn push_assignments(self, out: &mut Vec<Assignment>) {
                let ($($name,)+) = self;
                $($name.push_assignments(out);)+
            }
        }
    };
}
tuples!(A);
tuples!(A B);
tuples!(A B C);
tuples!(A B C D);
tuples!(A B C D E);
tuples!(A B C D E F);
tuples!(A B C D E F G);
tuples!(A B C D E F G H);

/// `COUNT(column)` at `path`.
pub(crate) fn count_column(meta: &'static ModelMeta, column: usize, path: Path) -> Aggregate<i64> {
    Aggregate::new(AggFunc::Count, Some(ExprNode::Column { meta, column: column as u16, path }), false)
}

/// `pk IN (value)`, Django's condition for deleting one instance.
pub(crate) fn pk_condition(meta: &'static ModelMeta, pk: Value) -> Q {
    Q(Cond::In(ExprNode::Column { meta, column: meta.pk as u16, path: Path::ROOT }, vec![ExprNode::Value(pk)]))
}

/// The condition naming one row by all its key columns (`a = ? AND b = ?` for a
/// composite key).
pub(crate) fn pk_values_condition(meta: &'static ModelMeta, values: Vec<Value>) -> Q {
    if let [single] = meta.pk_columns {
        let _ = single;
        return pk_condition(meta, values.into_iter().next().unwrap_or(Value::Null));
    }
    let column = |c: usize| ExprNode::Column { meta, column: c as u16, path: Path::ROOT };
    Q(Cond::And(
        meta.pk_columns
            .iter()
            .zip(values)
            .map(|(&c, v)| Cond::Compare(CmpOp::Eq, column(c), ExprNode::Value(v)))
            .collect(),
    ))
}

/// A field set reached through single-valued relations only: what `select_related`
/// accepts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a single-valued relation; a HasMany or ManyToMany is loaded with prefetch_related",
    label = "expected a ForeignKey, OneToOne or HasOne path such as `|b| b.author()`",
    note = "select_related loads with one JOIN and takes a relation method such as `|b| b.author()`; a many-valued relation would repeat each row, so use `prefetch_related(..)`: one extra query per relation"
)]
pub trait SingleValued: FieldSet {}

/// `PhantomData` of a cardinality, for generated field sets.
#[doc(hidden)]
pub const fn cardinality<C>() -> PhantomData<C> {
    PhantomData
}

/// Methods on a relation's field set: `a.books().count()` (Django's
/// `Count("books")`), `b.author().asc()` and `.desc()` (Django's `order_by("-author")`).
/// In `orm::prelude`.
pub trait RelationLookups: FieldSet {
    /// `COUNT` of the related rows (Django's `Count("books")`): with `annotate`,
    /// `Author::objects().annotate(|a| a.books().count())`.
    fn count(self) -> Aggregate<i64> {
        let meta = <Self::Model as Model>::META;
        count_column(meta, meta.pk, self.__path())
    }

    /// Orders by the relation, ascending: by the related model's default ordering, or
    /// its key (Django's `order_by("author")`). The same as `|b| b.author()`.
    fn asc(self) -> RelationOrder {
        RelationOrder { meta: <Self::Model as Model>::META, path: self.__path(), desc: false }
    }

    /// Orders by the relation, descending: every term of the related model's ordering
    /// reversed (Django's `order_by("-author")`).
    fn desc(self) -> RelationOrder {
        RelationOrder { meta: <Self::Model as Model>::META, path: self.__path(), desc: true }
    }
}

impl<F: FieldSet> RelationLookups for F {}
