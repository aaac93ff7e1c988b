//! `#[orm::queryset(Model)]`: a trait of custom QuerySet methods, written with default
//! bodies, becomes a trait implemented for `QuerySet<Model>`, so that the methods
//! chain with each other and with every built-in one.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let model: syn::Type = match syn::parse2(attr) {
        Ok(model) => model,
        Err(_) => {
            return syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[orm::queryset(Model)] names the model whose QuerySet gets the methods",
            )
            .to_compile_error()
        }
    };
    let mut tr: syn::ItemTrait = match syn::parse2(item) {
        Ok(tr) => tr,
        Err(err) => {
            return syn::Error::new(err.span(), "#[orm::queryset(Model)] applies to a trait of QuerySet methods")
                .to_compile_error()
        }
    };
    let mut errors = TokenStream::new();
    let mut bodies = Vec::new();
    for item in &mut tr.items {
        match item {
            syn::TraitItem::Fn(f) => match f.default.take() {
                Some(body) => {
                    let sig = f.sig.clone();
                    let attrs = f.attrs.iter().filter(|a| !a.path().is_ident("doc"));
                    bodies.push(quote! { #(#attrs)* #sig #body });
                    strip_trait_patterns(&mut f.sig);
                }
                None => {
                    // The error, and a placeholder body so that the impl is complete and
                    // the error is the only one.
                    let sig = f.sig.clone();
                    bodies.push(quote! { #sig { ::std::unreachable!() } });
                    errors.extend(
                        syn::Error::new(
                            f.sig.ident.span(),
                            format!(
                                "`{}` needs a body: every method of a #[orm::queryset] trait is written in the trait",
                                f.sig.ident
                            ),
                        )
                        .to_compile_error(),
                    )
                }
            },
            other => errors.extend(
                syn::Error::new(other.span(), "a #[orm::queryset] trait holds only methods").to_compile_error(),
            ),
        }
    }
    tr.supertraits.push(syn::parse_quote!(::std::marker::Sized));
    let ident = &tr.ident;
    let (impl_generics, ty_generics, where_clause) = tr.generics.split_for_impl();
    quote! {
        #errors
        #tr
        impl #impl_generics #ident #ty_generics for ::orm::QuerySet<#model> #where_clause {
            #(#bodies)*
        }
    }
}

/// A method declaration without a body cannot bind patterns (`mut x`, `(a, b)`): keep
/// plain names and replace the rest; the impl keeps the original signature.
fn strip_trait_patterns(sig: &mut syn::Signature) {
    for input in sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(arg) = input {
            match &mut *arg.pat {
                syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.mutability = None,
                _ => *arg.pat = syn::parse_quote!(__orm_arg),
            }
        }
    }
}
