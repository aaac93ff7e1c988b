//! `Db::check_schema`: the live tables against the models, each kind of difference
//! found and named, on SQLite and PostgreSQL.

#[path = "support/backends.rs"]
mod backends;
use backends::Backend;
use orm::migrate::{MigrateOptions, Migration, Migrations, Operation};
use orm::prelude::*;
use orm::schema::{Column, Table};
use orm::{Error, ForeignKey, HasMany, ManyToMany, ModelList};

// A bookshop: keys, a ForeignKey, a ManyToMany (its link table), unique, index,
// unique_together, and most column types.

#[derive(Model, Debug, Clone)]
#[orm(table = "publisher")]
struct Publisher {
    id: i64,
    #[orm(max_length = 80, unique)]
    name: String,
    founded: Option<i32>,
    #[orm(related = "publisher")]
    books: HasMany<Book>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "book", unique_together(title, year))]
struct Book {
    id: i64,
    #[orm(max_length = 200, index)]
    title: String,
    year: i32,
    price: f64,
    in_print: bool,
    cover: Option<Vec<u8>>,
    #[orm(on_delete = "cascade")]
    publisher: ForeignKey<Publisher>,
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone)]
#[orm(table = "tag")]
struct Tag {
    id: i64,
    #[orm(unique)]
    name: String,
    #[orm(related = "tags")]
    books: ManyToMany<Book>,
}

type Shop = (Publisher, Book, Tag);

// One table, `gadget`, as the database has it (`Gadget`) and as later versions of the
// model describe it.

#[derive(Model, Debug, Clone)]
#[orm(table = "gadget")]
struct Gadget {
    id: i64,
    #[orm(max_length = 40)]
    name: String,
    weight: i32,
    colour: Option<String>,
}

mod versions {
    use orm::prelude::*;
    use orm::ForeignKey;

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct WithSerial {
        pub id: i64,
        #[orm(max_length = 40)]
        pub name: String,
        pub weight: i32,
        pub colour: Option<String>,
        pub serial: String,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct WithoutColour {
        pub id: i64,
        #[orm(max_length = 40)]
        pub name: String,
        pub weight: i32,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct WeightAsText {
        pub id: i64,
        #[orm(max_length = 40)]
        pub name: String,
        pub weight: String,
        pub colour: Option<String>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct NullabilitySwapped {
        pub id: i64,
        #[orm(max_length = 40)]
        pub name: String,
        pub weight: Option<i32>,
        pub colour: String,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget", unique_together(name, weight))]
    pub struct Constrained {
        pub id: i64,
        #[orm(max_length = 40, index)]
        pub name: String,
        #[orm(unique)]
        pub weight: i32,
        pub colour: Option<String>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct KeyedByName {
        #[orm(primary_key, max_length = 40)]
        pub name: String,
        pub weight: i32,
        pub colour: Option<String>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct LongerName {
        pub id: i64,
        #[orm(max_length = 80)]
        pub name: String,
        pub weight: i32,
        pub colour: Option<String>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "person")]
    pub struct Person {
        pub id: i64,
        pub name: String,
    }

    /// An owner's key as a plain integer column: no constraint, no index.
    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct PlainOwner {
        pub id: i64,
        pub owner_id: i64,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct CascadingOwner {
        pub id: i64,
        #[orm(on_delete = "cascade")]
        pub owner: ForeignKey<Person>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct ProtectedOwner {
        pub id: i64,
        #[orm(on_delete = "protect")]
        pub owner: ForeignKey<Person>,
    }

    #[derive(Model, Debug, Clone)]
    #[orm(table = "gadget")]
    pub struct OwnedByGadget {
        pub id: i64,
        #[orm(on_delete = "cascade")]
        pub owner: ForeignKey<super::Gadget>,
    }
}
use versions::*;

/// The differences `check_schema::<L>` lists (none when it passes).
fn differences<L: ModelList>(db: &Db) -> Vec<String> {
    match db.check_schema::<L>() {
        Ok(()) => Vec::new(),
        Err(Error::SchemaMismatch { differences }) => differences,
        Err(other) => panic!("check_schema failed otherwise: {other}"),
    }
}

/// The column `name` of a model's table.
fn column<M: Model>(name: &str) -> Column {
    Table::from_model(M::META).column(name).expect("a column of the model").clone()
}

/// Creates `gadget` as `Gadget` by a migration, then applies `operations` as a second.
fn migrate_gadget(db: &Db, operations: Vec<Operation>) -> orm::Result<()> {
    let initial = Migration {
        name: "0001_initial".into(),
        dependencies: Vec::new(),
        operations: vec![Operation::CreateTable(Table::from_model(Gadget::META))],
    };
    let change = Migration { name: "0002_change".into(), dependencies: vec![initial.name.clone()], operations };
    db.migrate(&Migrations::from_migrations(vec![initial, change])?, &MigrateOptions::new())?;
    Ok(())
}

fn gadget() -> String {
    "gadget".to_owned()
}

/// A declared type as each backend writes it.
fn declared(db: &backends::TestDb, sqlite: &str, postgres: &str) -> String {
    match db.backend() {
        Backend::Sqlite => sqlite.to_owned(),
        Backend::Postgres => postgres.to_owned(),
    }
}

backend_tests! {
    fn tables_created_from_the_models_pass_with_three_queries(db) {
        db.create_tables::<Shop>()?;
        let before = db.query_count();
        db.check_schema::<Shop>()?;
        assert_eq!(db.query_count() - before, 3);
        // Every type the derive maps, through the same models in another order.
        db.check_schema::<(Tag, Book, Publisher)>()?;
        Ok(())
    }

    fn an_empty_database_misses_every_table_link_table_included(db) {
        assert_eq!(
            differences::<Shop>(&db),
            [
                "missing table book (model Book)",
                "missing table book_tags (a ManyToMany link table)",
                "missing table publisher (model Publisher)",
                "missing table tag (model Tag)",
            ]
        );
        let err = db.check_schema::<Shop>().unwrap_err().to_string();
        assert!(err.starts_with("the database does not match the models:\n  missing table book"), "{err}");
        Ok(())
    }

    fn a_dropped_link_table_is_missing(db) {
        db.create_tables::<Shop>()?;
        db.execute("DROP TABLE book_tags", &[])?;
        assert_eq!(differences::<Shop>(&db), ["missing table book_tags (a ManyToMany link table)"]);
        Ok(())
    }

    fn tables_the_models_do_not_name_are_not_looked_at(db) {
        db.create_tables::<Shop>()?;
        db.create_tables::<(Gadget,)>()?;
        db.execute("CREATE TABLE unrelated (x TEXT)", &[])?;
        db.check_schema::<Shop>()?;
        db.check_schema::<(Gadget,)>()?;
        Ok(())
    }

    fn a_column_the_model_added_is_missing(db) {
        db.create_tables::<(Gadget,)>()?;
        assert_eq!(differences::<(WithSerial,)>(&db), ["table gadget: missing column serial"]);
        Ok(())
    }

    fn a_column_the_model_removed_is_extra(db) {
        db.create_tables::<(Gadget,)>()?;
        assert_eq!(differences::<(WithoutColour,)>(&db), ["table gadget: extra column colour (not in the models)"]);
        Ok(())
    }

    fn a_changed_type_is_named_with_both_types(db) {
        db.create_tables::<(Gadget,)>()?;
        let expected = format!(
            "column gadget.weight: type {}, the model's is {}",
            declared(&db, "INTEGER", "integer"),
            declared(&db, "TEXT", "text")
        );
        assert_eq!(differences::<(WeightAsText,)>(&db), [expected]);
        Ok(())
    }

    fn nullability_is_compared_both_ways(db) {
        db.create_tables::<(Gadget,)>()?;
        assert_eq!(
            differences::<(NullabilitySwapped,)>(&db),
            [
                "column gadget.weight: is NOT NULL, the model's accepts NULL",
                "column gadget.colour: accepts NULL, the model's is NOT NULL",
            ]
        );
        Ok(())
    }

    fn missing_index_unique_and_unique_together_are_named(db) {
        db.create_tables::<(Gadget,)>()?;
        assert_eq!(
            differences::<(Constrained,)>(&db),
            [
                "table gadget: missing UNIQUE (weight)",
                "table gadget: missing UNIQUE (name, weight)",
                "table gadget: missing index on (name)",
            ]
        );
        // Once the database has them, in its own names, it passes.
        db.execute("CREATE UNIQUE INDEX g_w ON gadget (weight)", &[])?;
        db.execute("CREATE UNIQUE INDEX g_wn ON gadget (weight, name)", &[])?;
        db.execute("CREATE INDEX g_n ON gadget (name)", &[])?;
        db.check_schema::<(Constrained,)>()?;
        Ok(())
    }

    fn an_index_the_database_lost_is_missing(db) {
        db.create_tables::<Shop>()?;
        db.execute("DROP INDEX book_title_idx", &[])?;
        assert_eq!(differences::<Shop>(&db), ["table book: missing index on (title)"]);
        Ok(())
    }

    fn a_different_primary_key_is_named(db) {
        db.create_tables::<(Gadget,)>()?;
        assert_eq!(
            differences::<(KeyedByName,)>(&db),
            ["table gadget: extra column id (not in the models)", "table gadget: primary key (id), the model's is (name)"]
        );
        Ok(())
    }

    fn a_longer_max_length_is_a_type_on_postgres_only(db) {
        db.create_tables::<(Gadget,)>()?;
        match db.backend() {
            // SQLite's column is TEXT either way; the bound is a CHECK, not compared.
            Backend::Sqlite => assert_eq!(differences::<(LongerName,)>(&db), Vec::<String>::new()),
            Backend::Postgres => assert_eq!(
                differences::<(LongerName,)>(&db),
                ["column gadget.name: type varchar(40), the model's is varchar(80)"]
            ),
        }
        Ok(())
    }

    fn a_foreign_key_without_its_constraint_is_missing_with_its_index(db) {
        db.create_tables::<(Person, PlainOwner)>()?;
        assert_eq!(
            differences::<(Person, CascadingOwner)>(&db),
            ["table gadget: missing index on (owner_id)", "column gadget.owner_id: missing foreign key to person (id)"]
        );
        Ok(())
    }

    fn on_delete_and_the_referenced_table_are_compared(db) {
        db.create_tables::<(Person, CascadingOwner)>()?;
        db.check_schema::<(Person, CascadingOwner)>()?;
        assert_eq!(
            differences::<(Person, ProtectedOwner)>(&db),
            ["column gadget.owner_id: ON DELETE CASCADE, the model's is ON DELETE RESTRICT"]
        );
        assert_eq!(
            differences::<(OwnedByGadget,)>(&db),
            ["column gadget.owner_id: references person (id), the model's references gadget (id)"]
        );
        Ok(())
    }

    fn a_key_the_database_does_not_number_is_named(db) {
        match db.backend() {
            // Every INTEGER PRIMARY KEY is SQLite's rowid, numbered by SQLite.
            Backend::Sqlite => {
                db.execute("CREATE TABLE gadget (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, weight INTEGER NOT NULL, colour TEXT)", &[])?;
                db.check_schema::<(Gadget,)>()?;
            }
            Backend::Postgres => {
                db.execute("CREATE TABLE gadget (id bigint NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, weight integer NOT NULL, colour text)", &[])?;
                assert_eq!(
                    differences::<(Gadget,)>(&db),
                    ["column gadget.id: not numbered by the database, the model's key is auto-increment"]
                );
            }
        }
        Ok(())
    }

    fn checking_changes_nothing_and_writes_no_row(db) {
        db.create_tables::<(Gadget,)>()?;
        Gadget::objects().create(&db, NewGadget { name: "lamp".into(), weight: 3, colour: None })?;
        assert!(db.check_schema::<(WithSerial,)>().is_err());
        db.check_schema::<(Gadget,)>()?;
        assert_eq!(Gadget::objects().count(&db)?, 1);
        assert!(!db.in_transaction());
        Ok(())
    }

    // What `migrate` builds is what `check_schema` expects: each change above, made by
    // a migration (an ALTER on PostgreSQL, a rebuild on SQLite), passes for the new
    // model and fails for the old one.

    fn a_migrated_type_change_passes(db) {
        migrate_gadget(db, vec![Operation::AlterColumn { table: gadget(), column: column::<WeightAsText>("weight"), fill: None }])?;
        db.check_schema::<(WeightAsText,)>()?;
        assert_eq!(differences::<(Gadget,)>(&db).len(), 1);
        Ok(())
    }

    fn migrated_nullability_changes_pass(db) {
        migrate_gadget(
            db,
            vec![
                Operation::AlterColumn { table: gadget(), column: column::<NullabilitySwapped>("weight"), fill: None },
                Operation::AlterColumn {
                    table: gadget(),
                    column: column::<NullabilitySwapped>("colour"),
                    fill: Some("'grey'".into()),
                },
            ],
        )?;
        db.check_schema::<(NullabilitySwapped,)>()?;
        assert_eq!(differences::<(Gadget,)>(&db).len(), 2);
        Ok(())
    }

    fn migrated_constraints_and_indexes_pass(db) {
        migrate_gadget(
            db,
            vec![
                Operation::AlterColumn { table: gadget(), column: column::<Constrained>("weight"), fill: None },
                Operation::AlterUniqueTogether { table: gadget(), groups: vec![vec!["name".into(), "weight".into()]] },
                Operation::AddIndex { table: gadget(), columns: vec!["name".into()] },
            ],
        )?;
        db.check_schema::<(Constrained,)>()?;
        Ok(())
    }

    fn an_added_column_and_a_table_renamed_there_and_back_pass(db) {
        migrate_gadget(
            db,
            vec![
                Operation::AddColumn { table: gadget(), column: column::<WithSerial>("serial"), fill: Some("'none'".into()) },
                Operation::RenameTable { from: gadget(), to: "device".into() },
                Operation::RenameTable { from: "device".into(), to: gadget() },
            ],
        )?;
        db.check_schema::<(WithSerial,)>()?;
        Ok(())
    }

    fn a_migrated_max_length_passes(db) {
        migrate_gadget(db, vec![Operation::AlterColumn { table: gadget(), column: column::<LongerName>("name"), fill: None }])?;
        db.check_schema::<(LongerName,)>()?;
        Ok(())
    }
}
