//! What users type: typed field handles and expressions (Django's F), conditions
//! (Q), lookups, aggregates, ordering terms and selections.

mod annotation;
mod case;
mod columns;
mod dates;
mod expr;
mod functions;
#[cfg(feature = "json")]
mod json;
mod lookups;
mod ordering;
mod select;
mod subquery;

pub(crate) use annotation::has_aggregate;
pub use annotation::Annotation;
#[cfg(feature = "chrono")]
pub use case::now;
pub use case::{case, Case, CaseBranch, CaseStart, RelationNullsOrder};
pub(crate) use columns::is_unique_group;
pub use columns::{ColumnList, ConflictTarget, PrimaryKeyField};
pub use dates::DateLookups;
pub use expr::cardinality;
pub(crate) use expr::sealed;
pub use expr::{
    count_all, Aggregate, Expr, Field, FieldOrder, IntoAssignments, IntoOrdering, Operand, RelationLookups,
    SingleValued, UseLookups, Q,
};
pub(crate) use expr::{pk_condition, pk_values_condition};
pub use functions::{CastTarget, Functions, MaybeNull, OperandType};
#[cfg(feature = "json")]
pub use json::JsonPath;
pub use lookups::Lookups;
pub use ordering::{OrderTerms, RelationOrder};
#[doc(hidden)]
pub use select::EmptyAggregate;
pub(crate) use select::{decode_column, Selected};
pub use select::{AggregateSelection, Concat, Selection, SingleColumn};
#[doc(hidden)]
pub use subquery::{FromQuerySet, KeyColumn, SameColumn};
pub use subquery::{InValues, OuterRef, OuterRefs};
