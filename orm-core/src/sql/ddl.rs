//! `CREATE TABLE` and `CREATE INDEX`: a model's table, its ForeignKey constraints
//! and indexes, and its automatic ManyToMany through tables.

use super::dialect::Dialect;
use super::Writer;
use crate::meta::{ModelMeta, OnDelete, RelationKind, RelationMeta, Through};
use crate::value::ColumnType;

/// The ForeignKey declared on column `column`, if any.
fn foreign_key_of(meta: &'static ModelMeta, column: usize) -> Option<(&'static RelationMeta, OnDelete, bool)> {
    meta.relations.iter().find_map(|r| match r.kind {
        RelationKind::ForeignKey { column: c, on_delete, unique } if c == column => Some((r, on_delete, unique)),
        _ => None,
    })
}

/// The `CREATE TABLE` and `CREATE INDEX` statements of a model.
pub(crate) fn create_table(meta: &'static ModelMeta, dialect: &'static dyn Dialect) -> Vec<String> {
    let mut w = Writer::new(meta, dialect);
    w.push("CREATE TABLE IF NOT EXISTS ");
    w.ident(meta.table);
    w.push(" (");
    for (i, col) in meta.columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(col.name);
        if i == meta.pk && meta.auto_pk {
            w.push(dialect.auto_key());
            continue;
        }
        w.push(" ");
        let mut ty = String::new();
        dialect.column_type(col, &mut ty);
        w.push(&ty);
        if !col.nullable {
            w.push(" NOT NULL");
        }
        if col.primary_key && meta.pk_columns.len() == 1 {
            w.push(" PRIMARY KEY");
        }
        let foreign_key = foreign_key_of(meta, i);
        if (col.unique || foreign_key.is_some_and(|(_, _, unique)| unique)) && !col.primary_key {
            w.push(" UNIQUE");
        }
        if let Some(default) = col.default {
            w.push(" DEFAULT ");
            w.push(default);
        }
        if matches!(col.column_type, ColumnType::UInt8 | ColumnType::UInt16 | ColumnType::UInt32) {
            // Django's PositiveIntegerField: the column refuses negatives.
            w.push(" CHECK (");
            w.ident(col.name);
            w.push(" >= 0)");
        }
        if let Some(max) = col.max_length {
            let mut check = String::new();
            dialect.max_length_check(col.name, max, &mut check);
            w.push(&check);
        }
        if let Some((relation, on_delete, _)) = foreign_key {
            let target = (relation.target)();
            w.push(" REFERENCES ");
            w.ident(target.table);
            w.push(" (");
            w.ident(target.pk_column().name);
            w.push(")");
            w.push(match on_delete {
                OnDelete::Cascade => " ON DELETE CASCADE",
                OnDelete::SetNull => " ON DELETE SET NULL",
                OnDelete::Protect | OnDelete::Restrict => " ON DELETE RESTRICT",
                OnDelete::DoNothing => "",
            });
        }
    }
    if meta.pk_columns.len() > 1 {
        w.push(", PRIMARY KEY (");
        column_list(&mut w, meta, meta.pk_columns);
        w.push(")");
    }
    for group in meta.unique_together {
        w.push(", UNIQUE (");
        column_list(&mut w, meta, group);
        w.push(")");
    }
    w.push(")");
    let mut out = vec![w.text()];
    let mut index = |name_cols: &[usize]| {
        let mut w = Writer::new(meta, dialect);
        let name: Vec<&str> = name_cols.iter().map(|&c| meta.columns[c].name).collect();
        w.push("CREATE INDEX IF NOT EXISTS ");
        w.ident(&format!("{}_{}_idx", meta.table, name.join("_")));
        w.push(" ON ");
        w.ident(meta.table);
        w.push(" (");
        column_list(&mut w, meta, name_cols);
        w.push(")");
        out.push(w.text());
    };
    for (i, col) in meta.columns.iter().enumerate() {
        let is_fk = foreign_key_of(meta, i).is_some_and(|(_, _, unique)| !unique);
        if (col.index || is_fk) && !col.unique && !col.primary_key {
            index(&[i]);
        }
    }
    for group in meta.index_together {
        index(group);
    }
    out
}

/// The automatic ManyToMany through tables of a model: created after every model
/// table, since each references two of them (PostgreSQL refuses a reference to a
/// table that does not exist yet; Django creates them last too).
pub(crate) fn create_link_tables(meta: &'static ModelMeta, dialect: &'static dyn Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for relation in meta.relations {
        if let RelationKind::ManyToMany { through } = &relation.kind {
            if through.model.is_none() {
                out.extend(create_through_table(meta, (relation.target)(), through, dialect));
            }
        }
    }
    out
}

/// An automatic through table: `(id, <source>, <target>)`, the pair unique, both keys
/// cascading.
fn create_through_table(
    source: &'static ModelMeta,
    target: &'static ModelMeta,
    through: &Through,
    dialect: &'static dyn Dialect,
) -> Vec<String> {
    let mut w = Writer::new(source, dialect);
    w.push("CREATE TABLE IF NOT EXISTS ");
    w.ident(through.table);
    w.push(" (");
    w.ident("id");
    w.push(dialect.auto_key());
    for (column, meta) in [(through.source, source), (through.target, target)] {
        w.push(", ");
        w.ident(column);
        w.push(" ");
        let mut ty = String::new();
        dialect.column_type(meta.pk_column(), &mut ty);
        w.push(&ty);
        w.push(" NOT NULL REFERENCES ");
        w.ident(meta.table);
        w.push(" (");
        w.ident(meta.pk_column().name);
        w.push(") ON DELETE CASCADE");
    }
    w.push(", UNIQUE (");
    w.ident(through.source);
    w.push(", ");
    w.ident(through.target);
    w.push("))");
    let mut index = Writer::new(source, dialect);
    index.push("CREATE INDEX IF NOT EXISTS ");
    index.ident(&format!("{}_{}_idx", through.table, through.target));
    index.push(" ON ");
    index.ident(through.table);
    index.push(" (");
    index.ident(through.target);
    index.push(")");
    vec![w.text(), index.text()]
}

fn column_list(w: &mut Writer, meta: &ModelMeta, cols: &[usize]) {
    for (i, &c) in cols.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(meta.columns[c].name);
    }
}
