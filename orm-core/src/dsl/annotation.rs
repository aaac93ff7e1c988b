//! What `annotate()` accepts: aggregates, plain expressions (`case()`, `Subquery`,
//! `lower()`, arithmetic), fields, conditions (`Exists(..)`, `b.price_cents.gt(1000)`)
//! and tuples mixing them (Django's `annotate(n=Count(..), label=Case(..))`).

use super::expr::{Aggregate, Expr, Field, Q};
use super::select::{read_expr_with, Selection};
use crate::ast::{Cond, ExprNode};
use crate::backend::RowRead;
use crate::error::Result;
use crate::model::{Cardinality, Flavor, Model};
use crate::types::FieldType;
use crate::value::Value;

/// Something `annotate()` can add to each row: an aggregate (`a.books().count()`), an
/// expression (`case().when(..).default(..)`, `Subquery(..)`, `b.title.lower()`), a
/// field (`b.author().name`), a condition read as a `bool` (`Exists(..)`), or a tuple
/// of them. With an aggregate among them the rows are grouped, and the other
/// annotations join the `GROUP BY`, as in Django; without one nothing is grouped.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an annotation",
    label = "expected an aggregate, an expression, a field, a condition, or a tuple of them",
    note = "annotate takes values computed per row: `|a| a.books().count()`, `|b| case().when(b.price_cents.gt(1000), \"dear\").default(\"cheap\")`, `|a| Exists(..)`, `|a| Subquery(..)`"
)]
pub trait Annotation: Selection {
    /// The annotations as expressions, for `filter` (`WHERE`, or `HAVING` for an
    /// aggregate) and `order_by` after `annotate`.
    type View;
    #[doc(hidden)]
    fn view(&self) -> Self::View;
    /// Pushes what a grouped query groups by for these annotations, as Django 5.2
    /// does: nothing for an aggregate or a constant, the expression itself otherwise;
    /// a subquery (`Subquery`, `Exists`) of a query grouped per instance (not `values`)
    /// by the outer columns it reads.
    #[doc(hidden)]
    fn push_group(&self, out: &mut Vec<ExprNode>, per_instance: bool);
}

/// Whether `node` computes an aggregate somewhere.
pub(crate) fn has_aggregate(node: &ExprNode) -> bool {
    let mut found = false;
    node.visit(&mut |n| found |= matches!(n, ExprNode::Aggregate { .. } | ExprNode::FilteredAggregate { .. }));
    found
}

/// The outer query's columns a subquery reads, as columns of that query.
fn push_outer_columns(sub: &crate::ast::Subquery, out: &mut Vec<ExprNode>) {
    for node in &sub.0.outer {
        if let ExprNode::OuterColumn { meta, column, path } = node {
            out.push(ExprNode::Column { meta, column: *column, path: *path });
        }
    }
}

/// What an expression groups by (see [`Annotation::push_group`]).
fn push_expr_group(node: &ExprNode, out: &mut Vec<ExprNode>, per_instance: bool) {
    match node {
        ExprNode::Subquery(sub) if per_instance => push_outer_columns(sub, out),
        ExprNode::Value(_) => {}
        node if has_aggregate(node) => {}
        node => out.push(node.clone()),
    }
}

impl<O: FieldType> Annotation for Aggregate<O> {
    type View = Expr<O>;
    fn view(&self) -> Expr<O> {
        Expr::from_node(self.node.clone())
    }
    fn push_group(&self, _out: &mut Vec<ExprNode>, _per_instance: bool) {}
}

impl<T: FieldType> Annotation for Expr<T> {
    type View = Expr<T>;
    fn view(&self) -> Expr<T> {
        self.clone()
    }
    fn push_group(&self, out: &mut Vec<ExprNode>, per_instance: bool) {
        push_expr_group(self.node_ref(), out, per_instance);
    }
}

/// A field annotated (Django's `annotate(name=F("author__name"))`) reads as it does in
/// `values()`; after `annotate` it filters and orders as the field.
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> Annotation for Field<M, T, C, X> {
    type View = Self;
    fn view(&self) -> Self {
        *self
    }
    fn push_group(&self, out: &mut Vec<ExprNode>, _per_instance: bool) {
        out.push(self.node());
    }
}

/// A condition as a value: `CASE WHEN cond THEN TRUE ELSE FALSE END`, so that a row
/// where the condition is unknown (a comparison with NULL) reads `false`, as `filter`
/// treats it, never NULL.
fn condition_value(cond: &Cond) -> ExprNode {
    ExprNode::Case {
        whens: vec![(cond.clone(), ExprNode::Value(Value::Bool(true)))],
        default: Some(Box::new(ExprNode::Value(Value::Bool(false)))),
    }
}

/// A condition selected reads as a `bool` (Django's `annotate(has_old=Exists(..))`,
/// `annotate(dear=Q(price_cents__gt=1000))`).
impl Selection for Q {
    type Output = bool;
    type Flat = (bool,);
    fn flat(output: bool) -> (bool,) {
        (output,)
    }
    fn push_nodes(&self, out: &mut Vec<ExprNode>) {
        out.push(condition_value(&self.0));
    }
    fn decode<R: RowRead>(&self, row: &R, index: &mut usize) -> Result<bool> {
        read_expr_with(row, index, || condition_value(&self.0).describe())
    }
}

impl Annotation for Q {
    type View = Expr<bool>;
    fn view(&self) -> Expr<bool> {
        Expr::from_node(condition_value(&self.0))
    }
    fn push_group(&self, out: &mut Vec<ExprNode>, per_instance: bool) {
        let exists = match &self.0 {
            Cond::Exists(sub) => Some(sub),
            Cond::Not(inner) => match &**inner {
                Cond::Exists(sub) => Some(sub),
                _ => None,
            },
            _ => None,
        };
        match (&self.0, exists) {
            (_, Some(sub)) if per_instance => push_outer_columns(sub, out),
            (Cond::Nothing | Cond::Everything, _) => {}
            (cond, _) => push_expr_group(&condition_value(cond), out, per_instance),
        }
    }
}

macro_rules! tuples {
    ($($name:ident)+) => {
        #[allow(non_snake_case)]
        impl<$($name: Annotation),+> Annotation for ($($name,)+) {
            type View = ($($name::View,)+);
            fn view(&self) -> Self::View {
                let ($($name,)+) = self;
                ($($name.view(),)+)
            }
            fn push_group(&self, out: &mut Vec<ExprNode>, per_instance: bool) {
                let ($($name,)+) = self;
                $($name.push_group(out, per_instance);)+
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
tuples!(A B C D E F G H I);
tuples!(A B C D E F G H I J);
tuples!(A B C D E F G H I J K);
tuples!(A B C D E F G H I J K L);
