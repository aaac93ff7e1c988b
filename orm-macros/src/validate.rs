//! Cross-field checks, all reported together: primary key, duplicate columns, option
//! targets.

use crate::ctxt::{did_you_mean, Ctxt};
use crate::parse::{Kind, Model};
use std::collections::HashMap;

/// What validation resolves for expansion.
pub(crate) struct Resolved {
    /// The primary key's field index (the first of a composite key).
    pub pk_field: usize,
    /// The primary key's column index (the first of a composite key).
    pub pk: usize,
    /// Every primary key field, and column.
    pub pk_fields: Vec<usize>,
    pub pk_columns: Vec<usize>,
    /// Per field, its column index (`None`: not a column).
    pub column_of: Vec<Option<usize>>,
    /// Per field, its relation index (`None`: not a relation).
    pub relation_of: Vec<Option<usize>>,
    pub auto_pk: bool,
    pub ordering: Vec<(usize, bool)>,
    pub unique_together: Vec<Vec<usize>>,
    pub index_together: Vec<Vec<usize>>,
}

pub(crate) fn check(cx: &mut Ctxt, model: &Model<'_>) -> Option<Resolved> {
    let mut columns: HashMap<&str, usize> = HashMap::new();
    let mut column_of = Vec::new();
    let mut relation_of = Vec::new();
    let (mut n_columns, mut n_relations) = (0, 0);
    for f in &model.fields {
        column_of.push(f.is_column().then(|| {
            n_columns += 1;
            n_columns - 1
        }));
        relation_of.push((!matches!(f.kind, Kind::Column)).then(|| {
            n_relations += 1;
            n_relations - 1
        }));
        check_relation_options(cx, f);
    }
    for (i, f) in model.fields.iter().enumerate().filter(|(_, f)| f.is_column()) {
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
        let auto = [(f.auto_now, "auto_now"), (f.auto_now_add, "auto_now_add")];
        for (span, name) in auto.iter().filter_map(|(span, name)| Some(((*span)?, *name))) {
            if !f.is_time_type() {
                cx.error_at(
                    span,
                    format!("`{name}` applies to a chrono `NaiveDateTime`, `DateTime<Utc>` or `NaiveDate` field"),
                );
            } else if f.auto_now.is_some() && f.auto_now_add.is_some() && name == "auto_now_add" {
                cx.error_at(span, "`auto_now` and `auto_now_add` are mutually exclusive: keep one");
            } else if f.default.is_some() {
                cx.error_at(
                    span,
                    format!(
                        "`{name}` and `default` are mutually exclusive: the field is always set to the current time"
                    ),
                );
            } else if f.primary_key.is_some() {
                cx.error_at(span, format!("`{name}` does not apply to a primary key"));
            }
        }
        if let Some((_, span)) = f.max_length {
            if !f.is_text() {
                cx.error_at(span, "`max_length` applies only to `String` and `Option<String>` fields");
            }
        }
    }

    let mut explicit: Vec<usize> =
        model.fields.iter().enumerate().filter(|(_, f)| f.primary_key.is_some()).map(|(i, _)| i).collect();
    let mut composite = Vec::new();
    if let Some(names) = &model.primary_key {
        if let Some(&i) = explicit.first() {
            cx.error_at(
                model.fields[i].primary_key.expect("marked"),
                "a field-level #[orm(primary_key)] cannot be combined with the struct's #[orm(primary_key(..))]",
            );
        }
        for name in names {
            match model.fields.iter().position(|f| f.ident == name) {
                Some(i) if model.fields[i].is_column() && !model.fields[i].is_option() => composite.push(i),
                Some(_) => {
                    cx.error(name, format!("`{name}` cannot be part of the primary key: it must be a non-null column"))
                }
                None => {
                    cx.error(name, format!("`primary_key` names `{name}`, which is not a field of `{}`", model.ident))
                }
            }
        }
        if let Some(f) = model
            .fields
            .iter()
            .find(|f| matches!(f.kind, Kind::HasMany { .. } | Kind::HasOne { .. } | Kind::ManyToMany { .. }))
        {
            cx.error(
                f.ident,
                "a model with a composite primary key cannot have HasMany, HasOne or ManyToMany fields: nothing can point at it",
            );
        }
        explicit.clear();
    }
    let pk = match explicit.as_slice() {
        [] if !composite.is_empty() => Some((composite[0], false)),
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
        if let Some(i) = found {
            if !model.fields[i].is_column() {
                cx.error_at(
                    span,
                    format!("{what} names `{name}`, a relation that is not a column of `{}`", model.ident),
                );
                return None;
            }
            return column_of[i];
        }
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

    let (pk_field, auto_pk) = pk?;
    if let Some(default) = model.fields[pk_field].default.as_ref().filter(|_| auto_pk) {
        cx.error_at(
            default.span,
            "an auto-increment primary key cannot have a `default`: remove it, SQLite assigns the key",
        );
    }
    if composite.is_empty() && !matches!(model.fields[pk_field].kind, Kind::Column) {
        cx.error(model.fields[pk_field].ty, "a relation cannot be the primary key: use a plain column");
        return None;
    }
    let pk = column_of[pk_field].expect("a column");
    let pk_fields = if composite.is_empty() { vec![pk_field] } else { composite };
    let pk_columns = pk_fields.iter().map(|&f| column_of[f].expect("a column")).collect();
    Some(Resolved {
        pk_field,
        pk,
        pk_fields,
        pk_columns,
        column_of,
        relation_of,
        auto_pk,
        ordering,
        unique_together,
        index_together,
    })
}

/// Options that belong to one kind of field only.
fn check_relation_options(cx: &mut Ctxt, f: &crate::parse::Field<'_>) {
    if let Kind::OptionalReverse { name } = &f.kind {
        cx.error(
            f.ty,
            format!(
                "a `{name}` is never nullable: write `{name}<..>` without `Option` (no related rows is an empty list)"
            ),
        );
        return;
    }
    let is_reverse = matches!(f.kind, Kind::HasMany { .. } | Kind::HasOne { .. } | Kind::ManyToMany { .. });
    if let Some((value, span)) = &f.on_delete {
        match f.kind {
            Kind::ForeignKey { nullable: false, .. } if value == "set_null" => cx.error_at(
                *span,
                "`on_delete = \"set_null\"` needs a nullable key: make the field `Option<ForeignKey<..>>`",
            ),
            Kind::ForeignKey { .. } => {}
            _ => cx.error_at(*span, "`on_delete` applies only to `ForeignKey` and `OneToOne` fields"),
        }
    }
    if let Some((_, span)) = &f.related {
        if !is_reverse {
            cx.error_at(*span, "`related` applies only to `HasMany`, `HasOne` and reverse `ManyToMany` fields");
        }
    }
    if let Some((value, span)) = &f.serde {
        if value != "skip" && !matches!(f.kind, Kind::ForeignKey { .. }) {
            cx.error_at(
                *span,
                format!("`serde = \"{value}\"` applies only to `ForeignKey` and `OneToOne` fields (any field takes `serde = \"skip\"`)"),
            );
        }
    }
    if let Some(through) = &f.through {
        if !matches!(f.kind, Kind::ManyToMany { .. }) || f.related.is_some() {
            cx.error(through, "`through` applies only to a forward `ManyToMany` field (one without `related`)");
        }
    }
    let misplaced = [
        (f.unique && !f.is_column(), "unique"),
        (f.index && !f.is_column(), "index"),
        (f.default.is_some() && !f.is_column(), "default"),
        (f.max_length.is_some() && !matches!(f.kind, Kind::Column), "max_length"),
        (f.primary_key.is_some() && !f.is_column(), "primary_key"),
        (f.is_auto_time() && !matches!(f.kind, Kind::Column), "auto_now"),
    ];
    for (set, name) in misplaced {
        if set {
            cx.error(f.ident, format!("`{name}` does not apply to the relation `{}`", f.ident));
        }
    }
}
