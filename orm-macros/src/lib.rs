//! The procedural macros of the `orm` crate. Use them through `orm` (`orm::Model`),
//! not directly: the generated code refers to `::orm`.

#![warn(missing_docs)]

mod ctxt;
mod expand;
mod parse;
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
