//! The procedural macros of the `orm` crate. Use them through `orm` (`orm::Model`),
//! not directly: the generated code refers to `::orm`.

#![warn(missing_docs)]

mod ctxt;
mod expand;
mod parse;
mod queryset;
mod validate;

use proc_macro::TokenStream;

/// Derives `orm::Model` for a struct with named fields, and generates beside it the
/// typed field set (`BookFields`) and the insert struct (`NewBook`).
///
/// See the `orm` crate's documentation for the attributes.
#[proc_macro_derive(Model, attributes(orm))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive_model(&input).into()
}

/// Custom chainable QuerySet methods: on a trait whose methods have default bodies,
/// implements it for `QuerySet<Model>`, so the methods chain with each other and with
/// every built-in one.
///
/// ```ignore
/// #[orm::queryset(Developer)]
/// pub trait DeveloperQuerySet {
///     fn senior(self) -> Self { self.filter(|d| d.years_experience.gte(5)) }
/// }
/// let seniors = Developer::objects().senior().order_by(|d| d.name.asc()).all(&db)?;
/// ```
#[proc_macro_attribute]
pub fn queryset(attr: TokenStream, item: TokenStream) -> TokenStream {
    queryset::expand(attr.into(), item.into()).into()
}
