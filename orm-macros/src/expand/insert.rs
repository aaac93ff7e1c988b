//! `NewBook`: every column field but the auto-increment key, and its `orm::Insert`
//! impl.

use super::{field_value, Names};
use crate::parse::Model;
use crate::validate::Resolved;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(model: &Model<'_>, resolved: &Resolved, names: &Names) -> TokenStream {
    let ident = model.ident;
    let vis = model.vis;
    let new_ident = &names.new;
    let is_auto_pk = |i: usize| resolved.auto_pk && i == resolved.pk_field;
    // The columns an insert writes, in order; those filled with the current time
    // (`auto_now`, `auto_now_add`) are not fields of the insert struct.
    let stored_fields: Vec<_> =
        model.fields.iter().enumerate().filter(|(i, f)| f.is_column() && !is_auto_pk(*i)).map(|(_, f)| f).collect();
    let insert_fields: Vec<_> = stored_fields.iter().copied().filter(|f| !f.is_auto_time()).collect();
    let now = |ty: &syn::Type| quote_spanned! {ty.span()=> ::orm::__private::now::<#ty>() };
    let decls = insert_fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        quote! { #[allow(missing_docs)] pub #name: #ty }
    });
    let push = stored_fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        if f.is_auto_time() {
            let now = now(ty);
            return quote_spanned! {ty.span()=> out.push(<#ty as ::orm::FieldType>::into_value(#now)); };
        }
        quote_spanned! {ty.span()=> out.push(<#ty as ::orm::FieldType>::to_value(&self.#name)); }
    });
    let into_values = stored_fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        if f.is_auto_time() {
            let now = now(ty);
            return quote_spanned! {ty.span()=> out.push(<#ty as ::orm::FieldType>::into_value(#now)); };
        }
        quote_spanned! {ty.span()=> out.push(<#ty as ::orm::FieldType>::into_value(self.#name)); }
    });
    let build = model.fields.iter().enumerate().map(|(i, f)| {
        let name = f.ident;
        if is_auto_pk(i) {
            quote! { #name: auto_pk }
        } else if f.is_auto_time() {
            let now = now(f.ty);
            quote! { #name: #now }
        } else {
            let value = field_value(model, f, resolved.relation_of[i], quote!(self.#name));
            quote! { #name: #value }
        }
    });
    let pk_idents: Vec<&syn::Ident> = resolved.pk_fields.iter().map(|&i| model.fields[i].ident).collect();
    let apply = stored_fields.iter().filter(|f| !pk_idents.contains(&f.ident) && f.auto_now_add.is_none()).map(|f| {
        let name = f.ident;
        if f.auto_now.is_some() {
            let now = now(f.ty);
            return quote! { model.#name = #now; };
        }
        quote! { model.#name = self.#name; }
    });
    let doc = format!(
        "A [`{ident}`] not yet saved: every column but the auto-increment key. Pass it to `{ident}::objects().create(&db, ..)`."
    );
    // `Default` when every field has one (its `default` literal, or `None`), the same
    // values as the columns' SQL DEFAULTs.
    let defaults: Option<Vec<TokenStream>> = insert_fields
        .iter()
        .map(|f| {
            let name = f.ident;
            f.rust_default().map(|value| quote! { #name: #value })
        })
        .collect();
    let default_impl = defaults.map(|fields| {
        quote! {
            impl ::std::default::Default for #new_ident {
                fn default() -> Self {
                    #new_ident { #(#fields,)* }
                }
            }
        }
    });
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
            fn __into_values(self, out: &mut ::std::vec::Vec<::orm::Value>) {
                #(#into_values)*
            }
            fn __into_model(self, auto_pk: i64) -> #ident {
                let _ = auto_pk;
                #ident { #(#build,)* }
            }
            fn __apply_to(self, model: &mut #ident) {
                #(#apply)*
            }
        }

        #default_impl
    }
}
