//! `BookFields`: one `orm::Field` handle per column, the argument of query closures.

use super::Names;
use crate::parse::Model;
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn expand(model: &Model<'_>, names: &Names) -> TokenStream {
    let ident = model.ident;
    let vis = model.vis;
    let fields_ident = &names.fields;
    let doc = format!("Typed field handles of [`{ident}`]: what `filter`, `order_by` and `values` closures receive.");
    let decls = model.fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        let doc = format!("The `{}` column.", f.column);
        quote! { #[doc = #doc] pub #name: ::orm::Field<#ident, #ty> }
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug)]
        #vis struct #fields_ident {
            #(#decls,)*
        }
    }
}
