//! What a query returns: model instances, typed `values()` tuples, or aggregates.

use super::expr::{Aggregate, Expr, Field};
use crate::ast::ExprNode;
use crate::backend::RowRead;
use crate::error::Result;
use crate::model::{Cardinality, Flavor, Model};
use crate::types::FieldType;

/// Something `values()` or `aggregate()` can select: a field, an expression, an
/// aggregate, or a tuple of them. Its `Output` is the Rust type of one row.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be selected",
    label = "expected a field, an expression, an aggregate, or a tuple of them",
    note = "values() takes `|b| b.title` or `|b| (b.title, b.published_year)`"
)]
pub trait Selection: Clone {
    /// The Rust type of one selected row.
    type Output;
    /// Whether the selection holds an aggregate (so `values()` groups per instance).
    #[doc(hidden)]
    const AGGREGATE: bool = false;
    /// The row as a tuple (`(T,)` for one value), to append aggregates to it.
    #[doc(hidden)]
    type Flat;
    #[doc(hidden)]
    fn flat(output: Self::Output) -> Self::Flat;
    #[doc(hidden)]
    fn push_nodes(&self, out: &mut Vec<ExprNode>);
    #[doc(hidden)]
    fn decode<R: RowRead>(&self, row: &R, index: &mut usize) -> Result<Self::Output>;
}

/// Decodes each row as a selection.
pub(crate) struct Selected<'a, S>(pub &'a S);

impl<S: Selection> crate::backend::DecodeRow for Selected<'_, S> {
    type Item = S::Output;
    #[inline]
    fn decode<R: RowRead>(&mut self, row: &R) -> Result<S::Output> {
        self.0.decode(row, &mut 0)
    }
}

/// A selection made only of aggregates: what `aggregate()` accepts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an aggregate",
    label = "expected `field.sum()`, `field.avg()`, `field.count()`, `field.min()`, `field.max()` or a tuple of them"
)]
pub trait AggregateSelection: Selection {
    /// The aggregates as expressions (what [`Annotation`](super::Annotation) gives
    /// `filter` and `order_by` after `annotate`).
    type View;
    #[doc(hidden)]
    fn empty_output(&self) -> Self::Output;
    #[doc(hidden)]
    fn view(&self) -> Self::View;
}

/// The value an aggregate has over no rows: `0` for a count, `None` for the others.
#[doc(hidden)]
pub trait EmptyAggregate {
    fn empty() -> Self;
}
impl EmptyAggregate for i64 {
    fn empty() -> Self {
        0
    }
}
impl<T> EmptyAggregate for Option<T> {
    fn empty() -> Self {
        None
    }
}

/// Decodes column `index` of `row` with `decode`; a mismatch is an `Error::Decode`
/// with the `(model, column, expected type)` that `names` gives. The names are looked
/// up only on that error: reading them for every column of every row showed in
/// profiles. The one column decoder: generated models reach it through
/// `__private::read_with`.
#[inline]
pub(crate) fn decode_column<T, R: RowRead>(
    row: &R,
    index: usize,
    decode: impl FnOnce(crate::value::ValueRef<'_>) -> std::result::Result<T, crate::types::DecodeError>,
    names: impl FnOnce() -> (&'static str, &'static str, &'static str),
) -> Result<T> {
    let value = row.value(index)?;
    decode(value).map_err(|err| {
        let (model, column, expected) = names();
        crate::error::Error::Decode { model, column, expected, found: err.found, expression: None }
    })
}

/// Decodes a computed column (an aggregate or expression), then moves to the next
/// index; a mismatch names what `node` computes.
#[inline]
pub(super) fn read_expr<T: FieldType, R: RowRead>(row: &R, index: &mut usize, node: &ExprNode) -> Result<T> {
    read_expr_with(row, index, || node.describe())
}

/// [`read_expr`] with the expression's description computed only on an error.
#[inline]
pub(super) fn read_expr_with<T: FieldType, R: RowRead>(
    row: &R,
    index: &mut usize,
    describe: impl FnOnce() -> String,
) -> Result<T> {
    let value = decode_column(row, *index, T::from_value, || ("expression", "expression", T::RUST_TYPE)).map_err(
        |err| match err {
            crate::error::Error::Decode { model, column, expected, found, .. } => {
                crate::error::Error::Decode { model, column, expected, found, expression: Some(describe()) }
            }
            other => other,
        },
    );
    *index += 1;
    value
}

/// A column read through a join that may find no row is `Option<T>` (see
/// [`Cardinality::Read`]).
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> Selection for Field<M, T, C, X> {
    type Output = C::Read<T, X>;
    type Flat = (C::Read<T, X>,);
    fn flat(output: Self::Output) -> Self::Flat {
        (output,)
    }
    fn push_nodes(&self, out: &mut Vec<ExprNode>) {
        out.push(self.node());
    }
    fn decode<R: RowRead>(&self, row: &R, index: &mut usize) -> Result<Self::Output> {
        let column = *self;
        let value = decode_column(row, *index, <C::Read<T, X>>::from_value, move || {
            (M::META.name, column.column_name(), <C::Read<T, X>>::RUST_TYPE)
        });
        *index += 1;
        value
    }
}

impl<T: FieldType> Selection for Expr<T> {
    type Output = T;
    type Flat = (T,);
    fn flat(output: T) -> (T,) {
        (output,)
    }
    fn push_nodes(&self, out: &mut Vec<ExprNode>) {
        out.push(self.clone().node());
    }
    fn decode<R: RowRead>(&self, row: &R, index: &mut usize) -> Result<T> {
        read_expr(row, index, self.node_ref())
    }
}

impl<O: FieldType> Selection for Aggregate<O> {
    type Output = O;
    const AGGREGATE: bool = true;
    type Flat = (O,);
    fn flat(output: O) -> (O,) {
        (output,)
    }
    fn push_nodes(&self, out: &mut Vec<ExprNode>) {
        out.push(self.node.clone());
    }
    fn decode<R: RowRead>(&self, row: &R, index: &mut usize) -> Result<O> {
        read_expr(row, index, &self.node)
    }
}

impl<O: FieldType + EmptyAggregate> AggregateSelection for Aggregate<O> {
    type View = Expr<O>;
    fn empty_output(&self) -> O {
        O::empty()
    }
    fn view(&self) -> Expr<O> {
        Expr::from_node(self.node.clone())
    }
}

macro_rules! tuples {
    ($($name:ident)+) => {
        #[allow(non_snake_case)]
        impl<$($name: Selection),+> Selection for ($($name,)+) {
            type Output = ($($name::Output,)+);
            const AGGREGATE: bool = false $(|| $name::AGGREGATE)+;
            type Flat = Self::Output;
            fn flat(output: Self::Output) -> Self::Output {
                output
            }
            fn push_nodes(&self, out: &mut Vec<ExprNode>) {
                let ($($name,)+) = self;
                $($name.push_nodes(out);)+
            }
            fn decode<R: RowRead>(&self, row: &R, index: &mut usize) -> Result<Self::Output> {
                let ($($name,)+) = self;
                Ok(($($name.decode(row, index)?,)+))
            }
        }
        #[allow(non_snake_case)]
        impl<$($name: AggregateSelection),+> AggregateSelection for ($($name,)+) {
            type View = ($($name::View,)+);
            fn empty_output(&self) -> Self::Output {
                let ($($name,)+) = self;
                ($($name.empty_output(),)+)
            }
            fn view(&self) -> Self::View {
                let ($($name,)+) = self;
                ($($name.view(),)+)
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

/// Appends one tuple to another: `values(..).annotate(..)` rows are the values then the
/// aggregates, flat, as `(String, i64, Option<i64>)`.
#[doc(hidden)]
pub trait Concat<B> {
    /// The joined tuple.
    type Out;
    #[doc(hidden)]
    fn concat(self, tail: B) -> Self::Out;
}

macro_rules! concat {
    (($($a:ident)+) ($($b:ident)+)) => {
        #[allow(non_snake_case)]
        impl<$($a,)+ $($b,)+> Concat<($($b,)+)> for ($($a,)+) {
            type Out = ($($a,)+ $($b,)+);
            fn concat(self, tail: ($($b,)+)) -> Self::Out {
                let ($($a,)+) = self;
                let ($($b,)+) = tail;
                ($($a,)+ $($b,)+)
            }
        }
    };
}
concat!((A1)(B1));
concat!((A1) (B1 B2));
concat!((A1) (B1 B2 B3));
concat!((A1) (B1 B2 B3 B4));
concat!((A1 A2) (B1));
concat!((A1 A2) (B1 B2));
concat!((A1 A2) (B1 B2 B3));
concat!((A1 A2) (B1 B2 B3 B4));
concat!((A1 A2 A3) (B1));
concat!((A1 A2 A3) (B1 B2));
concat!((A1 A2 A3) (B1 B2 B3));
concat!((A1 A2 A3) (B1 B2 B3 B4));
concat!((A1 A2 A3 A4) (B1));
concat!((A1 A2 A3 A4) (B1 B2));
concat!((A1 A2 A3 A4) (B1 B2 B3));
concat!((A1 A2 A3 A4) (B1 B2 B3 B4));
concat!((A1 A2 A3 A4 A5) (B1));
concat!((A1 A2 A3 A4 A5) (B1 B2));
concat!((A1 A2 A3 A4 A5) (B1 B2 B3));
concat!((A1 A2 A3 A4 A5) (B1 B2 B3 B4));
concat!((A1 A2 A3 A4 A5 A6) (B1));
concat!((A1 A2 A3 A4 A5 A6) (B1 B2));
concat!((A1 A2 A3 A4 A5 A6) (B1 B2 B3));
concat!((A1 A2 A3 A4 A5 A6) (B1 B2 B3 B4));

/// A selection of one column: what a subquery selects (`Subquery(..)`,
/// `is_in(queryset)`).
#[diagnostic::on_unimplemented(
    message = "a subquery selects one column, not `{Self}`",
    label = "expected one field or expression",
    note = "select one column for the subquery: `.values(|b| b.title)`"
)]
pub trait SingleColumn {
    /// The column's type where it may be `NULL` (a subquery that finds no row):
    /// `Option<T>`, or `T` itself for a column that is nullable already.
    type OrNull: FieldType;
}
impl<M: Model, T: FieldType, C: Cardinality, X: Flavor> SingleColumn for Field<M, T, C, X> {
    type OrNull = X::OrNull<T>;
}
impl<T: FieldType> SingleColumn for Expr<T> {
    type OrNull = Option<T>;
}
impl<O: FieldType> SingleColumn for Aggregate<O> {
    type OrNull = Option<O>;
}
