//! Random schemas and random edits of one, for the property of `migrate_autodetect.rs`:
//! model tables with columns of several types, ForeignKeys (to themselves too),
//! indexes, `unique_together` groups and link tables, as `Schema::from_models` builds
//! them; the edits are what a user does to models, and they record which tables and
//! columns they renamed.

use orm::schema::{Column, Reference, Schema, Table};
use orm::{ColumnType, OnDelete};
use proptest::collection::vec;
use proptest::prelude::*;
use std::collections::BTreeMap;

const TABLES: [&str; 5] = ["author", "book", "shelf", "tag", "review"];
const NEW_TABLES: [&str; 4] = ["writer", "volume", "genre", "city"];
const COLUMNS: [&str; 12] =
    ["title", "name", "year", "price", "note", "code", "headline", "label", "pages", "weight", "isbn", "rating"];
const TYPES: [ColumnType; 6] =
    [ColumnType::Int32, ColumnType::Int64, ColumnType::Text, ColumnType::Bool, ColumnType::Float64, ColumnType::Date];
const ON_DELETE: [OnDelete; 5] =
    [OnDelete::Cascade, OnDelete::SetNull, OnDelete::Protect, OnDelete::Restrict, OnDelete::DoNothing];

/// A column's definition.
#[derive(Debug, Clone)]
pub struct Spec {
    ty: u8,
    nullable: bool,
    unique: bool,
    default: bool,
    max_length: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (0u8..6, any::<bool>(), prop::bool::weighted(0.15), prop::bool::weighted(0.3), any::<bool>())
        .prop_map(|(ty, nullable, unique, default, max_length)| Spec { ty, nullable, unique, default, max_length })
}

/// A model table: columns, ForeignKeys (target, nullable, on_delete), indexes and groups.
#[derive(Debug, Clone)]
pub struct TableSpec {
    columns: Vec<Spec>,
    keys: Vec<(u8, bool, u8)>,
    index_bits: u8,
    unique_bits: u8,
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (vec(spec(), 0..5), vec((any::<u8>(), any::<bool>(), 0u8..5), 0..3), any::<u8>(), any::<u8>())
        .prop_map(|(columns, keys, index_bits, unique_bits)| TableSpec { columns, keys, index_bits, unique_bits })
}

/// The old schema: its model tables, and link tables between pairs of them.
#[derive(Debug, Clone)]
pub struct Base {
    tables: Vec<TableSpec>,
    links: Vec<(u8, u8)>,
}

pub fn schema() -> impl Strategy<Value = Base> {
    (vec(table_spec(), 1..=TABLES.len()), vec((any::<u8>(), any::<u8>()), 0..3))
        .prop_map(|(tables, links)| Base { tables, links })
}

/// One change a user makes to the models; the numbers pick what it applies to.
#[derive(Debug, Clone)]
pub enum Edit {
    RenameTable(u8, u8, bool),
    RenameColumn(u8, u8, u8),
    AddColumn(u8, u8, Spec),
    DropColumn(u8, u8),
    AlterColumn(u8, u8, Spec),
    AlterKey(u8, u8, bool, u8),
    AddIndex(u8, u8, u8),
    RemoveIndex(u8, u8),
    SetGroups(u8, u8),
    AddTable(u8, TableSpec),
    DropTable(u8),
    AddLink(u8, u8),
    Reorder(u8),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    let n = any::<u8>;
    prop_oneof![
        (n(), n(), any::<bool>()).prop_map(|(a, b, c)| Edit::RenameTable(a, b, c)),
        (n(), n(), n()).prop_map(|(a, b, c)| Edit::RenameColumn(a, b, c)),
        (n(), n(), spec()).prop_map(|(a, b, c)| Edit::AddColumn(a, b, c)),
        (n(), n()).prop_map(|(a, b)| Edit::DropColumn(a, b)),
        (n(), n(), spec()).prop_map(|(a, b, c)| Edit::AlterColumn(a, b, c)),
        (n(), n(), any::<bool>(), n()).prop_map(|(a, b, c, d)| Edit::AlterKey(a, b, c, d)),
        (n(), n(), n()).prop_map(|(a, b, c)| Edit::AddIndex(a, b, c)),
        (n(), n()).prop_map(|(a, b)| Edit::RemoveIndex(a, b)),
        (n(), n()).prop_map(|(a, b)| Edit::SetGroups(a, b)),
        (n(), table_spec()).prop_map(|(a, b)| Edit::AddTable(a, b)),
        n().prop_map(Edit::DropTable),
        (n(), n()).prop_map(|(a, b)| Edit::AddLink(a, b)),
        n().prop_map(Edit::Reorder),
    ]
}

fn column(name: &str, spec: &Spec) -> Column {
    let ty = TYPES[usize::from(spec.ty) % TYPES.len()];
    let default = spec.default.then(|| {
        match ty {
            ColumnType::Text => "''",
            ColumnType::Bool => "FALSE",
            ColumnType::Date => "'2000-01-01'",
            _ => "0",
        }
        .to_owned()
    });
    Column {
        name: name.into(),
        column_type: ty,
        nullable: spec.nullable,
        auto: false,
        unique: spec.unique,
        default,
        max_length: (ty == ColumnType::Text && spec.max_length).then_some(50),
        references: None,
    }
}

fn key(name: &str, target: &str, nullable: bool, on_delete: u8) -> Column {
    let mut on_delete = ON_DELETE[usize::from(on_delete) % ON_DELETE.len()];
    if on_delete == OnDelete::SetNull && !nullable {
        on_delete = OnDelete::Cascade;
    }
    Column {
        column_type: ColumnType::Int64,
        nullable,
        unique: false,
        default: None,
        max_length: None,
        references: Some(Reference { table: target.into(), column: "id".into(), on_delete }),
        ..column(name, &Spec { ty: 0, nullable, unique: false, default: false, max_length: false })
    }
}

fn id() -> Column {
    Column { references: None, auto: true, ..key("id", "", false, 0) }
}

fn model_name(table: &str) -> String {
    table.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

fn groups(names: &[String], bits: u8) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    if bits & 1 != 0 && names.len() >= 2 {
        out.push(vec![names[0].clone(), names[1].clone()]);
    }
    if bits & 2 != 0 && names.len() >= 3 {
        out.push(vec![names[names.len() - 1].clone()]);
    }
    out
}

fn model_table(name: &str, spec: &TableSpec, targets: &[String]) -> Table {
    let mut columns = vec![id()];
    columns.extend(spec.columns.iter().zip(COLUMNS).map(|(s, n)| column(n, s)));
    for &(target, nullable, on_delete) in &spec.keys {
        let target = &targets[usize::from(target) % targets.len()];
        let name = format!("{target}_id");
        if !columns.iter().any(|c| c.name == name) {
            columns.push(key(&name, target, nullable, on_delete));
        }
    }
    let names: Vec<String> = columns[1..].iter().map(|c| c.name.clone()).collect();
    let mut indexes: Vec<Vec<String>> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| spec.index_bits >> (i % 7) & 1 == 1)
        .map(|(_, n)| vec![n.clone()])
        .collect();
    if spec.index_bits & 0x80 != 0 && names.len() >= 2 {
        indexes.push(vec![names[1].clone(), names[0].clone()]);
    }
    Table {
        name: name.into(),
        model: Some(model_name(name)),
        columns,
        primary_key: vec!["id".into()],
        unique_together: groups(&names, spec.unique_bits),
        indexes,
    }
}

fn link_table(a: &str, b: &str) -> Table {
    let (source, target) = (format!("{a}_id"), format!("{b}_id"));
    Table {
        name: format!("{a}_{b}s"),
        model: None,
        columns: vec![id(), key(&source, a, false, 0), key(&target, b, false, 0)],
        primary_key: vec!["id".into()],
        unique_together: vec![vec![source, target.clone()]],
        indexes: vec![vec![target]],
    }
}

/// A table being edited, with the name it had in the old schema (if it was there) and
/// each column's old name.
struct Tracked {
    origin: Option<String>,
    table: Table,
    columns: BTreeMap<String, String>,
}

struct Work {
    tables: Vec<Tracked>,
}

impl Work {
    fn exists(&self, name: &str) -> bool {
        self.tables.iter().any(|t| t.table.name == name)
    }

    fn models(&self) -> Vec<usize> {
        (0..self.tables.len()).filter(|&i| self.tables[i].table.model.is_some()).collect()
    }

    /// A model table, by a number.
    fn pick(&self, n: u8) -> Option<usize> {
        let models = self.models();
        (!models.is_empty()).then(|| models[usize::from(n) % models.len()])
    }

    /// A column other than the key of table `t`, by a number (`keys`: ForeignKeys only,
    /// `Some(false)`: others only).
    fn pick_column(&self, t: usize, n: u8, keys: Option<bool>) -> Option<String> {
        let columns: Vec<&Column> = self.tables[t].table.columns.iter().filter(|c| c.name != "id").collect();
        let columns: Vec<&&Column> =
            columns.iter().filter(|c| keys.is_none_or(|k| c.references.is_some() == k)).collect();
        (!columns.is_empty()).then(|| columns[usize::from(n) % columns.len()].name.clone())
    }

    fn rename_table(&mut self, t: usize, to: &str) {
        let from = std::mem::replace(&mut self.tables[t].table.name, to.to_owned());
        for tracked in &mut self.tables {
            for column in &mut tracked.table.columns {
                if let Some(r) = column.references.as_mut().filter(|r| r.table == from) {
                    r.table = to.to_owned();
                }
            }
        }
        // Its link tables follow, as the derive names them (`<table>_<field>`, `<model>_id`).
        for i in 0..self.tables.len() {
            let link = &self.tables[i].table;
            let prefix = format!("{from}_");
            if link.model.is_some() || !link.name.starts_with(&prefix) || link.columns[1].name != format!("{from}_id") {
                continue;
            }
            let name = format!("{to}_{}", &link.name[prefix.len()..]);
            if !self.exists(&name) {
                self.tables[i].table.name = name;
                self.rename_column(i, &format!("{from}_id"), &format!("{to}_id"));
            }
        }
        // And a link table's column for it as a target is named after it too
        // (`<target model>_id`), wherever the link is.
        for i in 0..self.tables.len() {
            let link = &self.tables[i].table;
            let target = format!("{from}_id");
            let points_here = link
                .columns
                .get(2)
                .is_some_and(|c| c.name == target && c.references.as_ref().is_some_and(|r| r.table == to));
            if link.model.is_none() && points_here {
                self.rename_column(i, &target, &format!("{to}_id"));
            }
        }
    }

    fn rename_column(&mut self, t: usize, from: &str, to: &str) {
        let tracked = &mut self.tables[t];
        let rename = |names: &mut Vec<String>| names.iter_mut().filter(|n| *n == from).for_each(|n| *n = to.to_owned());
        tracked.table.indexes.iter_mut().for_each(rename);
        tracked.table.unique_together.iter_mut().for_each(rename);
        tracked.table.columns.iter_mut().filter(|c| c.name == from).for_each(|c| c.name = to.to_owned());
        if let Some(origin) = tracked.columns.remove(from) {
            tracked.columns.insert(to.to_owned(), origin);
        }
    }

    fn drop_column(&mut self, t: usize, name: &str) {
        let tracked = &mut self.tables[t];
        tracked.table.columns.retain(|c| c.name != name);
        tracked.table.indexes.retain(|i| !i.iter().any(|n| n == name));
        tracked.table.unique_together.retain(|g| !g.iter().any(|n| n == name));
        tracked.columns.remove(name);
    }

    fn apply(&mut self, edit: &Edit) {
        match edit {
            &Edit::RenameTable(t, n, keep_model) => {
                let Some(t) = self.pick(t) else { return };
                let name = NEW_TABLES[usize::from(n) % NEW_TABLES.len()];
                if !self.exists(name) {
                    self.rename_table(t, name);
                    if !keep_model {
                        self.tables[t].table.model = Some(model_name(name));
                    }
                }
            }
            &Edit::RenameColumn(t, c, n) => {
                let Some(t) = self.pick(t) else { return };
                let Some(from) = self.pick_column(t, c, None) else { return };
                let to = COLUMNS[usize::from(n) % COLUMNS.len()];
                if self.tables[t].table.column(to).is_none() {
                    self.rename_column(t, &from, to);
                }
            }
            Edit::AddColumn(t, n, spec) => {
                let Some(t) = self.pick(*t) else { return };
                let name = COLUMNS[usize::from(*n) % COLUMNS.len()];
                if self.tables[t].table.column(name).is_none() {
                    self.tables[t].table.columns.push(column(name, spec));
                }
            }
            &Edit::DropColumn(t, c) => {
                let Some(t) = self.pick(t) else { return };
                if let Some(name) = self.pick_column(t, c, None) {
                    self.drop_column(t, &name);
                }
            }
            Edit::AlterColumn(t, c, spec) => {
                let Some(t) = self.pick(*t) else { return };
                let Some(name) = self.pick_column(t, *c, Some(false)) else { return };
                let column = self.tables[t].table.columns.iter_mut().find(|c| c.name == name).unwrap();
                *column = self::column(&name, spec);
            }
            &Edit::AlterKey(t, c, nullable, on_delete) => {
                let Some(t) = self.pick(t) else { return };
                let Some(name) = self.pick_column(t, c, Some(true)) else { return };
                let column = self.tables[t].table.columns.iter_mut().find(|c| c.name == name).unwrap();
                let target = column.references.as_ref().unwrap().table.clone();
                *column = key(&name, &target, nullable, on_delete);
            }
            &Edit::AddIndex(t, a, b) => {
                let Some(t) = self.pick(t) else { return };
                let (Some(a), Some(b)) = (self.pick_column(t, a, None), self.pick_column(t, b, None)) else { return };
                let index = if a == b { vec![a] } else { vec![a, b] };
                if !self.tables[t].table.indexes.contains(&index) {
                    self.tables[t].table.indexes.push(index);
                }
            }
            &Edit::RemoveIndex(t, i) => {
                let Some(t) = self.pick(t) else { return };
                let indexes = &mut self.tables[t].table.indexes;
                if !indexes.is_empty() {
                    indexes.remove(usize::from(i) % indexes.len());
                }
            }
            &Edit::SetGroups(t, bits) => {
                let Some(t) = self.pick(t) else { return };
                let table = &mut self.tables[t].table;
                let names: Vec<String> =
                    table.columns.iter().filter(|c| c.name != "id").map(|c| c.name.clone()).collect();
                table.unique_together = groups(&names, bits);
            }
            Edit::AddTable(n, spec) => {
                let name = NEW_TABLES[usize::from(*n) % NEW_TABLES.len()];
                if self.exists(name) {
                    return;
                }
                let mut targets: Vec<String> =
                    self.models().iter().map(|&i| self.tables[i].table.name.clone()).collect();
                targets.push(name.to_owned());
                let table = model_table(name, spec, &targets);
                self.tables.push(Tracked { origin: None, table, columns: BTreeMap::new() });
            }
            &Edit::DropTable(t) => {
                let Some(t) = self.pick(t) else { return };
                let name = self.tables.remove(t).table.name;
                self.tables.retain(|tracked| {
                    tracked.table.model.is_some()
                        || !tracked.table.columns.iter().any(|c| c.references.as_ref().is_some_and(|r| r.table == name))
                });
                for t in 0..self.tables.len() {
                    let keys: Vec<String> = (self.tables[t].table.columns.iter())
                        .filter(|c| c.references.as_ref().is_some_and(|r| r.table == name))
                        .map(|c| c.name.clone())
                        .collect();
                    keys.iter().for_each(|k| self.drop_column(t, k));
                }
            }
            &Edit::AddLink(a, b) => {
                let (Some(a), Some(b)) = (self.pick(a), self.pick(b)) else { return };
                let link = link_table(&self.tables[a].table.name, &self.tables[b].table.name);
                if a != b && !self.exists(&link.name) {
                    self.tables.push(Tracked { origin: None, table: link, columns: BTreeMap::new() });
                }
            }
            &Edit::Reorder(t) => {
                let Some(t) = self.pick(t) else { return };
                self.tables[t].table.columns.reverse();
            }
        }
    }
}

/// The old schema, the new one after `edits`, and the renames the edits made (as
/// `old=new` for a table, `table.old=new` for a column, the table by its new name).
pub fn pair(base: &Base, edits: &[Edit]) -> (Schema, Schema, Vec<String>) {
    let names: Vec<String> = TABLES[..base.tables.len()].iter().map(|&n| n.to_owned()).collect();
    let mut tables: Vec<Table> =
        base.tables.iter().zip(&names).map(|(spec, name)| model_table(name, spec, &names)).collect();
    for &(a, b) in &base.links {
        let (a, b) = (&names[usize::from(a) % names.len()], &names[usize::from(b) % names.len()]);
        let link = link_table(a, b);
        if a != b && !tables.iter().any(|t| t.name == link.name) {
            tables.push(link);
        }
    }
    let schema =
        |tables: Vec<&Table>| Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t.clone())).collect() };
    let from = schema(tables.iter().collect());
    let tracked = tables.into_iter().map(|table| Tracked {
        origin: Some(table.name.clone()),
        columns: table.columns.iter().map(|c| (c.name.clone(), c.name.clone())).collect(),
        table,
    });
    let mut work = Work { tables: tracked.collect() };
    for edit in edits {
        work.apply(edit);
    }
    let mut truth = Vec::new();
    for tracked in &work.tables {
        let Some(origin) = &tracked.origin else { continue };
        if *origin != tracked.table.name {
            truth.push(format!("{origin}={}", tracked.table.name));
        }
        for (now, before) in tracked.columns.iter().filter(|(now, before)| now != before) {
            truth.push(format!("{}.{before}={now}", tracked.table.name));
        }
    }
    (from, schema(work.tables.iter().map(|t| &t.table).collect()), truth)
}

/// Two tables; a third added, one renamed `volume`, a link from another to it, the
/// target renamed `genre` and the source renamed `volume`.
pub fn link_renamed_on_both_sides() -> (Base, Vec<Edit>) {
    let empty = || TableSpec { columns: vec![], keys: vec![], index_bits: 0, unique_bits: 0 };
    (
        Base { tables: vec![empty(), empty()], links: vec![] },
        vec![
            Edit::AddTable(0, empty()),
            Edit::RenameTable(68, 85, false),
            Edit::AddLink(130, 83),
            Edit::RenameTable(20, 54, false),
            Edit::RenameTable(79, 101, false),
        ],
    )
}
