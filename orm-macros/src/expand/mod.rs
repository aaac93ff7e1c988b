//! Expansion: parse -> validate -> generate, one file per generated piece.

mod fields;
mod insert;
mod markers;
mod model;
mod serde;

use crate::ctxt::Ctxt;
use crate::{parse, validate};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The whole `#[derive(Model)]`: the generated items, or every error found.
pub(crate) fn derive_model(input: &syn::DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let parsed = parse::model(&mut cx, input);
    let resolved = parsed.as_ref().and_then(|m| validate::check(&mut cx, m));
    match (&parsed, resolved) {
        (Some(model), Some(resolved)) if !cx.has_errors() => {
            let names = Names::of(model);
            let fields = fields::expand(model, &resolved, &names);
            let insert = insert::expand(model, &resolved, &names);
            let model_impl = model::expand(model, &resolved, &names);
            let serde = serde::expand(model, &resolved, &names);
            quote! {
                #fields
                #insert
                #serde
                #[doc(hidden)]
                const _: () = {
                    #model_impl
                };
            }
        }
        _ => {
            let errors = cx.into_compile_errors();
            // A stub `impl Model` (for a plain struct) keeps other models that point at
            // this one free of follow-on errors, as serde and thiserror do.
            let stub = match &input.data {
                syn::Data::Struct(_) if input.generics.params.is_empty() => {
                    let ident = &input.ident;
                    // The relation markers too, so that reverse sides on other models
                    // still find this model's relations.
                    let markers = parsed.as_ref().map(markers::expand).unwrap_or_default();
                    quote! { ::orm::__stub_model!(#ident); #markers }
                }
                _ => TokenStream::new(),
            };
            quote! { #errors #stub }
        }
    }
}

/// The names of the generated items.
pub(crate) struct Names {
    pub fields: syn::Ident,
    pub new: syn::Ident,
    pub non_key: syn::Ident,
}

impl Names {
    fn of(model: &parse::Model<'_>) -> Self {
        Names {
            fields: format_ident!("{}Fields", model.ident),
            new: format_ident!("New{}", model.ident),
            non_key: format_ident!("{}NonKeyFields", model.ident),
        }
    }
}

/// The value of a field in a new or decoded row, given `value` for a column: a
/// relation field knows its relation (for `Error::NotLoaded`), and a non-column one
/// (`HasMany`, `HasOne`, `ManyToMany`) starts not loaded.
pub(crate) fn field_value(
    model: &parse::Model<'_>,
    f: &parse::Field<'_>,
    relation: Option<usize>,
    value: TokenStream,
) -> TokenStream {
    let (ident, ty) = (model.ident, f.ty);
    let Some(r) = relation else { return value };
    let meta = quote! { &<#ident as ::orm::Model>::META.relations[#r] };
    if f.is_column() {
        quote! { ::orm::__private::named(#value, #meta) }
    } else {
        quote! { <#ty>::__named(#meta) }
    }
}
