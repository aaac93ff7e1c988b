//! `impl orm::Model`: the table description, the row decoder (by position) and the
//! value writers.

use super::Names;
use crate::parse::Model;
use crate::validate::Resolved;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(model: &Model<'_>, resolved: &Resolved, names: &Names) -> TokenStream {
    let ident = model.ident;
    let (fields_ident, new_ident) = (&names.fields, &names.new);
    let name = ident.to_string();
    let table = &model.table;
    let pk = resolved.pk;
    let auto_pk = resolved.auto_pk;
    let pk_ident = model.fields[pk].ident;
    let pk_ty = model.fields[pk].ty;

    let columns = model.fields.iter().enumerate().map(|(i, f)| {
        let (column, field) = (&f.column, f.ident.to_string());
        let ty = f.ty;
        let field_type = quote_spanned! {ty.span()=> <#ty as ::orm::FieldType>};
        let (unique, index) = (f.unique, f.index);
        let primary_key = i == pk;
        let default = match &f.default {
            Some(d) => {
                let sql = &d.sql;
                quote!(::std::option::Option::Some(#sql))
            }
            None => quote!(::std::option::Option::None),
        };
        let max_length = match f.max_length {
            Some((n, _)) => quote!(::std::option::Option::Some(#n)),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            ::orm::ColumnMeta {
                name: #column,
                field: #field,
                sql_type: #field_type::SQL_TYPE,
                rust_type: #field_type::RUST_TYPE,
                nullable: #field_type::NULLABLE,
                primary_key: #primary_key,
                unique: #unique,
                index: #index,
                default: #default,
                max_length: #max_length,
            }
        }
    });
    let ordering = resolved.ordering.iter().map(|(i, desc)| quote!((#i, #desc)));
    let groups = |gs: &[Vec<usize>]| {
        let gs = gs.iter().map(|g| quote!(&[#(#g),*]));
        quote!(&[#(#gs),*])
    };
    let unique_together = groups(&resolved.unique_together);
    let index_together = groups(&resolved.index_together);

    let handles = model.fields.iter().enumerate().map(|(i, f)| {
        let name = f.ident;
        let i = i as u16;
        quote! { #name: ::orm::Field::new(path, #i) }
    });
    // Every generated use of a field's type carries the type's span, so that an
    // unsupported type gives one error, at the type.
    let decode = model.fields.iter().enumerate().map(|(i, f)| {
        let (field, column, ty) = (f.ident, &f.column, f.ty);
        quote_spanned! {ty.span()=>
            #field: ::orm::__private::read_with(
                row, start + #i, #name, #column,
                <#ty as ::orm::FieldType>::RUST_TYPE, <#ty as ::orm::FieldType>::from_value,
            )?
        }
    });
    let push = model.fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        quote_spanned! {ty.span()=> out.push(<#ty as ::orm::FieldType>::to_value(&self.#name)); }
    });
    let set_pk = if auto_pk {
        quote! { self.#pk_ident = pk; }
    } else {
        quote! { let _ = pk; }
    };

    quote! {
        impl ::orm::Model for #ident {
            type Fields = #fields_ident;
            type New = #new_ident;
            const META: &'static ::orm::ModelMeta = &::orm::ModelMeta {
                name: #name,
                table: #table,
                columns: &[#(#columns),*],
                pk: #pk,
                auto_pk: #auto_pk,
                ordering: &[#(#ordering),*],
                unique_together: #unique_together,
                index_together: #index_together,
            };

            fn __fields(path: ::orm::__private::Path) -> #fields_ident {
                #fields_ident { #(#handles,)* }
            }

            fn __from_row(row: &::orm::__private::Row<'_>, start: usize) -> ::orm::Result<Self> {
                ::std::result::Result::Ok(#ident { #(#decode,)* })
            }

            fn __push_values(&self, out: &mut ::std::vec::Vec<::orm::Value>) {
                #(#push)*
            }

            fn __set_auto_pk(&mut self, pk: i64) {
                #set_pk
            }

            fn pk(&self) -> ::orm::Value {
                <#pk_ty as ::orm::FieldType>::to_value(&self.#pk_ident)
            }
        }
    }
}
