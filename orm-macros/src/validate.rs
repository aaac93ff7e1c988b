//! Cross-field checks, all reported together: primary key, duplicate columns, option
//! targets.

use crate::ctxt::{did_you_mean, Ctxt};
use crate::parse::Model;
use std::collections::HashMap;

/// What validation resolves for expansion.
pub(crate) struct Resolved {
    pub pk: usize,
    pub auto_pk: bool,
    pub ordering: Vec<(usize, bool)>,
    pub unique_together: Vec<Vec<usize>>,
    pub index_together: Vec<Vec<usize>>,
}

pub(crate) fn check(cx: &mut Ctxt, model: &Model<'_>) -> Option<Resolved> {
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (i, f) in model.fields.iter().enumerate() {
        if let Some(first) = columns.insert(&f.column, i) {
            cx.error_at(
                f.column_span,
                format!(
                    "duplicate column name `{}`: field `{}` already uses it; rename one with #[orm(column = \"...\")]",
                    f.column, model.fields[first].ident
                ),
            );
        }
        if let Some(name) = f.unsupported_integer() {
            cx.error(
                f.ty,
                format!("`{name}` cannot be stored in an SQLite column, which holds signed 64-bit integers: use `i64`"),
            );
        }
        if let Some(default) = &f.default {
            if !f.accepts_default(default.kind) {
                cx.error_at(
                    default.span,
                    format!(
                        "this `default` does not fit the field's type `{}`",
                        quote::ToTokens::to_token_stream(f.ty)
                    ),
                );
            }
        }
        if let Some((_, span)) = f.max_length {
            if !f.is_text() {
                cx.error_at(span, "`max_length` applies only to `String` and `Option<String>` fields");
            }
        }
    }

    let explicit: Vec<usize> =
        model.fields.iter().enumerate().filter(|(_, f)| f.primary_key.is_some()).map(|(i, _)| i).collect();
    let pk = match explicit.as_slice() {
        [] => {
            let id = model.fields.iter().position(|f| f.ident == "id");
            match id {
                Some(i) if model.fields[i].is_i64() => Some((i, true)),
                Some(i) => {
                    cx.error(
                        model.fields[i].ty,
                        "an auto-increment primary key `id` must be written `i64`; to use another type as the key, mark the field #[orm(primary_key)]",
                    );
                    None
                }
                None => {
                    cx.error(
                        model.ident,
                        format!(
                            "model `{}` has no primary key: add a field `id: i64` (auto-increment) or mark one field #[orm(primary_key)]",
                            model.ident
                        ),
                    );
                    None
                }
            }
        }
        [one] => {
            if model.fields[*one].is_option() {
                cx.error(model.fields[*one].ty, "a primary key cannot be nullable: remove the `Option`");
            }
            Some((*one, false))
        }
        [first, rest @ ..] => {
            for &i in rest {
                cx.error_at(
                    model.fields[i].primary_key.expect("marked"),
                    format!(
                        "model `{}` has two primary keys: `{}` is already the primary key; remove one #[orm(primary_key)]",
                        model.ident, model.fields[*first].ident
                    ),
                );
            }
            None
        }
    };

    let field_names: Vec<String> = model.fields.iter().map(|f| f.ident.to_string()).collect();
    let names: Vec<&str> = field_names.iter().map(String::as_str).collect();
    let lookup = |cx: &mut Ctxt, name: &str, span: proc_macro2::Span, what: &str| -> Option<usize> {
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            let hint = did_you_mean(name, &names).map(|g| format!("; did you mean `{g}`?")).unwrap_or_default();
            cx.error_at(span, format!("{what} names `{name}`, which is not a field of `{}`{hint}", model.ident));
        }
        found
    };
    let ordering: Vec<(usize, bool)> = model
        .ordering
        .iter()
        .filter_map(|(name, desc, span)| lookup(cx, name, *span, "`ordering`").map(|i| (i, *desc)))
        .collect();
    let groups = |cx: &mut Ctxt, groups: &[Vec<syn::Ident>], what: &str| -> Vec<Vec<usize>> {
        groups
            .iter()
            .map(|g| g.iter().filter_map(|id| lookup(cx, &id.to_string(), id.span(), what)).collect())
            .collect()
    };
    let unique_together = groups(cx, &model.unique_together, "`unique_together`");
    let index_together = groups(cx, &model.index_together, "`index_together`");

    let (pk, auto_pk) = pk?;
    if let Some(default) = model.fields[pk].default.as_ref().filter(|_| auto_pk) {
        cx.error_at(
            default.span,
            "an auto-increment primary key cannot have a `default`: remove it, SQLite assigns the key",
        );
    }
    Some(Resolved { pk, auto_pk, ordering, unique_together, index_together })
}
