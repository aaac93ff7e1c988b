//! Upserts: `INSERT .. ON CONFLICT DO NOTHING` and `INSERT .. ON CONFLICT (..) DO
//! UPDATE SET c = EXCLUDED.c`, the same text on SQLite (3.24+) and PostgreSQL.

use super::dialect::Dialect;
use super::writer::Writer;
use crate::meta::ModelMeta;

/// What an `INSERT` does with a row that a unique constraint refuses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OnConflict<'a> {
    /// Skips it (Django's `ignore_conflicts`): `ON CONFLICT DO NOTHING`.
    Nothing,
    /// Updates the row it conflicts with on the columns of `target` (Django's
    /// `update_conflicts`): `set` from the refused row's values.
    Update {
        /// The columns of the unique constraint (`unique_fields`).
        target: &'a [usize],
        /// The columns written (`update_fields`).
        set: &'a [usize],
    },
}

/// What an upsert reads back of each row it inserted or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Returning {
    /// Nothing.
    Nothing,
    /// The primary key.
    Key,
    /// Every column, to decode the row as stored.
    Row,
}

/// `INSERT INTO t (cols) VALUES (..) x rows ON CONFLICT .. [RETURNING ..]`; the caller
/// binds the values (every column but an auto key).
pub(crate) fn insert_on_conflict(
    meta: &'static ModelMeta,
    rows: usize,
    conflict: OnConflict<'_>,
    returning: Returning,
    dialect: &'static dyn Dialect,
) -> String {
    let mut w = Writer::new(meta, dialect);
    super::dml::insert_rows(&mut w, meta, rows, false);
    match conflict {
        OnConflict::Nothing => w.push(" ON CONFLICT DO NOTHING"),
        OnConflict::Update { target, set } => {
            w.push(" ON CONFLICT (");
            for (i, &c) in target.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.ident(meta.columns[c].name);
            }
            w.push(") DO UPDATE SET ");
            for (i, &c) in set.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.ident(meta.columns[c].name);
                w.push(" = EXCLUDED.");
                w.ident(meta.columns[c].name);
            }
        }
    }
    match returning {
        Returning::Nothing => {}
        Returning::Key => {
            w.push(" RETURNING ");
            w.column_at(meta.table, meta.pk_column().name);
        }
        Returning::Row => {
            w.push(" RETURNING ");
            w.model_columns_at(meta, meta.table);
        }
    }
    w.text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::tests::{BOOK, NUMBERED};

    #[test]
    fn ignoring_conflicts_numbers_every_row() {
        let sql = insert_on_conflict(&BOOK, 2, OnConflict::Nothing, Returning::Nothing, &NUMBERED);
        assert_eq!(sql, r#"INSERT INTO "book" ("title", "year") VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"#);
    }

    #[test]
    fn updating_conflicts_names_the_target_and_the_excluded_values() {
        let conflict = OnConflict::Update { target: &[1], set: &[2] };
        let sql = insert_on_conflict(&BOOK, 1, conflict, Returning::Key, &NUMBERED);
        assert_eq!(
            sql,
            r#"INSERT INTO "book" ("title", "year") VALUES ($1, $2) ON CONFLICT ("title") DO UPDATE SET "year" = EXCLUDED."year" RETURNING "book"."id""#
        );
        let sql = insert_on_conflict(&BOOK, 1, conflict, Returning::Row, &NUMBERED);
        assert!(sql.ends_with(r#"RETURNING "book"."id", "book"."title", "book"."year""#), "{sql}");
    }

    #[test]
    fn chosen_columns_by_key() {
        let sql = crate::sql::update_columns_by_pk(&BOOK, &[2, 1], &NUMBERED);
        assert_eq!(sql, r#"UPDATE "book" SET "year" = $1, "title" = $2 WHERE "book"."id" = $3"#);
    }
}
