//! `#[orm(...)]` attributes and fields into a typed model description, keeping spans.

use crate::ctxt::{did_you_mean, Ctxt};
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Token};

pub(crate) const STRUCT_ATTRS: &[&str] = &["table", "ordering", "unique_together", "index_together"];
pub(crate) const FIELD_ATTRS: &[&str] = &["column", "primary_key", "unique", "index", "default", "max_length"];

pub(crate) struct Model<'a> {
    pub ident: &'a Ident,
    pub vis: &'a syn::Visibility,
    pub table: String,
    /// `(field name, descending, span of the ordering string)`
    pub ordering: Vec<(String, bool, Span)>,
    pub unique_together: Vec<Vec<Ident>>,
    pub index_together: Vec<Vec<Ident>>,
    pub fields: Vec<Field<'a>>,
}

pub(crate) struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a syn::Type,
    pub column: String,
    /// Where the column name came from: the `column = ".."` literal or the field name.
    pub column_span: Span,
    pub primary_key: Option<Span>,
    pub unique: bool,
    pub index: bool,
    /// An SQL literal.
    pub default: Option<String>,
    pub max_length: Option<(u32, Span)>,
}

impl Field<'_> {
    /// `i64` written as such: the type an auto-increment key must have.
    pub fn is_i64(&self) -> bool {
        matches!(self.ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("i64"))
    }

    /// `String` or `Option<String>`, syntactically: what `max_length` applies to.
    pub fn is_text(&self) -> bool {
        fn last_ident(ty: &syn::Type) -> Option<&syn::PathSegment> {
            match ty {
                syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
                _ => None,
            }
        }
        let Some(seg) = last_ident(self.ty) else { return false };
        if seg.ident == "String" {
            return true;
        }
        if seg.ident == "Option" {
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                    return last_ident(inner).is_some_and(|s| s.ident == "String");
                }
            }
        }
        false
    }
}

/// Parses the derive input. Problems go to `cx`; the result is `None` only when the
/// input is not a struct with named fields.
pub(crate) fn model<'a>(cx: &mut Ctxt, input: &'a syn::DeriveInput) -> Option<Model<'a>> {
    let named = match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => Some(named),
            syn::Fields::Unnamed(f) => {
                cx.error(f, "#[derive(Model)] needs a struct with named fields; a tuple struct has no column names");
                None
            }
            syn::Fields::Unit => {
                cx.error(
                    &input.ident,
                    "#[derive(Model)] needs a struct with named fields; a unit struct has no columns",
                );
                None
            }
        },
        syn::Data::Enum(e) => {
            cx.error_at(
                e.enum_token.span,
                "#[derive(Model)] works on structs, not enums; to store an enum in a column, implement `orm::FieldType` for it",
            );
            None
        }
        syn::Data::Union(u) => {
            cx.error_at(u.union_token.span, "#[derive(Model)] works on structs, not unions");
            None
        }
    };
    if !input.generics.params.is_empty() {
        cx.error(&input.generics, "#[derive(Model)] does not support generic structs: a model maps to one table");
    }
    let named = named?;

    let mut model = Model {
        ident: &input.ident,
        vis: &input.vis,
        table: snake_case(&input.ident.to_string()),
        ordering: Vec::new(),
        unique_together: Vec::new(),
        index_together: Vec::new(),
        fields: Vec::new(),
    };
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("orm")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta_key(&meta);
            match key.as_str() {
                "table" => model.table = meta.value()?.parse::<LitStr>()?.value(),
                "ordering" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    for part in lit.value().split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        let (desc, name) = match part.strip_prefix('-') {
                            Some(name) => (true, name),
                            None => (false, part),
                        };
                        model.ordering.push((name.to_owned(), desc, lit.span()));
                    }
                }
                "unique_together" | "index_together" => {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let idents = content.parse_terminated(<Ident as syn::parse::Parse>::parse, Token![,])?;
                    let group = idents.into_iter().collect();
                    if key == "unique_together" {
                        model.unique_together.push(group);
                    } else {
                        model.index_together.push(group);
                    }
                }
                _ => unknown(cx, &meta, &key, STRUCT_ATTRS, "struct")?,
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    for field in &named.named {
        model.fields.push(parse_field(cx, field));
    }
    Some(model)
}

fn parse_field<'a>(cx: &mut Ctxt, field: &'a syn::Field) -> Field<'a> {
    let ident = field.ident.as_ref().expect("named field");
    let mut out = Field {
        ident,
        ty: &field.ty,
        column: ident.to_string().trim_start_matches("r#").to_owned(),
        column_span: ident.span(),
        primary_key: None,
        unique: false,
        index: false,
        default: None,
        max_length: None,
    };
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("orm")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta_key(&meta);
            match key.as_str() {
                "column" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    out.column = lit.value();
                    out.column_span = lit.span();
                }
                "primary_key" => out.primary_key = Some(meta.path.span()),
                "unique" => out.unique = true,
                "index" => out.index = true,
                "default" => out.default = Some(sql_literal(meta.value()?)?),
                "max_length" => {
                    let lit: syn::LitInt = meta.value()?.parse()?;
                    out.max_length = Some((lit.base10_parse()?, lit.span()));
                }
                _ => unknown(cx, &meta, &key, FIELD_ATTRS, "field")?,
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

fn meta_key(meta: &ParseNestedMeta<'_>) -> String {
    meta.path.get_ident().map(Ident::to_string).unwrap_or_default()
}

/// Reports an unknown key (with a did-you-mean) and skips its value so that the
/// attribute's other keys are still checked.
fn unknown(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>, key: &str, known: &[&str], place: &str) -> syn::Result<()> {
    let mut message = format!("unknown `orm` {place} attribute `{key}`");
    match did_you_mean(key, known) {
        Some(guess) => message.push_str(&format!("; did you mean `{guess}`?")),
        None => message.push_str(&format!("; expected one of: {}", known.join(", "))),
    }
    cx.error(&meta.path, message);
    let input = meta.input;
    if input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in input);
    } else if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        while !input.is_empty() && !input.peek(Token![,]) {
            input.parse::<proc_macro2::TokenTree>()?;
        }
    }
    Ok(())
}

/// `default = 0`, `-1`, `1.5`, `true` or `"text"`, as an SQL literal for the DDL.
fn sql_literal(input: syn::parse::ParseStream<'_>) -> syn::Result<String> {
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let lit: syn::Lit = input.parse()?;
    let sign = if negative { "-" } else { "" };
    Ok(match &lit {
        syn::Lit::Int(i) => format!("{sign}{}", i.base10_digits()),
        syn::Lit::Float(f) => format!("{sign}{}", f.base10_digits()),
        syn::Lit::Bool(b) if !negative => (if b.value { "1" } else { "0" }).to_owned(),
        syn::Lit::Str(s) if !negative => format!("'{}'", s.value().replace('\'', "''")),
        _ => return Err(syn::Error::new(lit.span(), "`default` takes an integer, float, bool or string literal")),
    })
}

/// `BookReview` -> `book_review`
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0 && (prev_lower || (next_lower && chars[i - 1].is_uppercase())) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_case_of_struct_names() {
        assert_eq!(snake_case("Book"), "book");
        assert_eq!(snake_case("BookReview"), "book_review");
        assert_eq!(snake_case("HTTPLog"), "http_log");
        assert_eq!(snake_case("Item2Tag"), "item2_tag");
    }
}
