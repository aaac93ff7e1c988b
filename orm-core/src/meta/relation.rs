//! The static description of relations: plain data the derive builds, and the marker
//! traits a reverse side uses to find the relation it reverses.

use super::ModelMeta;

/// What deleting a row does to the rows whose ForeignKey points at it (Django's
/// `on_delete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    /// Delete them too (the default).
    Cascade,
    /// Set their key to NULL (only on a nullable ForeignKey).
    SetNull,
    /// Refuse with `Error::Protected`.
    Protect,
    /// Refuse with `Error::Restricted`, unless they are deleted by the same delete
    /// through another cascade.
    Restrict,
    /// Do nothing (the database's own constraint then decides).
    DoNothing,
}

/// The through table of a ManyToMany.
#[derive(Debug)]
pub struct Through {
    /// The table's name.
    pub table: &'static str,
    /// The column holding the key of the model that declares the field.
    pub source: &'static str,
    /// The column holding the key of the related model.
    pub target: &'static str,
    /// The declared through model, if any (`#[orm(through = "..")]`).
    pub model: Option<fn() -> &'static ModelMeta>,
}

/// What kind of relation a [`RelationMeta`] describes.
#[derive(Debug)]
pub enum RelationKind {
    /// A `ForeignKey` or `OneToOne` declared here: `column` is its index in the owner's
    /// columns.
    ForeignKey {
        /// The key column.
        column: usize,
        /// `on_delete`.
        on_delete: OnDelete,
        /// A `OneToOne`.
        unique: bool,
    },
    /// A `HasMany` or `HasOne`: the reverse side of a ForeignKey declared on the target.
    Reverse {
        /// The ForeignKey on the target model.
        forward: fn() -> &'static RelationMeta,
    },
    /// A `ManyToMany` declared here.
    ManyToMany {
        /// Its through table.
        through: Through,
    },
    /// The reverse side of a `ManyToMany` declared on the target.
    ReverseManyToMany {
        /// The ManyToMany on the target model.
        forward: fn() -> &'static RelationMeta,
    },
}

/// The static description of one relation field, built by `#[derive(Model)]`.
#[derive(Debug)]
pub struct RelationMeta {
    /// The Rust field's name.
    pub name: &'static str,
    /// The model that declares the field.
    pub owner: fn() -> &'static ModelMeta,
    /// The related model.
    pub target: fn() -> &'static ModelMeta,
    /// Its kind.
    pub kind: RelationKind,
}

impl RelationMeta {
    /// Whether one owner row relates to many target rows.
    pub fn is_many(&self) -> bool {
        match &self.kind {
            RelationKind::ForeignKey { .. } => false,
            RelationKind::Reverse { forward } => {
                !matches!(forward().kind, RelationKind::ForeignKey { unique: true, .. })
            }
            RelationKind::ManyToMany { .. } | RelationKind::ReverseManyToMany { .. } => true,
        }
    }

    /// Whether following it may find no row (so a join along it must be LEFT OUTER
    /// unless a condition requires the row): anything but a non-null ForeignKey.
    pub fn may_be_missing(&self) -> bool {
        match &self.kind {
            RelationKind::ForeignKey { column, .. } => (self.owner)().columns[*column].nullable,
            _ => true,
        }
    }

    /// The SQL join from the owner (`from`) to the target, as a list of steps: each is
    /// `(table, column on the new table, column on the previous table)`.
    pub(crate) fn join_steps(&self) -> Vec<JoinStep> {
        let owner = (self.owner)();
        let target = (self.target)();
        match &self.kind {
            RelationKind::ForeignKey { column, .. } => vec![JoinStep {
                table: target.table,
                new_column: target.pk_column().name,
                prev_column: owner.columns[*column].name,
            }],
            RelationKind::Reverse { forward } => {
                let RelationKind::ForeignKey { column, .. } = forward().kind else { unreachable_kind() };
                vec![JoinStep {
                    table: target.table,
                    new_column: target.columns[column].name,
                    prev_column: owner.pk_column().name,
                }]
            }
            RelationKind::ManyToMany { through } => m2m_steps(through, owner, target, false),
            RelationKind::ReverseManyToMany { forward } => {
                let RelationKind::ManyToMany { through } = &forward().kind else { unreachable_kind() };
                m2m_steps(through, owner, target, true)
            }
        }
    }
}

fn unreachable_kind() -> ! {
    // The derive checks that a reverse side names a relation of the right kind.
    panic!("a reverse relation's forward side has the wrong kind; this is a bug in orm's derive")
}

fn m2m_steps(through: &Through, owner: &'static ModelMeta, target: &'static ModelMeta, reverse: bool) -> Vec<JoinStep> {
    let (near, far) = if reverse { (through.target, through.source) } else { (through.source, through.target) };
    vec![
        JoinStep { table: through.table, new_column: near, prev_column: owner.pk_column().name },
        JoinStep { table: target.table, new_column: target.pk_column().name, prev_column: far },
    ]
}

/// One table joined on the way along a relation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JoinStep {
    pub table: &'static str,
    pub new_column: &'static str,
    pub prev_column: &'static str,
}

/// A ForeignKey (or OneToOne) on `Self` pointing at `Target`, told apart from others
/// by `Which`. Implemented by `#[derive(Model)]`; it lets a `HasMany`/`HasOne` find the
/// ForeignKey it reverses.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no ForeignKey to `{Target}` that this reverse side can follow",
    label = "no matching ForeignKey on `{Self}`",
    note = "a HasMany<{Self}> on `{Target}` reverses a `ForeignKey<{Target}>` field of `{Self}`: a bare #[orm(related)] needs exactly one such field; with none, add one; with several, name the one to follow: #[orm(related = \"field\")]",
    note = "a OneToOne's reverse side is a HasOne, not a HasMany"
)]
#[doc(hidden)]
pub trait ForeignKeyTo<Target, Which> {
    const INDEX: usize;
}

/// A OneToOne on `Self` pointing at `Target` (see [`ForeignKeyTo`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no OneToOne to `{Target}` that this reverse side can follow",
    label = "no matching OneToOne on `{Self}`",
    note = "a HasOne<{Self}> on `{Target}` reverses a `OneToOne<{Target}>` field of `{Self}`: a bare #[orm(related)] needs exactly one such field; with none, add one; with several, name the one to follow: #[orm(related = \"field\")]",
    note = "a ForeignKey's reverse side is a HasMany, not a HasOne"
)]
#[doc(hidden)]
pub trait OneToOneTo<Target, Which> {
    const INDEX: usize;
}

/// A ManyToMany on `Self` pointing at `Target` (see [`ForeignKeyTo`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no ManyToMany to `{Target}` that this reverse side can follow",
    label = "no matching ManyToMany on `{Self}`",
    note = "a reverse ManyToMany<{Self}> on `{Target}` follows a forward `ManyToMany<{Target}>` field of `{Self}`: a bare #[orm(related)] needs exactly one such field; with several, name the one to follow: #[orm(related = \"field\")]"
)]
#[doc(hidden)]
pub trait ManyToManyTo<Target, Which> {
    const INDEX: usize;
}

/// Tells relations apart by the hash of their field's name.
#[doc(hidden)]
pub struct Named<const HASH: u64>;

/// The only relation of its kind from a model to a target: what a bare
/// `#[orm(related)]` names.
#[doc(hidden)]
pub struct Sole;

/// The index of the ForeignKey that a reverse relation names (or the only one).
#[doc(hidden)]
pub const fn foreign_key_index<Owner: ForeignKeyTo<Target, W>, Target, W>() -> usize {
    Owner::INDEX
}

/// The index of the OneToOne that a reverse relation names (or the only one).
#[doc(hidden)]
pub const fn one_to_one_index<Owner: OneToOneTo<Target, W>, Target, W>() -> usize {
    Owner::INDEX
}

/// The index of the ManyToMany that a reverse relation names (or the only one).
#[doc(hidden)]
pub const fn many_to_many_index<Owner: ManyToManyTo<Target, W>, Target, W>() -> usize {
    Owner::INDEX
}

/// The forward ManyToMany of a reverse side, or the relation itself.
pub(crate) fn m2m_through(relation: &'static RelationMeta) -> Option<(&'static Through, bool)> {
    match &relation.kind {
        RelationKind::ManyToMany { through } => Some((through, false)),
        RelationKind::ReverseManyToMany { forward } => match &forward().kind {
            RelationKind::ManyToMany { through } => Some((through, true)),
            _ => None,
        },
        _ => None,
    }
}
