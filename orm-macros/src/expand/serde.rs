//! The model's `Serialize` and its `New*` value's `Deserialize` for a model that asks
//! with `#[orm(serde)]`, written inside `orm::__serde!`: with orm's `serde` feature it
//! keeps them, without it it is a compile error naming the feature (the derive itself
//! has no feature to agree with orm's). Asked per model, so that a crate turning the
//! feature on for its models asks nothing of another crate's (their field types need
//! not be serde types).

use super::Names;
use crate::parse::{Field, Model};
use crate::validate::Resolved;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

pub(crate) fn expand(model: &Model<'_>, resolved: &Resolved, names: &Names) -> TokenStream {
    let Some(asked) = model.serde else { return TokenStream::new() };
    let ident = model.ident;
    let new_ident = &names.new;
    let name = ident.to_string();
    let shown: Vec<_> = model.fields.iter().filter(|f| mode(f) != "skip").collect();
    let count = shown.len();
    let serialize = shown.iter().map(|f| {
        let field = f.ident;
        let key = field.to_string().trim_start_matches("r#").to_owned();
        if mode(f) == "nested" {
            quote! { state.serialize_field(#key, &::orm::__private::Nested(&self.#field))?; }
        } else {
            quote! { state.serialize_field(#key, &self.#field)?; }
        }
    });
    let is_auto_pk = |i: usize| resolved.auto_pk && i == resolved.pk_field;
    // The fields of `New*`: every column but the auto key and the auto_now times.
    let inserted: Vec<_> = model
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| f.is_column() && !is_auto_pk(*i) && !f.is_auto_time())
        .map(|(_, f)| f)
        .collect();
    // serde reads a missing `Option` field (a nullable column left out) as `None`.
    let shadow = inserted.iter().map(|f| {
        let (field, ty) = (f.ident, f.ty);
        quote! { #field: #ty }
    });
    let moved = inserted.iter().map(|f| {
        let field = f.ident;
        quote! { #field: value.#field }
    });
    quote_spanned! {asked=>
        ::orm::__serde! {
            impl ::orm::__private::serde::Serialize for #ident {
                fn serialize<__S: ::orm::__private::serde::Serializer>(
                    &self,
                    serializer: __S,
                ) -> ::core::result::Result<__S::Ok, __S::Error> {
                    use ::orm::__private::serde::ser::SerializeStruct as _;
                    let mut state = serializer.serialize_struct(#name, #count)?;
                    #(#serialize)*
                    state.end()
                }
            }

            impl<'de> ::orm::__private::serde::Deserialize<'de> for #new_ident {
                fn deserialize<__D: ::orm::__private::serde::Deserializer<'de>>(
                    deserializer: __D,
                ) -> ::core::result::Result<Self, __D::Error> {
                    #[derive(::orm::__private::serde::Deserialize)]
                    #[serde(crate = "::orm::__private::serde", rename = #name)]
                    struct Shadow {
                        #(#shadow,)*
                    }
                    let value = <Shadow as ::orm::__private::serde::Deserialize<'de>>::deserialize(deserializer)?;
                    ::core::result::Result::Ok(#new_ident { #(#moved,)* })
                }
            }
        }
    }
}

/// How a field serializes: `key` (a ForeignKey's default; plain values as they are),
/// `nested` or `skip`.
fn mode<'a>(f: &'a Field<'_>) -> &'a str {
    f.serde.as_ref().map_or("key", |(m, _)| m.as_str())
}
