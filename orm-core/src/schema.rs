//! A database schema as plain, owned, comparable data: the tables the models describe
//! (their columns with logical types, keys, uniques, indexes and foreign keys, and the
//! automatic ManyToMany link tables), independent of any backend.
//!
//! `create_tables` writes its DDL from it, migrations diff and replay it, and
//! `check_schema` compares it with what a live database says.

use crate::meta::{ModelMeta, OnDelete, RelationKind};
use crate::value::ColumnType;
use std::collections::BTreeMap;

/// Every table, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// The tables, by their SQL name.
    pub tables: BTreeMap<String, Table>,
}

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's SQL name.
    pub name: String,
    /// The model it stores (`None` for an automatic ManyToMany link table).
    pub model: Option<String>,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The primary key's columns (one, or several for a composite key).
    pub primary_key: Vec<String>,
    /// `unique_together` groups (and a link table's pair).
    pub unique_together: Vec<Vec<String>>,
    /// The indexes: `#[orm(index)]` columns, ForeignKey columns, `index_together`.
    pub indexes: Vec<Vec<String>>,
}

/// One column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's SQL name.
    pub name: String,
    /// Its logical type.
    pub column_type: ColumnType,
    /// Whether it accepts `NULL`.
    pub nullable: bool,
    /// An auto-increment key (SQLite's AUTOINCREMENT, PostgreSQL's identity).
    pub auto: bool,
    /// `UNIQUE` on this column alone.
    pub unique: bool,
    /// `DEFAULT`, as an SQL literal.
    pub default: Option<String>,
    /// The longest text it holds, in characters.
    pub max_length: Option<u32>,
    /// The column it references, for a ForeignKey.
    pub references: Option<Reference>,
}

/// What a ForeignKey column references.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The referenced table.
    pub table: String,
    /// Its key column.
    pub column: String,
    /// What deleting the referenced row does.
    pub on_delete: OnDelete,
}

impl Schema {
    /// The schema of the listed models: their tables, then their automatic link tables.
    pub fn from_models(metas: &[&'static ModelMeta]) -> Schema {
        let mut schema = Schema::default();
        for meta in metas {
            let table = Table::from_model(meta);
            schema.tables.insert(table.name.clone(), table);
        }
        for meta in metas {
            for table in Table::link_tables(meta) {
                schema.tables.entry(table.name.clone()).or_insert(table);
            }
        }
        schema
    }
}

impl Table {
    /// The table of one model (without its link tables).
    pub fn from_model(meta: &'static ModelMeta) -> Table {
        let name = |i: usize| meta.columns[i].name.to_owned();
        let mut columns = Vec::with_capacity(meta.columns.len());
        let mut indexes = Vec::new();
        for (i, col) in meta.columns.iter().enumerate() {
            let fk = meta.relations.iter().find_map(|r| match r.kind {
                RelationKind::ForeignKey { column, on_delete, unique } if column == i => Some((r, on_delete, unique)),
                _ => None,
            });
            let references = fk.map(|(r, on_delete, _)| {
                let target = (r.target)();
                Reference { table: target.table.to_owned(), column: target.pk_column().name.to_owned(), on_delete }
            });
            let one_to_one = fk.is_some_and(|(_, _, unique)| unique);
            let unique = (col.unique || one_to_one) && !col.primary_key;
            if (col.index || fk.is_some()) && !unique && !col.primary_key {
                indexes.push(vec![col.name.to_owned()]);
            }
            columns.push(Column {
                name: col.name.to_owned(),
                column_type: col.column_type,
                nullable: col.nullable,
                auto: i == meta.pk && meta.auto_pk,
                unique,
                default: col.default.map(str::to_owned),
                max_length: col.max_length,
                references,
            });
        }
        indexes.extend(meta.index_together.iter().map(|group| group.iter().map(|&c| name(c)).collect()));
        Table {
            name: meta.table.to_owned(),
            model: Some(meta.name.to_owned()),
            columns,
            primary_key: meta.pk_columns.iter().map(|&c| name(c)).collect(),
            unique_together: meta
                .unique_together
                .iter()
                .map(|group| group.iter().map(|&c| name(c)).collect())
                .collect(),
            indexes,
        }
    }

    /// The automatic link tables of a model's ManyToMany fields: `(id, <source>,
    /// <target>)`, the pair unique, both keys cascading.
    pub fn link_tables(meta: &'static ModelMeta) -> Vec<Table> {
        let mut out = Vec::new();
        for relation in meta.relations {
            let RelationKind::ManyToMany { through } = &relation.kind else { continue };
            if through.model.is_some() {
                continue;
            }
            let target = (relation.target)();
            let key = |column: &str, of: &'static ModelMeta| Column {
                name: column.to_owned(),
                column_type: of.pk_column().column_type,
                nullable: false,
                auto: false,
                unique: false,
                default: None,
                max_length: None,
                references: Some(Reference {
                    table: of.table.to_owned(),
                    column: of.pk_column().name.to_owned(),
                    on_delete: OnDelete::Cascade,
                }),
            };
            out.push(Table {
                name: through.table.to_owned(),
                model: None,
                columns: vec![
                    Column {
                        name: "id".into(),
                        column_type: ColumnType::Int64,
                        nullable: false,
                        auto: true,
                        unique: false,
                        default: None,
                        max_length: None,
                        references: None,
                    },
                    key(through.source, meta),
                    key(through.target, target),
                ],
                primary_key: vec!["id".into()],
                unique_together: vec![vec![through.source.to_owned(), through.target.to_owned()]],
                indexes: vec![vec![through.target.to_owned()]],
            });
        }
        out
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The name of the index on `columns`, as `create_tables` names it.
    pub fn index_name(&self, columns: &[String]) -> String {
        format!("{}_{}_idx", self.name, columns.join("_"))
    }
}
