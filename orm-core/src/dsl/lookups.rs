//! The lookups of a column or expression (Django's `exact`, `contains`, `gt`, `in`,
//! `range`, `isnull` and the rest), as one trait implemented for field handles and
//! expressions.

use super::expr::{Aggregate, Expr, Field, Operand, Q};
use super::subquery::InValues;
use crate::ast::{AggFunc, CmpOp, Cond, ExprNode, OrderBy, PatternKind};
use crate::model::{Cardinality, Flavor, Model};
use crate::types::{FieldType, NumericColumn, OrderedColumn, TextColumn};
use crate::value::Value;

fn cmp(op: CmpOp, lhs: ExprNode, rhs: ExprNode) -> Q {
    // Django: `filter(x=None)` means `x IS NULL`.
    if op == CmpOp::Eq && rhs == ExprNode::Value(Value::Null) {
        return Q(Cond::IsNull(lhs, true));
    }
    // Django's `__year=2024`: a range on the column itself.
    if let Some(cond) = crate::ast::year_lookup(op, &lhs, &rhs) {
        return Q(cond);
    }
    Q(Cond::Compare(op, lhs, rhs))
}

fn pattern(kind: PatternKind, fold: bool, lhs: ExprNode, rhs: ExprNode) -> Q {
    if kind == PatternKind::Exact && rhs == ExprNode::Value(Value::Null) {
        return Q(Cond::IsNull(lhs, true));
    }
    Q(Cond::Pattern { kind, fold, lhs, rhs })
}

/// The lookups of a column or expression: each returns a [`Q`] condition, an
/// ordering or an aggregate. Implemented for [`Field`] and [`Expr`]; in scope through
/// `orm::prelude`.
///
/// Text lookups exist only on text columns and ordered comparisons only on ordered
/// types: anything else is a compile error that says so.
// `is_in`/`is_null` take `self` by value: handles are `Copy`, and the names are Django's.
#[allow(clippy::wrong_self_convention)]
pub trait Lookups<T: FieldType>: Sized {
    #[doc(hidden)]
    fn into_expr_node(self) -> ExprNode;

    /// `= value` (Django's `exact`). `eq(None)` is `IS NULL`, as in Django.
    fn eq(self, value: impl Operand<T>) -> Q {
        cmp(CmpOp::Eq, self.into_expr_node(), value.into_node())
    }

    /// The negation of [`eq`](Self::eq): rows where the column is `NULL` match,
    /// as `exclude(x=value)` keeps them in Django.
    fn ne(self, value: impl Operand<T>) -> Q {
        !self.eq(value)
    }

    /// `IN (values)`. An empty list matches nothing and the query is not sent,
    /// as in Django; `NULL`s in the list are dropped.
    ///
    /// A one-column QuerySet is a subquery, in the same statement (Django's
    /// `__in=queryset`): `b.author.is_in(Author::objects().filter(..))` (a QuerySet of
    /// a model selects its key), `b.title.is_in(Review::objects().values(|r|
    /// r.book().title))`. It must select this column's type.
    fn is_in<V>(self, values: impl InValues<T, V>) -> Q {
        values.into_in(self.into_expr_node())
    }

    /// `IS NULL` (`true`) or `IS NOT NULL` (`false`), Django's `isnull`.
    fn is_null(self, is_null: bool) -> Q {
        Q(Cond::IsNull(self.into_expr_node(), is_null))
    }

    /// `> value`
    fn gt(self, value: impl Operand<T>) -> Q
    where
        T: OrderedColumn,
    {
        cmp(CmpOp::Gt, self.into_expr_node(), value.into_node())
    }

    /// `>= value`
    fn gte(self, value: impl Operand<T>) -> Q
    where
        T: OrderedColumn,
    {
        cmp(CmpOp::Gte, self.into_expr_node(), value.into_node())
    }

    /// `< value`
    fn lt(self, value: impl Operand<T>) -> Q
    where
        T: OrderedColumn,
    {
        cmp(CmpOp::Lt, self.into_expr_node(), value.into_node())
    }

    /// `<= value`
    fn lte(self, value: impl Operand<T>) -> Q
    where
        T: OrderedColumn,
    {
        cmp(CmpOp::Lte, self.into_expr_node(), value.into_node())
    }

    /// `BETWEEN low AND high`, both ends included (Django's `range`).
    fn range(self, low: impl Operand<T>, high: impl Operand<T>) -> Q
    where
        T: OrderedColumn,
    {
        Q(Cond::Range(self.into_expr_node(), low.into_node(), high.into_node()))
    }

    /// Contains `text`, case-sensitively. `%`, `_` and `\` match themselves.
    fn contains(self, text: impl Operand<String>) -> Q
    where
        T: TextColumn,
    {
        pattern(PatternKind::Contains, false, self.into_expr_node(), text.into_node())
    }

    /// Contains `text`, ignoring case for all of Unicode.
    fn icontains(self, text: impl Operand<String>) -> Q
    where
        T: TextColumn,
    {
        pattern(PatternKind::Contains, true, self.into_expr_node(), text.into_node())
    }

    /// Starts with `text`, case-sensitively.
    fn startswith(self, text: impl Operand<String>) -> Q
    where
        T: TextColumn,
    {
        pattern(PatternKind::StartsWith, false, self.into_expr_node(), text.into_node())
    }

    /// Starts with `text`, ignoring case for all of Unicode.
    fn istartswith(self, text: impl Operand<String>) -> Q
    where
        T: TextColumn,
    {
        pattern(PatternKind::StartsWith, true, self.into_expr_node(), text.into_node())
    }

    /// Ends with `text`, case-sensitively.
    fn endswith(self, text: impl Operand<String>) -> Q
    where
        T: TextColumn,
    {
        pattern(PatternKind::EndsWith, false, self.into_expr_node(), text.into_node())
    }

    /// Ends with `text`, ignoring case for all of Unicode.
    fn iendswith(self, text: impl Operand<String>) -> Q
    where
        T: TextColumn,
    {
        pattern(PatternKind::EndsWith, true, self.into_expr_node(), text.into_node())
    }

    /// Equal to `text` ignoring case for all of Unicode (`iexact("émile")`
    /// matches `"Émile"`). `iexact(None)` is `IS NULL`, as in Django.
    fn iexact(self, text: impl Operand<T>) -> Q
    where
        T: TextColumn,
    {
        pattern(PatternKind::Exact, true, self.into_expr_node(), text.into_node())
    }

    /// The same column or expression typed as nullable, `Option<T>`. A column read
    /// through a nullable or many-valued relation is typed so already
    /// (`values(|u| (u.name, u.posts().title))` gives `(String, Option<String>)`); this
    /// is for an expression that SQL may make NULL, such as a division by zero.
    fn nullable(self) -> Expr<Option<T>> {
        Expr::from_node(self.into_expr_node())
    }

    /// Ascending order on this column or expression.
    fn asc(self) -> OrderBy {
        OrderBy { node: self.into_expr_node(), desc: false, nulls: None }
    }

    /// Descending order on this column or expression.
    fn desc(self) -> OrderBy {
        OrderBy { node: self.into_expr_node(), desc: true, nulls: None }
    }

    /// `COUNT(expr)`: the number of non-`NULL` values.
    fn count(self) -> Aggregate<i64> {
        Aggregate::new(AggFunc::Count, Some(self.into_expr_node()), false)
    }

    /// `COUNT(DISTINCT expr)`.
    fn count_distinct(self) -> Aggregate<i64> {
        Aggregate::new(AggFunc::Count, Some(self.into_expr_node()), true)
    }

    /// `SUM(expr)`: `None` over no rows, as in Django.
    fn sum(self) -> Aggregate<Option<<T as NumericColumn>::Sum>>
    where
        T: NumericColumn,
    {
        Aggregate::new(AggFunc::Sum, Some(self.into_expr_node()), false)
    }

    /// `AVG(expr)`: `None` over no rows.
    fn avg(self) -> Aggregate<Option<f64>>
    where
        T: NumericColumn,
    {
        Aggregate::new(AggFunc::Avg, Some(self.into_expr_node()), false)
    }

    /// `MIN(expr)`: `None` over no rows.
    fn min(self) -> Aggregate<Option<<T as OrderedColumn>::Inner>>
    where
        T: OrderedColumn,
    {
        Aggregate::new(AggFunc::Min, Some(self.into_expr_node()), false)
    }

    /// `MAX(expr)`: `None` over no rows.
    fn max(self) -> Aggregate<Option<<T as OrderedColumn>::Inner>>
    where
        T: OrderedColumn,
    {
        Aggregate::new(AggFunc::Max, Some(self.into_expr_node()), false)
    }
}

impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> Lookups<T> for Field<M, T, C, X> {
    fn into_expr_node(self) -> ExprNode {
        self.node()
    }
}

impl<T: FieldType> Lookups<T> for Expr<T> {
    fn into_expr_node(self) -> ExprNode {
        self.node
    }
}
