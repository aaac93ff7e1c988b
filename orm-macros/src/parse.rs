//! `#[orm(...)]` attributes and fields into a typed model description, keeping spans.

use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Ident, Token};

mod meta;

use meta::{default_value, flag, ident_list, max_length, meta_key, non_empty_str, once, recover, unknown};

pub(crate) const STRUCT_ATTRS: &[&str] =
    &["table", "ordering", "unique_together", "index_together", "primary_key", "serde"];
pub(crate) const FIELD_ATTRS: &[&str] = &[
    "column",
    "primary_key",
    "unique",
    "index",
    "default",
    "max_length",
    "on_delete",
    "related",
    "through",
    "auto_now",
    "auto_now_add",
    "serde",
];
const ON_DELETE: &[&str] = &["cascade", "set_null", "protect", "restrict", "do_nothing"];
const SERDE: &[&str] = &["key", "nested", "skip"];

pub(crate) struct Model<'a> {
    pub ident: &'a Ident,
    pub vis: &'a syn::Visibility,
    pub table: String,
    /// `(field name, descending, span of the ordering string)`
    pub ordering: Vec<(String, bool, Span)>,
    pub unique_together: Vec<Vec<Ident>>,
    pub index_together: Vec<Vec<Ident>>,
    /// `#[orm(primary_key(a, b))]`: a composite primary key.
    pub primary_key: Option<Vec<Ident>>,
    /// `#[orm(serde)]`: `Serialize` for the model, `Deserialize` for its `New*` value
    /// (feature `serde`), with where it was written.
    pub serde: Option<Span>,
    pub fields: Vec<Field<'a>>,
}

/// A `default = ..` literal: its SQL form, its kind (checked against the field's
/// type) and where it was written.
pub(crate) struct Default {
    pub sql: String,
    pub kind: LitKind,
    pub span: Span,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LitKind {
    Int,
    Float,
    Bool,
    Str,
}

/// What a field is: a column, or a relation.
pub(crate) enum Kind<'a> {
    /// A plain column.
    Column,
    /// `ForeignKey<T>`, `OneToOne<T>`, or `Option` of either: a column `<field>_id`.
    ForeignKey { target: &'a syn::Type, unique: bool, nullable: bool },
    /// `HasMany<T>`: the reverse side of a ForeignKey on `T`. Not a column.
    HasMany { target: &'a syn::Type },
    /// `HasOne<T>`: the reverse side of a OneToOne on `T`. Not a column.
    HasOne { target: &'a syn::Type },
    /// `ManyToMany<T>`: forward, or reverse with `related`. Not a column.
    ManyToMany { target: &'a syn::Type },
    /// `Option<HasMany<T>>` and the like: an error (they are never nullable).
    OptionalReverse { name: String },
}

pub(crate) struct Field<'a> {
    pub ident: &'a Ident,
    pub vis: &'a syn::Visibility,
    pub ty: &'a syn::Type,
    pub kind: Kind<'a>,
    /// `on_delete = ".."` (ForeignKey, OneToOne).
    pub on_delete: Option<(String, Span)>,
    /// `related = ".."` (the forward field a reverse side names), or `related` alone
    /// (the one candidate), with where it was written.
    pub related: Option<(Option<String>, Span)>,
    /// `through = "Model"` (ManyToMany).
    pub through: Option<syn::Path>,
    pub column: String,
    /// Where the column name came from: the `column = ".."` literal or the field name.
    pub column_span: Span,
    pub primary_key: Option<Span>,
    pub unique: bool,
    pub index: bool,
    pub default: Option<Default>,
    pub max_length: Option<(u32, Span)>,
    /// `serde = "key" | "nested" | "skip"`: how the field serializes (feature `serde`).
    pub serde: Option<(String, Span)>,
    /// `auto_now` (the time of every save) or `auto_now_add` (of the insert), with
    /// where each was written.
    pub auto_now: Option<Span>,
    pub auto_now_add: Option<Span>,
}

impl Field<'_> {
    /// The last path segment of the field's type, with `Option<..>` stripped once.
    fn base_type(&self) -> Option<&syn::PathSegment> {
        let seg = last_segment(self.ty)?;
        if seg.ident != "Option" {
            return Some(seg);
        }
        match &seg.arguments {
            syn::PathArguments::AngleBracketed(args) => match args.args.first() {
                Some(syn::GenericArgument::Type(inner)) => last_segment(inner),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the field is stored in a column (plain or ForeignKey).
    pub fn is_column(&self) -> bool {
        matches!(self.kind, Kind::Column | Kind::ForeignKey { .. })
    }

    /// Whether the type is written `Option<..>`.
    pub fn is_option(&self) -> bool {
        last_segment(self.ty).is_some_and(|s| s.ident == "Option")
    }

    /// `i64` (or `std::primitive::i64`): the type an auto-increment key must have.
    pub fn is_i64(&self) -> bool {
        !self.is_option() && self.base_type().is_some_and(|s| s.ident == "i64" && s.arguments.is_none())
    }

    /// Whether the field is filled with the current time (`auto_now`, `auto_now_add`):
    /// not a field of the insert struct.
    pub fn is_auto_time(&self) -> bool {
        self.auto_now.is_some() || self.auto_now_add.is_some()
    }

    /// Whether the type is one of chrono's that `auto_now` fills: `NaiveDateTime`,
    /// `DateTime<Utc>`, `NaiveDate`, or an `Option` of one.
    pub fn is_time_type(&self) -> bool {
        self.base_type()
            .is_some_and(|s| ["NaiveDateTime", "DateTime", "NaiveDate"].contains(&s.ident.to_string().as_str()))
    }

    /// The field's default as a Rust expression, for `impl Default` of the insert
    /// struct: its `default` literal (in `Some(..)` for an `Option`), or `None` for an
    /// `Option` without one. `None` when the field has no default, or one of a type the
    /// macro cannot build from a literal (its own types, relations).
    pub fn rust_default(&self) -> Option<proc_macro2::TokenStream> {
        let Some(default) = &self.default else {
            return self.is_option().then(|| quote::quote!(::std::option::Option::None));
        };
        let name = self.base_type()?.ident.to_string();
        let float = name == "f32" || name == "f64";
        let integer = ["i8", "i16", "i32", "i64", "u8", "u16", "u32"].contains(&name.as_str());
        // A literal the type cannot hold (`-1` for a `u8`) builds no `Default`: the SQL
        // DEFAULT is what the database makes of it.
        let fits = |n: i128| match name.as_str() {
            "i8" => i8::try_from(n).is_ok(),
            "i16" => i16::try_from(n).is_ok(),
            "i32" => i32::try_from(n).is_ok(),
            "i64" => i64::try_from(n).is_ok(),
            "u8" => u8::try_from(n).is_ok(),
            "u16" => u16::try_from(n).is_ok(),
            "u32" => u32::try_from(n).is_ok(),
            _ => true,
        };
        let value = match default.kind {
            LitKind::Int if integer && !default.sql.parse::<i128>().is_ok_and(fits) => return None,
            LitKind::Int if float => format!("{}.0", default.sql).parse().ok()?,
            LitKind::Int | LitKind::Float if integer || float => default.sql.parse().ok()?,
            LitKind::Bool if name == "bool" => {
                if default.sql == "1" {
                    quote::quote!(true)
                } else {
                    quote::quote!(false)
                }
            }
            LitKind::Str if name == "String" => {
                let text = default.sql[1..default.sql.len() - 1].replace("''", "'");
                quote::quote!(::std::string::String::from(#text))
            }
            _ => return None,
        };
        Some(if self.is_option() { quote::quote!(::std::option::Option::Some(#value)) } else { value })
    }

    /// `String` or `Option<String>`: what `max_length` applies to.
    pub fn is_text(&self) -> bool {
        self.base_type().is_some_and(|s| s.ident == "String")
    }

    /// The name of a primitive the column cannot hold, such as `u64`.
    pub fn unsupported_integer(&self) -> Option<String> {
        let seg = self.base_type()?;
        ["u64", "usize", "isize", "i128", "u128"]
            .contains(&seg.ident.to_string().as_str())
            .then(|| seg.ident.to_string())
    }

    /// Whether a `default` literal of this kind fits the field's type, as far as the
    /// type's name tells (a type the macro does not know is accepted).
    pub fn accepts_default(&self, kind: LitKind) -> bool {
        let Some(seg) = self.base_type() else { return true };
        let name = seg.ident.to_string();
        let integer = ["i8", "i16", "i32", "i64", "u8", "u16", "u32"].contains(&name.as_str());
        let float = name == "f32" || name == "f64";
        match kind {
            LitKind::Int => integer || float || !(name == "String" || name == "bool"),
            LitKind::Float => float || !(integer || name == "String" || name == "bool"),
            LitKind::Bool => name == "bool" || !(integer || float || name == "String"),
            LitKind::Str => !(integer || float || name == "bool"),
        }
    }
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
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
        primary_key: None,
        serde: None,
        fields: Vec::new(),
    };
    let mut seen = Vec::new();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("orm")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta_key(&meta);
            let outcome = match key.as_str() {
                "table" => once(&mut seen, &meta, &key)
                    .and_then(|()| non_empty_str(&meta, &key, "book"))
                    .map(|lit| model.table = lit.value()),
                "ordering" => {
                    once(&mut seen, &meta, &key).and_then(|()| non_empty_str(&meta, &key, "-year, title")).map(|lit| {
                        for part in lit.value().split(',').map(str::trim).filter(|p| !p.is_empty()) {
                            let (desc, name) = match part.strip_prefix('-') {
                                Some(name) => (true, name),
                                None => (false, part),
                            };
                            model.ordering.push((name.to_owned(), desc, lit.span()));
                        }
                    })
                }
                "primary_key" => once(&mut seen, &meta, &key)
                    .and_then(|()| ident_list(&meta, &key))
                    .map(|fields| model.primary_key = Some(fields)),
                "serde" => flag(&mut seen, &meta, &key).map(|()| model.serde = Some(meta.path.span())),
                "unique_together" | "index_together" => ident_list(&meta, &key).map(|group| {
                    if key == "unique_together" {
                        model.unique_together.push(group);
                    } else {
                        model.index_together.push(group);
                    }
                }),
                _ => Err(unknown(&meta, &key, STRUCT_ATTRS, "struct")),
            };
            recover(cx, &meta, outcome)
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
    let kind = relation_kind(&field.ty);
    let name = ident.to_string().trim_start_matches("r#").to_owned();
    let column = if matches!(kind, Kind::ForeignKey { .. }) { format!("{name}_id") } else { name };
    let mut out = Field {
        ident,
        vis: &field.vis,
        ty: &field.ty,
        kind,
        on_delete: None,
        related: None,
        through: None,
        column,
        column_span: ident.span(),
        primary_key: None,
        unique: false,
        index: false,
        default: None,
        max_length: None,
        serde: None,
        auto_now: None,
        auto_now_add: None,
    };
    let mut seen = Vec::new();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("orm")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta_key(&meta);
            let outcome = match key.as_str() {
                "column" => once(&mut seen, &meta, &key).and_then(|()| non_empty_str(&meta, &key, "name")).map(|lit| {
                    out.column = lit.value();
                    out.column_span = lit.span();
                }),
                "primary_key" => flag(&mut seen, &meta, &key).map(|()| out.primary_key = Some(meta.path.span())),
                "unique" => flag(&mut seen, &meta, &key).map(|()| out.unique = true),
                "index" => flag(&mut seen, &meta, &key).map(|()| out.index = true),
                "auto_now" => flag(&mut seen, &meta, &key).map(|()| out.auto_now = Some(meta.path.span())),
                "auto_now_add" => flag(&mut seen, &meta, &key).map(|()| out.auto_now_add = Some(meta.path.span())),
                "default" => {
                    once(&mut seen, &meta, &key).and_then(|()| default_value(&meta)).map(|d| out.default = Some(d))
                }
                "max_length" => {
                    once(&mut seen, &meta, &key).and_then(|()| max_length(&meta)).map(|m| out.max_length = Some(m))
                }
                "on_delete" => {
                    once(&mut seen, &meta, &key).and_then(|()| non_empty_str(&meta, &key, "cascade")).and_then(|lit| {
                        let value = lit.value();
                        if ON_DELETE.contains(&value.as_str()) {
                            out.on_delete = Some((value, lit.span()));
                            Ok(())
                        } else {
                            Err(syn::Error::new(
                                lit.span(),
                                format!(
                                    "unknown `on_delete` value `{value}`; expected one of: {}",
                                    ON_DELETE.join(", ")
                                ),
                            ))
                        }
                    })
                }
                "serde" => once(&mut seen, &meta, &key).and_then(|()| non_empty_str(&meta, &key, "nested")).and_then(
                    |lit| {
                        let value = lit.value();
                        if SERDE.contains(&value.as_str()) {
                            out.serde = Some((value, lit.span()));
                            Ok(())
                        } else {
                            Err(syn::Error::new(
                                lit.span(),
                                format!("unknown `serde` value `{value}`; expected one of: {}", SERDE.join(", ")),
                            ))
                        }
                    },
                ),
                "related" => once(&mut seen, &meta, &key).and_then(|()| {
                    if meta.input.peek(Token![=]) {
                        let lit = non_empty_str(&meta, &key, "author")?;
                        out.related = Some((Some(lit.value()), lit.span()));
                    } else {
                        out.related = Some((None, meta.path.span()));
                    }
                    Ok(())
                }),
                "through" => once(&mut seen, &meta, &key)
                    .and_then(|()| non_empty_str(&meta, &key, "Membership"))
                    .and_then(|lit| lit.parse::<syn::Path>())
                    .map(|path| out.through = Some(path)),
                // Django's `null=True`: here the type says it.
                "null" => Err(syn::Error::new_spanned(
                    &meta.path,
                    format!(
                        "`null` is Django's field option; here a nullable column is an `Option` field: write its type as `Option<{}>`",
                        quote::ToTokens::to_token_stream(out.ty)
                    ),
                )),
                _ => Err(unknown(&meta, &key, FIELD_ATTRS, "field")),
            };
            recover(cx, &meta, outcome)
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

/// The relation a field's type names, by its last path segment.
fn relation_kind(ty: &syn::Type) -> Kind<'_> {
    fn generic_arg(seg: &syn::PathSegment) -> Option<&syn::Type> {
        match &seg.arguments {
            syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match args.args.first() {
                Some(syn::GenericArgument::Type(t)) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }
    let Some(seg) = last_segment(ty) else { return Kind::Column };
    let (seg, nullable) = if seg.ident == "Option" {
        match generic_arg(seg).and_then(last_segment) {
            Some(inner) if ["HasMany", "HasOne", "ManyToMany"].contains(&inner.ident.to_string().as_str()) => {
                return Kind::OptionalReverse { name: inner.ident.to_string() };
            }
            Some(inner) => (inner, true),
            None => return Kind::Column,
        }
    } else {
        (seg, false)
    };
    let Some(target) = generic_arg(seg) else { return Kind::Column };
    match seg.ident.to_string().as_str() {
        "ForeignKey" => Kind::ForeignKey { target, unique: false, nullable },
        "OneToOne" => Kind::ForeignKey { target, unique: true, nullable },
        "HasMany" if !nullable => Kind::HasMany { target },
        "HasOne" if !nullable => Kind::HasOne { target },
        "ManyToMany" if !nullable => Kind::ManyToMany { target },
        _ => Kind::Column,
    }
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
