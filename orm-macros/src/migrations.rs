//! `embed_migrations!("migrations")`: the `NNNN_name.mig` files of a folder of the
//! crate being compiled, compiled into it as `orm::migrate::Migrations`.
//!
//! The folder is read when the macro expands; each file is then named to the
//! compiler with `include_str!`, so that editing one rebuilds the crate. A file added
//! to the folder is seen at the next build of the crate (a `build.rs` printing
//! `cargo:rerun-if-changed=migrations` makes that build happen by itself).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::{Path, PathBuf};

/// The folder when none is given.
const DEFAULT_FOLDER: &str = "migrations";

/// The extension of migration files.
const EXTENSION: &str = "mig";

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match embed(input) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
    }
}

fn embed(input: TokenStream) -> syn::Result<TokenStream> {
    let (folder, span) = if input.is_empty() {
        (DEFAULT_FOLDER.to_owned(), Span::call_site())
    } else {
        let literal: syn::LitStr = syn::parse2(input)?;
        (literal.value(), literal.span())
    };
    let error = |message: String| syn::Error::new(span, message);
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| error("embed_migrations!: CARGO_MANIFEST_DIR is not set (build with cargo)".to_owned()))?;
    let dir = Path::new(&root).join(&folder);
    let files = migration_files(&dir).map_err(|e| {
        error(format!(
            "embed_migrations!: cannot read the folder {}: {e} (`makemigrations` creates it and writes the files)",
            dir.display()
        ))
    })?;
    let mut entries = Vec::with_capacity(files.len());
    for (name, path) in files {
        // Read here so that a file that is not text is an error at its macro.
        std::fs::read_to_string(&path)
            .map_err(|e| error(format!("embed_migrations!: cannot read {} as text: {e}", path.display())))?;
        let path = path.to_str().ok_or_else(|| {
            error(format!("embed_migrations!: the path {} is not UTF-8, which include_str! needs", path.display()))
        })?;
        entries.push(quote! { (#name, ::core::include_str!(#path)) });
    }
    let shown = format!("embed_migrations!({folder:?})");
    Ok(quote! {
        match ::orm::migrate::Migrations::from_files(&[#(#entries),*]) {
            ::core::result::Result::Ok(migrations) => migrations,
            ::core::result::Result::Err(error) => ::core::panic!("{}: {}", #shown, error),
        }
    })
}

/// The `.mig` files of `dir`, by file name, with their paths.
fn migration_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == EXTENSION) && path.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push((name, path));
        }
    }
    out.sort();
    Ok(out)
}
