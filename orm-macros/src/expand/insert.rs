//! `NewBook`: every field but the auto-increment key, and its `orm::Insert` impl.

use super::Names;
use crate::parse::Model;
use crate::validate::Resolved;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(model: &Model<'_>, resolved: &Resolved, names: &Names) -> TokenStream {
    let ident = model.ident;
    let vis = model.vis;
    let new_ident = &names.new;
    let insert_fields: Vec<_> = model
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| !(resolved.auto_pk && *i == resolved.pk))
        .map(|(_, f)| f)
        .collect();
    let decls = insert_fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        quote! { #[allow(missing_docs)] pub #name: #ty }
    });
    let push = insert_fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        quote_spanned! {ty.span()=> out.push(<#ty as ::orm::FieldType>::to_value(&self.#name)); }
    });
    let build = model.fields.iter().enumerate().map(|(i, f)| {
        let name = f.ident;
        if resolved.auto_pk && i == resolved.pk {
            quote! { #name: auto_pk }
        } else {
            quote! { #name: self.#name }
        }
    });
    let pk_ident = model.fields[resolved.pk].ident;
    let apply = insert_fields.iter().filter(|f| f.ident != pk_ident).map(|f| {
        let name = f.ident;
        quote! { model.#name = self.#name; }
    });
    let doc = format!(
        "A [`{ident}`] not yet saved: every field but the auto-increment key. Pass it to `{ident}::objects().create(&db, ..)`."
    );
    quote! {
        #[doc = #doc]
        #vis struct #new_ident {
            #(#decls,)*
        }

        impl ::orm::Insert for #new_ident {
            type Model = #ident;
            fn __push_values(&self, out: &mut ::std::vec::Vec<::orm::Value>) {
                #(#push)*
            }
            fn __into_model(self, auto_pk: i64) -> #ident {
                let _ = auto_pk;
                #ident { #(#build,)* }
            }
            fn __apply_to(self, model: &mut #ident) {
                #(#apply)*
            }
        }
    }
}
