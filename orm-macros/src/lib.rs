//! The procedural macros of the `orm` crate. Use them through `orm` (`orm::Model`),
//! not directly: the generated code refers to `::orm`.

#![warn(missing_docs)]

mod ctxt;
mod expand;
mod migrations;
mod parse;
mod queryset;
mod validate;

use proc_macro::TokenStream;

/// Derives `orm::Model` for a struct with named fields, and generates beside it the
/// typed field set (`BookFields`) and the insert struct (`NewBook`).
///
/// See the `orm` crate's documentation for the attributes.
#[proc_macro_derive(Model, attributes(orm))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive_model(&input).into()
}

/// Custom chainable QuerySet methods: on a trait whose methods have default bodies,
/// implements it for `QuerySet<Model>`, so the methods chain with each other and with
/// every built-in one.
///
/// ```ignore
/// #[orm::queryset(Developer)]
/// pub trait DeveloperQuerySet {
///     fn senior(self) -> Self { self.filter(|d| d.years_experience.gte(5)) }
/// }
/// let seniors = Developer::objects().senior().order_by(|d| d.name.asc()).all(&db)?;
/// ```
#[proc_macro_attribute]
pub fn queryset(attr: TokenStream, item: TokenStream) -> TokenStream {
    queryset::expand(attr.into(), item.into()).into()
}

/// The migration files of a folder of your crate, compiled in:
/// `orm::embed_migrations!("migrations")` is an `orm::migrate::Migrations` holding
/// every `NNNN_name.mig` file of `$CARGO_MANIFEST_DIR/migrations` (the folder
/// `makemigrations` writes; `embed_migrations!()` means that one), to apply at start-up
/// without the files beside the binary:
///
/// ```ignore
/// let db = Db::open("shop.sqlite3")?;
/// db.migrate(&orm::embed_migrations!("migrations"), &MigrateOptions::new())?;
/// db.check_schema::<(Author, Book)>()?;
/// ```
///
/// The folder is read when the crate compiles; a folder that cannot be read is a
/// compile error. Editing a file rebuilds the crate (each is `include_str!`ed); a file
/// added to the folder is picked up at the next build, which a `build.rs` printing
/// `cargo:rerun-if-changed=migrations` makes happen by itself.
///
/// # Panics
///
/// When a compiled-in file is not a valid migration (edited by hand), with the file,
/// the line and what is wrong: the same error `Migrations::from_dir` returns. Running
/// `makemigrations --check` in CI, or any test that builds the value, catches it first.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    migrations::expand(input.into()).into()
}
