//! The values of `#[orm(..)]` keys: flags, strings, identifier lists, `max_length`,
//! `default` literals, and the errors of unknown or repeated keys.

use super::{Default, LitKind};
use crate::ctxt::{did_you_mean, Ctxt};
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Token};

pub(super) fn meta_key(meta: &ParseNestedMeta<'_>) -> String {
    meta.path.get_ident().map(Ident::to_string).unwrap_or_default()
}

/// Records a key's error and skips the rest of its value, so that the attribute's
/// other keys are still checked and every problem is reported at once.
pub(super) fn recover(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>, outcome: syn::Result<()>) -> syn::Result<()> {
    if let Err(err) = outcome {
        cx.syn_error(err);
        let input = meta.input;
        if input.peek(syn::token::Paren) {
            let _content;
            syn::parenthesized!(_content in input);
        }
        while !input.is_empty() && !input.peek(Token![,]) {
            input.parse::<proc_macro2::TokenTree>()?;
        }
    }
    Ok(())
}

/// An unknown key, with a did-you-mean.
pub(super) fn unknown(meta: &ParseNestedMeta<'_>, key: &str, known: &[&str], place: &str) -> syn::Error {
    let mut message = format!("unknown `orm` {place} attribute `{key}`");
    match did_you_mean(key, known) {
        Some(guess) => message.push_str(&format!("; did you mean `{guess}`?")),
        None => message.push_str(&format!("; expected one of: {}", known.join(", "))),
    }
    syn::Error::new_spanned(&meta.path, message)
}

/// A key given twice.
pub(super) fn once(seen: &mut Vec<String>, meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
    if seen.iter().any(|k| k == key) {
        return Err(syn::Error::new_spanned(&meta.path, format!("duplicate `orm` attribute `{key}`; give it once")));
    }
    seen.push(key.to_owned());
    Ok(())
}

/// A flag such as `unique`: no value.
pub(super) fn flag(seen: &mut Vec<String>, meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
    once(seen, meta, key)?;
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format!("`{key}` is a flag and takes no value: write #[orm({key})]"),
        ));
    }
    Ok(())
}

/// `key = "text"`, not empty.
pub(super) fn non_empty_str(meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> syn::Result<LitStr> {
    let form = format!("`{key}` takes a string: #[orm({key} = \"{example}\")]");
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new_spanned(&meta.path, form));
    }
    let lit: LitStr = meta.value()?.parse().map_err(|e| syn::Error::new(e.span(), &form))?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(lit.span(), format!("`{key}` cannot be empty")));
    }
    Ok(lit)
}

/// `unique_together(a, b)`: two or more distinct field names.
pub(super) fn ident_list(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<Vec<Ident>> {
    let form = format!("`{key}` takes field names in parentheses: #[orm({key}(field_a, field_b))]");
    if !meta.input.peek(syn::token::Paren) {
        return Err(syn::Error::new_spanned(&meta.path, form));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let idents: Vec<Ident> = content
        .parse_terminated(<Ident as syn::parse::Parse>::parse, Token![,])
        .map_err(|e| syn::Error::new(e.span(), &form))?
        .into_iter()
        .collect();
    if idents.len() < 2 {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format!("`{key}` needs at least two fields; for one, use the field's own `unique`/`index`"),
        ));
    }
    for (i, id) in idents.iter().enumerate() {
        if idents[..i].contains(id) {
            return Err(syn::Error::new(id.span(), format!("`{id}` appears twice in `{key}`")));
        }
    }
    Ok(idents)
}

/// `max_length = N` with N > 0.
pub(super) fn max_length(meta: &ParseNestedMeta<'_>) -> syn::Result<(u32, Span)> {
    const FORM: &str = "`max_length` takes a positive integer: #[orm(max_length = 200)]";
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new_spanned(&meta.path, FORM));
    }
    let lit: syn::LitInt = meta.value()?.parse().map_err(|e| syn::Error::new(e.span(), FORM))?;
    let n: u32 = lit.base10_parse().map_err(|e| syn::Error::new(e.span(), FORM))?;
    if n == 0 {
        return Err(syn::Error::new(lit.span(), FORM));
    }
    Ok((n, lit.span()))
}

/// `default = 0`, `-1`, `1.5`, `true` or `"text"`, kept as a typed literal.
pub(super) fn default_value(meta: &ParseNestedMeta<'_>) -> syn::Result<Default> {
    const FORM: &str = "`default` takes an integer, float, bool or string literal: #[orm(default = 0)]";
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new_spanned(&meta.path, FORM));
    }
    let input = meta.value()?;
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let lit: syn::Lit = input.parse().map_err(|e| syn::Error::new(e.span(), FORM))?;
    let sign = if negative { "-" } else { "" };
    let (sql, kind) = match &lit {
        syn::Lit::Int(i) => (format!("{sign}{}", i.base10_digits()), LitKind::Int),
        syn::Lit::Float(f) => (format!("{sign}{}", f.base10_digits()), LitKind::Float),
        syn::Lit::Bool(b) if !negative => ((if b.value { "1" } else { "0" }).to_owned(), LitKind::Bool),
        syn::Lit::Str(s) if !negative => (format!("'{}'", s.value().replace('\'', "''")), LitKind::Str),
        _ => return Err(syn::Error::new(lit.span(), FORM)),
    };
    Ok(Default { sql, kind, span: meta.path.span().join(lit.span()).unwrap_or(lit.span()) })
}
