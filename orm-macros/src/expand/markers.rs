//! The marker impls that let a reverse side find the relation it reverses:
//! `impl ForeignKeyTo<Author, Named<hash("author")>> for Book`, and, for the only
//! ForeignKey (OneToOne, ManyToMany) of `Book` to `Author`, the same with `Sole`, which
//! a bare `#[orm(related)]` names.
//!
//! They depend on the parsed fields only, so a model whose derive fails still emits
//! them: the models pointing at it then see no follow-on errors.

use crate::parse::{Field, Kind, Model};
use proc_macro2::TokenStream;
use quote::quote;

/// FNV-1a of a field's name: tells relations apart in the marker traits.
pub(crate) fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The marker trait a forward relation field implements, and its target.
fn marker<'a>(f: &Field<'a>) -> Option<(TokenStream, &'a syn::Type)> {
    match &f.kind {
        Kind::ForeignKey { target, unique: false, .. } => Some((quote!(ForeignKeyTo), *target)),
        Kind::ForeignKey { target, unique: true, .. } => Some((quote!(OneToOneTo), *target)),
        Kind::ManyToMany { target } if f.related.is_none() => Some((quote!(ManyToManyTo), *target)),
        _ => None,
    }
}

/// How the targets of two relations are compared: by the type's last name, so that
/// `Author` and `crate::Author` are one target (two types of one name then count as
/// one too, and a bare `related` asks for the field's name).
fn target_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
        other => quote!(#other).to_string(),
    }
}

pub(crate) fn expand(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    // Relations are numbered in field order, as `validate` numbers them.
    let relations: Vec<(usize, &Field<'_>)> =
        model.fields.iter().filter(|f| !matches!(f.kind, Kind::Column)).enumerate().collect();
    let forward: Vec<(usize, &Field<'_>, TokenStream, &syn::Type)> =
        relations.iter().filter_map(|&(r, f)| marker(f).map(|(m, t)| (r, f, m, t))).collect();
    let impls = forward.iter().map(|(r, f, marker, target)| {
        let hash = name_hash(&f.ident.to_string());
        let key = (marker.to_string(), target_name(target));
        let sole = forward.iter().filter(|(_, _, m, t)| (m.to_string(), target_name(t)) == key).count() == 1;
        let sole = sole.then(|| {
            quote! {
                #[diagnostic::do_not_recommend]
                impl ::orm::__private::#marker<#target, ::orm::__private::Sole> for #ident {
                    const INDEX: usize = #r;
                }
            }
        });
        quote! {
            #[diagnostic::do_not_recommend]
            impl ::orm::__private::#marker<#target, ::orm::__private::Named<#hash>> for #ident {
                const INDEX: usize = #r;
            }
            #sole
        }
    });
    quote! { #(#impls)* }
}
