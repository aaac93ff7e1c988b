//! `impl orm::Model`: the table description, the row decoder (by position), the
//! value writers, the relation plumbing the loaders use, and the marker impls that let
//! a reverse side find its ForeignKey.

use super::{field_value, Names};
use crate::parse::{snake_case, Field, Kind, Model};
use crate::validate::Resolved;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn expand(model: &Model<'_>, resolved: &Resolved, names: &Names) -> TokenStream {
    let ident = model.ident;
    let (fields_ident, new_ident, non_key_ident) = (&names.fields, &names.new, &names.non_key);
    let name = ident.to_string();
    let table = &model.table;
    let pk = resolved.pk;
    let auto_pk = resolved.auto_pk;
    let pk_field = &model.fields[resolved.pk_field];
    let (pk_ident, pk_ty) = (pk_field.ident, pk_field.ty);
    let pk_columns = &resolved.pk_columns;
    // The key type: the column's, or a tuple of them for a composite key.
    let pk_fields: Vec<&Field<'_>> = resolved.pk_fields.iter().map(|&i| &model.fields[i]).collect();
    let (key_ty, key_value) = if let [single] = pk_fields.as_slice() {
        let (ident, ty) = (single.ident, single.ty);
        (quote!(#ty), quote!(::std::clone::Clone::clone(&self.#ident)))
    } else {
        let tys = pk_fields.iter().map(|f| f.ty);
        let idents = pk_fields.iter().map(|f| f.ident);
        (quote!((#(#tys,)*)), quote!((#(::std::clone::Clone::clone(&self.#idents),)*)))
    };
    let accessors = accessors(model, resolved);
    let markers = super::markers::expand(model);
    let single_key = (pk_fields.len() == 1).then(|| {
        quote! {
            impl ::orm::SingleKey for #ident {
                type Key = #pk_ty;
                fn __key(&self) -> #pk_ty {
                    ::std::clone::Clone::clone(&self.#pk_ident)
                }
            }
        }
    });
    let columns: Vec<(usize, &Field<'_>)> =
        model.fields.iter().enumerate().filter_map(|(i, f)| Some((resolved.column_of[i]?, f))).collect();

    let column_metas = columns.iter().map(|(c, f)| {
        let (column, field) = (&f.column, f.ident.to_string());
        let ty = f.ty;
        let field_type = quote_spanned! {ty.span()=> <#ty as ::orm::FieldType>};
        let (unique, index) = (f.unique, f.index);
        let primary_key = resolved.pk_columns.contains(c);
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
                column_type: #field_type::COLUMN,
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
    let relation_fields: Vec<(usize, usize, &Field<'_>)> = model
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((resolved.relation_of[i]?, resolved.column_of[i].unwrap_or(usize::MAX), f)))
        .collect();
    let relation_metas = relation_fields.iter().map(|(_, column, f)| relation_meta(model, f, *column));

    // Every generated use of a field's type carries the type's span, so that an
    // unsupported type gives one error, at the type.
    let decode = columns.iter().map(|(c, f)| {
        let (local, column, ty) = (local(*c), &f.column, f.ty);
        quote_spanned! {ty.span()=>
            let #local = ::orm::__private::read_with(
                row, start + #c, #name, #column,
                <#ty as ::orm::FieldType>::RUST_TYPE, <#ty as ::orm::FieldType>::from_value,
            )?;
        }
    });
    let build = model.fields.iter().enumerate().map(|(i, f)| {
        let field = f.ident;
        let local = resolved.column_of[i].map(local).map(|l| quote!(#l)).unwrap_or_default();
        let value = field_value(model, f, resolved.relation_of[i], local);
        quote! { #field: #value }
    });
    // `save()` writes the current time into an `auto_now` column.
    let push = columns.iter().map(|(_, f)| {
        let (field, ty) = (f.ident, f.ty);
        if f.auto_now.is_some() {
            return quote_spanned! {ty.span()=>
                out.push(<#ty as ::orm::FieldType>::into_value(::orm::__private::now::<#ty>()));
            };
        }
        quote_spanned! {ty.span()=> out.push(<#ty as ::orm::FieldType>::to_value(&self.#field)); }
    });
    // What `save_fields` writes for an `auto_now` column: the current time.
    let auto_now_values: Vec<TokenStream> = columns
        .iter()
        .filter(|(_, f)| f.auto_now.is_some())
        .map(|(c, f)| {
            let ty = f.ty;
            quote_spanned! {ty.span()=> #c => <#ty as ::orm::FieldType>::into_value(::orm::__private::now::<#ty>()), }
        })
        .collect();
    let value_to_save = (!auto_now_values.is_empty()).then(|| {
        quote! {
            fn __value_to_save(&self, column: usize) -> ::orm::Value {
                match column {
                    #(#auto_now_values)*
                    _ => ::orm::Model::__value_of(self, column),
                }
            }
        }
    });
    let value_of = columns.iter().map(|(c, f)| {
        let (field, ty) = (f.ident, f.ty);
        quote_spanned! {ty.span()=> #c => <#ty as ::orm::FieldType>::to_value(&self.#field), }
    });
    let set_related = relation_fields.iter().map(|(r, _, f)| {
        let field = f.ident;
        quote! { #r => ::orm::__private::RelationField::set_loaded(&mut self.#field, loaded), }
    });
    let load_related = relation_fields.iter().map(|(r, _, f)| {
        let field = f.ident;
        quote! { #r => ::orm::__private::RelationField::load_row(&mut self.#field, row, plan, step), }
    });
    let related_one = relation_fields.iter().map(|(r, _, f)| {
        let field = f.ident;
        quote! { #r => ::orm::__private::RelationField::loaded_one(&mut self.#field), }
    });

    quote! {
        impl ::orm::Model for #ident {
            type Fields = #fields_ident<::orm::Root>;
            type FieldsAt<__OrmC: ::orm::Cardinality> = #fields_ident<__OrmC>;
            type New = #new_ident;
            type NonKeyFields = #non_key_ident;
            type Pk = #key_ty;
            const META: &'static ::orm::ModelMeta = &::orm::ModelMeta {
                name: #name,
                table: #table,
                columns: &[#(#column_metas),*],
                pk: #pk,
                pk_columns: &[#(#pk_columns),*],
                auto_pk: #auto_pk,
                ordering: &[#(#ordering),*],
                unique_together: #unique_together,
                index_together: #index_together,
                relations: &[#(#relation_metas),*],
                prefetch: ::orm::__private::prefetch_level::<#ident>,
            };

            fn __fields(path: ::orm::__private::Path) -> Self::Fields {
                #fields_ident::__at(path)
            }

            fn __non_key_fields() -> #non_key_ident {
                #non_key_ident::__new()
            }

            fn __fields_at<__OrmC: ::orm::Cardinality>(path: ::orm::__private::Path) -> #fields_ident<__OrmC> {
                #fields_ident::__at(path)
            }

            #[inline]
            fn __decode<R: ::orm::RowRead>(row: &R, start: usize) -> ::orm::Result<Self> {
                #(#decode)*
                ::std::result::Result::Ok(#ident { #(#build,)* })
            }

            #[inline]
            fn __load_related<R: ::orm::RowRead>(
                &mut self,
                relation: usize,
                row: &R,
                plan: &::orm::__private::RelatedPlan,
                step: usize,
            ) -> ::orm::Result<()> {
                let _ = (row, plan, step);
                match relation {
                    #(#load_related)*
                    _ => ::std::result::Result::Ok(()),
                }
            }

            fn __push_values(&self, out: &mut ::std::vec::Vec<::orm::Value>) {
                #(#push)*
            }


            fn pk(&self) -> ::orm::Value {
                <#pk_ty as ::orm::FieldType>::to_value(&self.#pk_ident)
            }

            fn __pk(&self) -> #key_ty {
                #key_value
            }

            fn __value_of(&self, column: usize) -> ::orm::Value {
                match column {
                    #(#value_of)*
                    _ => ::orm::Value::Null,
                }
            }

            #value_to_save

            fn __set_related(&mut self, relation: usize, loaded: ::orm::__private::Loaded) -> ::orm::Result<()> {
                let _ = &loaded;
                match relation {
                    #(#set_related)*
                    _ => ::std::result::Result::Ok(()),
                }
            }

            fn __clone_boxed(&self) -> ::std::option::Option<::std::boxed::Box<dyn ::orm::__private::AnyModel>> {
                #[allow(unused_imports)]
                use ::orm::__private::{CannotClone as _, CloneIfPossible as _};
                (&&::orm::__private::Cloner(self)).clone_if_possible()
            }

            fn __related_one(
                &mut self,
                relation: usize,
            ) -> ::std::option::Option<::std::option::Option<&mut dyn ::orm::__private::AnyModel>> {
                match relation {
                    #(#related_one)*
                    _ => ::std::option::Option::None,
                }
            }

        }

        #single_key

        #markers

        #accessors
    }
}

/// For each reverse or many-to-many field, a method of the same name on the model:
/// the related rows as a QuerySet (or a `ManyToManyManager`), Django's
/// `author.books.all()` and `dev.skills.add(..)`.
fn accessors(model: &Model<'_>, resolved: &Resolved) -> TokenStream {
    let ident = model.ident;
    let pk = &model.fields[resolved.pk_field];
    let (pk_ident, pk_ty) = (pk.ident, pk.ty);
    let methods: Vec<TokenStream> = model
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| !f.is_column() && resolved.relation_of[*i].is_some())
        .map(|(i, f)| {
            let (field, vis, ty) = (f.ident, f.vis, f.ty);
            let r = resolved.relation_of[i].expect("filtered");
            let doc = format!(
                "The rows of `{field}` for this `{ident}`, read by a query when it runs (the field itself holds what `prefetch_related` loaded)."
            );
            // Spanned at the field: a method of the user's with this name is reported
            // there, next to theirs.
            quote_spanned! {field.span()=>
                #[doc = #doc]
                #vis fn #field(&self) -> <#ty as ::orm::__private::RelatedAccessor>::Manager {
                    <#ty as ::orm::__private::RelatedAccessor>::__manager(
                        <#pk_ty as ::orm::FieldType>::to_value(&self.#pk_ident),
                        &<#ident as ::orm::Model>::META.relations[#r],
                    )
                }
            }
        })
        .collect();
    if methods.is_empty() {
        return TokenStream::new();
    }
    quote! {
        // A model need not use all of its accessors.
        #[allow(dead_code)]
        impl #ident {
            #(#methods)*
        }
    }
}

fn local(column: usize) -> syn::Ident {
    quote::format_ident!("__orm_c{}", column)
}

fn on_delete(f: &Field<'_>) -> TokenStream {
    match f.on_delete.as_ref().map(|(v, _)| v.as_str()) {
        Some("set_null") => quote!(SetNull),
        Some("protect") => quote!(Protect),
        Some("restrict") => quote!(Restrict),
        Some("do_nothing") => quote!(DoNothing),
        _ => quote!(Cascade),
    }
}

/// Where errors about a reverse side's forward relation point: the `related` name, or
/// the target type.
fn related_span(f: &Field<'_>, target: &syn::Type) -> proc_macro2::Span {
    match &f.related {
        Some((Some(_), span)) => *span,
        _ => target.span(),
    }
}

/// The marker type a reverse side names: `Named<hash>`, or `Sole` for the only
/// candidate.
fn which(related: &Option<(Option<String>, proc_macro2::Span)>) -> TokenStream {
    match related {
        Some((Some(name), span)) => {
            let hash = super::markers::name_hash(name);
            quote_spanned! {*span=> ::orm::__private::Named<#hash>}
        }
        _ => quote!(::orm::__private::Sole),
    }
}

fn relation_meta(model: &Model<'_>, f: &Field<'_>, column: usize) -> TokenStream {
    let ident = model.ident;
    let name = f.ident.to_string();
    let target = match &f.kind {
        Kind::ForeignKey { target, .. }
        | Kind::HasMany { target }
        | Kind::HasOne { target }
        | Kind::ManyToMany { target } => *target,
        Kind::Column | Kind::OptionalReverse { .. } => unreachable!("only relations have relation metadata"),
    };
    let target_model = quote_spanned! {target.span()=> <#target as ::orm::Model>};
    let kind = match &f.kind {
        Kind::ForeignKey { unique, .. } => {
            let on_delete = on_delete(f);
            quote! { ::orm::RelationKind::ForeignKey { column: #column, on_delete: ::orm::OnDelete::#on_delete, unique: #unique } }
        }
        Kind::HasMany { .. } | Kind::HasOne { .. } => {
            let which = which(&f.related);
            let span = related_span(f, target);
            let index = if matches!(f.kind, Kind::HasMany { .. }) {
                quote_spanned! {span=> ::orm::__private::foreign_key_index::<#target, #ident, #which>() }
            } else {
                quote_spanned! {span=> ::orm::__private::one_to_one_index::<#target, #ident, #which>() }
            };
            quote! { ::orm::RelationKind::Reverse { forward: || &#target_model::META.relations[#index] } }
        }
        Kind::ManyToMany { .. } if f.related.is_some() => {
            let which = which(&f.related);
            let index =
                quote_spanned! {target.span()=> ::orm::__private::many_to_many_index::<#target, #ident, #which>() };
            quote! { ::orm::RelationKind::ReverseManyToMany { forward: || &#target_model::META.relations[#index] } }
        }
        Kind::ManyToMany { .. } => {
            let own = snake_case(&ident.to_string());
            let other = match target {
                syn::Type::Path(p) => {
                    p.path.segments.last().map(|s| snake_case(&s.ident.to_string())).unwrap_or_default()
                }
                _ => String::from("target"),
            };
            let (source, target_col) = if own == other {
                (format!("from_{own}_id"), format!("to_{other}_id"))
            } else {
                (format!("{own}_id"), format!("{other}_id"))
            };
            let (table, through_model) = match &f.through {
                Some(path) => (
                    quote!(<#path as ::orm::Model>::META.table),
                    quote!(::std::option::Option::Some(|| <#path as ::orm::Model>::META)),
                ),
                None => {
                    let table = format!("{}_{}", model.table, name);
                    (quote!(#table), quote!(::std::option::Option::None))
                }
            };
            quote! {
                ::orm::RelationKind::ManyToMany {
                    through: ::orm::Through { table: #table, source: #source, target: #target_col, model: #through_model },
                }
            }
        }
        Kind::Column | Kind::OptionalReverse { .. } => unreachable!("only relations have relation metadata"),
    };
    quote! {
        ::orm::RelationMeta {
            name: #name,
            owner: || <#ident as ::orm::Model>::META,
            target: || #target_model::META,
            kind: #kind,
        }
    }
}
