//! Relation fields (ForeignKey, OneToOne, ManyToMany and the reverse sides), and what
//! loads and writes them: `prefetch_related`, the ManyToMany writes and Django's
//! delete collector. (`select_related` decodes in `model::RelatedPlan`.)

pub(crate) mod delete;
mod fields;
mod keys;
pub(crate) mod m2m;
pub(crate) mod prefetch;
#[cfg(feature = "serde")]
mod serde;
mod slot;

#[cfg(feature = "serde")]
pub use self::serde::Nested;
pub use fields::{ForeignKey, HasMany, HasOne, ManyToMany, OneToOne};
pub use prefetch::prefetch_level;
pub(crate) use prefetch::related_condition;
