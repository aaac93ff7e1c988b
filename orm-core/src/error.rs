//! The one error type of the crate.

use std::fmt;

/// `Result` with [`Error`] as its default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which kind of constraint a write violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConstraintKind {
    /// A `UNIQUE` constraint (or `unique_together`).
    Unique,
    /// The primary key is already taken.
    PrimaryKey,
    /// A `NULL` was written into a `NOT NULL` column.
    NotNull,
    /// A `FOREIGN KEY` constraint.
    ForeignKey,
    /// A `CHECK` constraint, such as `max_length`.
    Check,
    /// Any other constraint SQLite reports.
    Other,
}

impl fmt::Display for ConstraintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConstraintKind::Unique => "UNIQUE",
            ConstraintKind::PrimaryKey => "PRIMARY KEY",
            ConstraintKind::NotNull => "NOT NULL",
            ConstraintKind::ForeignKey => "FOREIGN KEY",
            ConstraintKind::Check => "CHECK",
            ConstraintKind::Other => "constraint",
        })
    }
}

/// Everything that can go wrong in this crate.
///
/// No method of the crate panics on bad data: a `NULL` in a `NOT NULL` field, a
/// wrong-typed value in the file or a violated constraint all come back as an `Error`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `get` found no row (Django's `Model.DoesNotExist`).
    #[error("{model} matching query does not exist")]
    DoesNotExist {
        /// The model's name.
        model: &'static str,
    },
    /// `get` found more than one row (Django's `MultipleObjectsReturned`).
    #[error("get() returned more than one {model} -- it returned {}!", count_text(*.count))]
    MultipleObjectsReturned {
        /// The model's name.
        model: &'static str,
        /// How many rows matched, or `None` when more than 20 did (`get` reads at most 21).
        count: Option<usize>,
    },
    /// A write violated a constraint of the schema.
    #[error("{kind} constraint failed: {message}")]
    Integrity {
        /// The kind of constraint.
        kind: ConstraintKind,
        /// What the database said after "<kind> constraint failed: ": the table and
        /// columns (`author.name`), or the failed CHECK.
        message: String,
    },
    /// A value read from the database does not fit the field it is read into.
    #[error("cannot decode {}: expected {expected}, found {found}", decoded_text(model, column, expression.as_deref()))]
    Decode {
        /// The model's name (for a computed value, `"expression"`).
        model: &'static str,
        /// The column's name (for a computed value, `"expression"`).
        column: &'static str,
        /// The Rust type the field expects.
        expected: &'static str,
        /// What the database held instead.
        found: String,
        /// For a computed value (an aggregate, an expression in `values()`), what it
        /// computes, such as `MAX(Book.price_cents)`.
        expression: Option<String>,
    },
    /// A value was refused before it was written, such as a text longer than its
    /// field's `max_length`. Nothing was written.
    #[error("{model}.{field} {message}")]
    Validation {
        /// The model's name.
        model: &'static str,
        /// The field's name.
        field: &'static str,
        /// What is wrong with the value.
        message: String,
    },
    /// A relation was read with `get()` but no loader (`select_related`,
    /// `prefetch_related`) filled it. Nothing is queried behind your back: load it
    /// with a loader, or explicitly (`book.author.fetch(&db)`, `author.books().all(&db)`).
    #[error("{}", not_loaded_text(*.owner, *.field, .relation, .model))]
    NotLoaded {
        /// The related model's name.
        model: &'static str,
        /// The kind of relation: `ForeignKey`, `HasMany`, `HasOne` or `ManyToMany`.
        relation: &'static str,
        /// The model that declares the field (`None` for a field built by hand).
        owner: Option<&'static str>,
        /// The field's name (`None` for a field built by hand).
        field: Option<&'static str>,
    },
    /// A delete would remove rows that a `protect` ForeignKey points at.
    #[error("cannot delete some instances of model {model} because they are referenced through protected foreign key {referenced_by}")]
    Protected {
        /// The model whose rows were to be deleted.
        model: &'static str,
        /// `Model.field` of the protecting ForeignKey.
        referenced_by: String,
    },
    /// A delete would remove rows that a `restrict` ForeignKey points at, and the
    /// referencing rows are not deleted by the same delete.
    #[error("cannot delete some instances of model {model} because they are referenced through restricted foreign key {referenced_by}")]
    Restricted {
        /// The model whose rows were to be deleted.
        model: &'static str,
        /// `Model.field` of the restricting ForeignKey.
        referenced_by: String,
    },
    /// A QuerySet was used in a way Django also refuses, such as filtering after a slice.
    #[error("invalid query: {message}")]
    InvalidQuery {
        /// What was wrong and what to do instead.
        message: &'static str,
    },
    /// A migration could not be written, read or applied: a history that does not fit
    /// its files, a question a non-interactive run cannot answer, a destructive
    /// operation not allowed. `message` says what to do.
    #[error("migration: {message}")]
    Migration {
        /// What went wrong and what to do instead.
        message: String,
    },
    /// The live database does not match the models (`Db::check_schema`): one line per
    /// difference (a missing table, a missing or extra column, a type, a nullability, a
    /// missing index).
    #[error("the database does not match the models:\n  {}", differences.join("\n  "))]
    SchemaMismatch {
        /// Each difference, as a sentence.
        differences: Vec<String>,
    },
    /// The database failed or refused a statement for another reason than a
    /// constraint: classified the same way on every backend, with the driver's own
    /// error as the source.
    #[error("{kind}: {message}")]
    Database {
        /// What kind of failure it is.
        kind: DatabaseErrorKind,
        /// The backend's code for it: SQLite's extended result code, PostgreSQL's
        /// SQLSTATE.
        code: Option<String>,
        /// The database's message.
        message: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What kind of failure an [`Error::Database`] is, the same on every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseErrorKind {
    /// The database is locked by another connection (SQLite's `SQLITE_BUSY` or
    /// `SQLITE_LOCKED`, after any busy timeout ran out). Retrying later may succeed.
    Busy,
    /// The transaction could not be serialized with others, or was chosen as a
    /// deadlock victim; retry the whole transaction.
    Serialization,
    /// A write to a database opened read-only.
    ReadOnly,
    /// The statement is not valid SQL for this database, or names a table or column
    /// that does not exist.
    Statement,
    /// The database could not be opened or reached.
    Connection,
    /// No connection of a [`Pool`](crate::Pool) came free within its checkout
    /// timeout. Retrying later may succeed.
    PoolTimeout,
    /// Anything else.
    Other,
}

impl DatabaseErrorKind {
    /// Whether running the same transaction again may succeed (busy, serialization,
    /// pool timeout).
    pub fn is_retryable(self) -> bool {
        matches!(self, DatabaseErrorKind::Busy | DatabaseErrorKind::Serialization | DatabaseErrorKind::PoolTimeout)
    }
}

impl fmt::Display for DatabaseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DatabaseErrorKind::Busy => "database busy",
            DatabaseErrorKind::Serialization => "serialization failure",
            DatabaseErrorKind::ReadOnly => "read-only database",
            DatabaseErrorKind::Statement => "invalid statement",
            DatabaseErrorKind::Connection => "cannot connect",
            DatabaseErrorKind::PoolTimeout => "no pooled connection free",
            DatabaseErrorKind::Other => "database error",
        })
    }
}

/// "`Book.author` (ForeignKey<Author>) was not loaded: add `select_related(|x| x.author())` ..."
fn not_loaded_text(owner: Option<&str>, field: Option<&str>, kind: &str, model: &str) -> String {
    let single = kind == "ForeignKey" || kind == "HasOne";
    let (what, path) = match (owner, field) {
        (Some(owner), Some(field)) => (format!("`{owner}.{field}` ({kind}<{model}>)"), format!("(|x| x.{field}())")),
        _ => (format!("{kind}<{model}>"), String::new()),
    };
    let loader = if single {
        format!("`select_related{path}` (one JOIN) or `prefetch_related{path}`")
    } else {
        format!("`prefetch_related{path}` (a {kind} is many rows: select_related cannot load it)")
    };
    format!("{what} was not loaded: add {loader} to the query that read this row (reading a relation never queries)")
}

fn decoded_text(model: &str, column: &str, expression: Option<&str>) -> String {
    match expression {
        Some(expression) => expression.to_owned(),
        None => format!("{model}.{column}"),
    }
}

fn count_text(count: Option<usize>) -> String {
    match count {
        Some(n) => n.to_string(),
        None => "more than 20".to_owned(),
    }
}
