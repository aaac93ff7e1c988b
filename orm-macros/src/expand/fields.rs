//! `BookFields<C>`: one `orm::Field` handle per column, and one method per relation
//! returning the related model's field set. `C` records whether a many-valued
//! relation was followed on the way (`select_related` accepts only `One`).

use super::Names;
use crate::parse::{Kind, Model};
use crate::validate::Resolved;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(model: &Model<'_>, resolved: &Resolved, names: &Names) -> TokenStream {
    let ident = model.ident;
    let vis = model.vis;
    let fields_ident = &names.fields;
    let doc = format!(
        "Typed field handles of [`{ident}`]: what `filter`, `order_by` and `values` closures receive. \
         Relations are methods returning the related model's field set."
    );
    let single_pk = (resolved.pk_fields.len() == 1).then_some(resolved.pk_field);
    // What a query needs to know of a column: nullable (it reads as itself through a
    // LEFT JOIN), or unique and never NULL (it can end a keyset order).
    let flavor = |i: usize, f: &crate::parse::Field<'_>| {
        let one_to_one = matches!(f.kind, Kind::ForeignKey { unique: true, .. });
        if f.is_option() {
            quote!(::orm::Null)
        } else if f.unique || one_to_one || single_pk == Some(i) {
            quote!(::orm::Unique)
        } else {
            quote!(::orm::Plain)
        }
    };
    let decls = model.fields.iter().enumerate().filter(|(_, f)| f.is_column()).map(|(i, f)| {
        let (name, ty) = (f.ident, f.ty);
        let doc = format!("The `{}` column.", f.column);
        let flavor = flavor(i, f);
        quote! { #[doc = #doc] pub #name: ::orm::Field<#ident, #ty, __OrmC, #flavor> }
    });
    // The same columns for writes that set chosen fields, each key column a
    // `PrimaryKeyField` that no such write accepts.
    let non_key_ident = &names.non_key;
    let non_key_decls = model.fields.iter().enumerate().filter(|(_, f)| f.is_column()).map(|(i, f)| {
        let (name, ty) = (f.ident, f.ty);
        if resolved.pk_fields.contains(&i) {
            quote! { #[doc = "The primary key: a row keeps its key."] pub #name: ::orm::PrimaryKeyField }
        } else {
            let doc = format!("The `{}` column.", f.column);
            let flavor = flavor(i, f);
            quote! { #[doc = #doc] pub #name: ::orm::Field<#ident, #ty, ::orm::Root, #flavor> }
        }
    });
    let non_key_handles = model.fields.iter().enumerate().filter_map(|(i, f)| {
        let column = resolved.column_of[i]? as u16;
        let name = f.ident;
        if resolved.pk_fields.contains(&i) {
            Some(quote! { #name: ::orm::PrimaryKeyField })
        } else {
            Some(quote! { #name: ::orm::Field::new(::orm::__private::Path::ROOT, #column) })
        }
    });
    let non_key_doc = format!(
        "The columns of [`{ident}`] a write of chosen fields can set (`save_fields`, an upsert's \
         `update_fields`): every column but the primary key."
    );
    let handles = model.fields.iter().enumerate().filter_map(|(i, f)| {
        let column = resolved.column_of[i]? as u16;
        let name = f.ident;
        Some(quote! { #name: ::orm::Field::new(path, #column) })
    });
    let methods = model.fields.iter().enumerate().filter_map(|(i, f)| {
        let relation = resolved.relation_of[i]?;
        let name = f.ident;
        // How the related fields are reached: a LEFT JOIN (a nullable key, a reverse
        // OneToOne, a many-valued relation) makes their columns read as `Option`.
        let (target, card) = match &f.kind {
            Kind::ForeignKey { target, nullable: false, .. } => {
                (*target, quote!(<__OrmC as ::orm::Cardinality>::Required))
            }
            Kind::ForeignKey { target, nullable: true, .. } | Kind::HasOne { target } => {
                (*target, quote!(<__OrmC as ::orm::Cardinality>::Optional))
            }
            Kind::HasMany { target } | Kind::ManyToMany { target } => (*target, quote!(::orm::Many)),
            Kind::Column | Kind::OptionalReverse { .. } => return None,
        };
        let doc = format!("Follows the `{name}` relation: the field set of the related model.");
        let target_model = quote_spanned! {target.span()=> <#target as ::orm::Model>};
        Some(quote! {
            #[doc = #doc]
            pub fn #name(&self) -> #target_model::FieldsAt<#card> {
                #target_model::__fields_at(self.__path.join(#relation))
            }
        })
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug)]
        #vis struct #fields_ident<__OrmC = ::orm::Root> {
            #(#decls,)*
            #[doc(hidden)]
            pub __path: ::orm::__private::Path,
            #[doc(hidden)]
            pub __cardinality: ::std::marker::PhantomData<__OrmC>,
        }

        impl<__OrmC: ::orm::Cardinality> #fields_ident<__OrmC> {
            #[doc(hidden)]
            pub fn __at(path: ::orm::__private::Path) -> Self {
                #fields_ident { #(#handles,)* __path: path, __cardinality: ::orm::__private::cardinality() }
            }

            #(#methods)*
        }

        impl<__OrmC: ::orm::Cardinality> ::orm::FieldSet for #fields_ident<__OrmC> {
            type Model = #ident;
            fn __path(&self) -> ::orm::__private::Path {
                self.__path
            }
        }

        #[doc = #non_key_doc]
        #[derive(Clone, Copy, Debug)]
        #vis struct #non_key_ident {
            #(#non_key_decls,)*
        }

        impl #non_key_ident {
            #[doc(hidden)]
            pub fn __new() -> Self {
                #non_key_ident { #(#non_key_handles,)* }
            }
        }

        impl ::orm::SingleValued for #fields_ident<::orm::One> {}
        impl ::orm::SingleValued for #fields_ident<::orm::Nullable> {}

        impl<__OrmC: ::orm::Cardinality> ::orm::IntoOrdering for #fields_ident<__OrmC> {
            fn push_terms(self, out: &mut ::orm::__private::OrderTerms) {
                ::orm::__private::push_relation_ordering::<#ident>(self.__path, out)
            }
        }
    }
}
