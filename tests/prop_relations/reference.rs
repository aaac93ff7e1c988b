//! The reference side of the relation properties: lookups as data, filter trees as `Q`
//! builds them, their evaluation with Django's semantics, and the `Q` each builds.

use super::*;

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) enum Cmp<V> {
    Eq(V),
    Ne(V),
    In(Vec<V>),
    IsNull(bool),
    Gt(V),
    Gte(V),
    Lt(V),
    Lte(V),
    Range(V, V),
}

impl<V: Clone + Nullish> Cmp<V> {
    /// `ne(v)` is built as `!eq(v)`.
    pub(crate) fn ne_as_eq(&self) -> Option<Self> {
        match self {
            Cmp::Ne(v) => Some(Cmp::Eq(v.clone())),
            _ => None,
        }
    }

    /// `is_in` of nothing but NULLs is `Q::none()`.
    pub(crate) fn is_nothing(&self) -> bool {
        matches!(self, Cmp::In(vs) if vs.iter().all(Nullish::is_null))
    }

    pub(crate) fn map<W>(&self, f: impl Fn(&V) -> W) -> Cmp<W> {
        match self {
            Cmp::Eq(v) => Cmp::Eq(f(v)),
            Cmp::Ne(v) => Cmp::Ne(f(v)),
            Cmp::In(vs) => Cmp::In(vs.iter().map(f).collect()),
            Cmp::IsNull(b) => Cmp::IsNull(*b),
            Cmp::Gt(v) => Cmp::Gt(f(v)),
            Cmp::Gte(v) => Cmp::Gte(f(v)),
            Cmp::Lt(v) => Cmp::Lt(f(v)),
            Cmp::Lte(v) => Cmp::Lte(f(v)),
            Cmp::Range(lo, hi) => Cmp::Range(f(lo), f(hi)),
        }
    }
}

/// A lookup on a (non-null) text column.
#[derive(Debug, Clone)]
pub(crate) enum Text {
    Cmp(Cmp<String>),
    Contains(String),
    IContains(String),
    StartsWith(String),
    IEndsWith(String),
    IExact(String),
}

impl Text {
    pub(crate) fn ne_as_eq(&self) -> Option<Self> {
        match self {
            Text::Cmp(c) => c.ne_as_eq().map(Text::Cmp),
            _ => None,
        }
    }

    pub(crate) fn is_nothing(&self) -> bool {
        matches!(self, Text::Cmp(c) if c.is_nothing())
    }
}

/// A comparison between two columns (Django's `F()`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FOp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

pub(crate) trait Nullish {
    fn is_null(&self) -> bool;
}
impl Nullish for i32 {
    fn is_null(&self) -> bool {
        false
    }
}
impl Nullish for i64 {
    fn is_null(&self) -> bool {
        false
    }
}
impl Nullish for String {
    fn is_null(&self) -> bool {
        false
    }
}
impl<T> Nullish for Option<T> {
    fn is_null(&self) -> bool {
        self.is_none()
    }
}

// ---------------------------------------------------------------------------
// Filter trees and the reference's view of them
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) enum Node<L> {
    Leaf(L),
    And(Box<Node<L>>, Box<Node<L>>),
    Or(Box<Node<L>>, Box<Node<L>>),
    Not(Box<Node<L>>),
}

/// A leaf of a filter tree.
pub(crate) trait Atom: Clone {
    /// `Some(eq)` when the leaf is built as `!eq`.
    fn ne_as_eq(&self) -> Option<Self>;
    /// `Some(true)` for `Q::all()`, `Some(false)` for `Q::none()` (or what builds it).
    fn constant(&self) -> Option<bool>;
    /// Whether the leaf follows a many-valued relation.
    fn many(&self) -> bool;
}

/// A condition as `Q` builds it.
#[derive(Debug, Clone)]
pub(crate) enum R<L> {
    Atom(L),
    And(Vec<R<L>>),
    Or(Vec<R<L>>),
    Not(Box<R<L>>),
    All,
    Nothing,
}

pub(crate) fn r_and<L>(a: R<L>, b: R<L>) -> R<L> {
    match (a, b) {
        (R::Nothing, _) | (_, R::Nothing) => R::Nothing,
        (R::All, c) | (c, R::All) => c,
        (R::And(mut a), R::And(b)) => {
            a.extend(b);
            R::And(a)
        }
        (R::And(mut a), c) => {
            a.push(c);
            R::And(a)
        }
        (a, b) => R::And(vec![a, b]),
    }
}

pub(crate) fn r_or<L>(a: R<L>, b: R<L>) -> R<L> {
    match (a, b) {
        (R::All, _) | (_, R::All) => R::All,
        (R::Nothing, c) | (c, R::Nothing) => c,
        (R::Or(mut a), R::Or(b)) => {
            a.extend(b);
            R::Or(a)
        }
        (R::Or(mut a), c) => {
            a.push(c);
            R::Or(a)
        }
        (a, b) => R::Or(vec![a, b]),
    }
}

pub(crate) fn r_not<L>(a: R<L>) -> R<L> {
    match a {
        R::Nothing => R::All,
        R::All => R::Nothing,
        R::Not(inner) => *inner,
        c => R::Not(Box::new(c)),
    }
}

pub(crate) fn lower<L: Atom>(node: &Node<L>) -> R<L> {
    match node {
        Node::Leaf(l) => match (l.constant(), l.ne_as_eq()) {
            (Some(true), _) => R::All,
            (Some(false), _) => R::Nothing,
            (None, Some(eq)) => r_not(R::Atom(eq)),
            (None, None) => R::Atom(l.clone()),
        },
        Node::And(a, b) => r_and(lower(a), lower(b)),
        Node::Or(a, b) => r_or(lower(a), lower(b)),
        Node::Not(a) => r_not(lower(a)),
    }
}

/// One `filter` (`false`) or `exclude` (`true`) call, as the reference sees it.
pub(crate) fn lower_call<L: Atom>((exclude, node): &(bool, Node<L>)) -> R<L> {
    let r = lower(node);
    if *exclude {
        r_not(r)
    } else {
        r
    }
}

/// Whether the condition follows a many-valued relation anywhere.
pub(crate) fn touches_many<L: Atom>(r: &R<L>) -> bool {
    match r {
        R::Atom(l) => l.many(),
        R::And(v) | R::Or(v) => v.iter().any(touches_many),
        R::Not(a) => touches_many(a),
        R::All | R::Nothing => false,
    }
}

/// Whether the main query joins the many-valued relation for this condition: some
/// lookup follows it outside a negation (a negation of such a lookup is a subquery).
pub(crate) fn joins_many<L: Atom>(r: &R<L>) -> bool {
    match r {
        R::Atom(l) => l.many(),
        R::And(v) | R::Or(v) => v.iter().any(joins_many),
        R::Not(_) | R::All | R::Nothing => false,
    }
}

// ---------------------------------------------------------------------------
// Lookup evaluation (Django's semantics: a lookup against NULL is false)
// ---------------------------------------------------------------------------

pub(crate) trait AsOpt<K> {
    fn as_opt(&self) -> Option<&K>;
}
impl<K> AsOpt<K> for K {
    fn as_opt(&self) -> Option<&K> {
        Some(self)
    }
}
impl<K> AsOpt<K> for Option<K> {
    fn as_opt(&self) -> Option<&K> {
        self.as_ref()
    }
}

pub(crate) fn eval_cmp<K: Ord, V: AsOpt<K>>(col: Option<&K>, l: &Cmp<V>) -> bool {
    let both = |v: &V, pred: fn(Ordering) -> bool| match (col, v.as_opt()) {
        (Some(c), Some(v)) => pred(c.cmp(v)),
        _ => false,
    };
    let eq = |v: &V| match v.as_opt() {
        None => col.is_none(),
        Some(v) => col == Some(v),
    };
    match l {
        Cmp::Eq(v) => eq(v),
        Cmp::Ne(v) => !eq(v),
        Cmp::In(vs) => col.is_some_and(|c| vs.iter().any(|v| v.as_opt() == Some(c))),
        Cmp::IsNull(b) => col.is_none() == *b,
        Cmp::Gt(v) => both(v, Ordering::is_gt),
        Cmp::Gte(v) => both(v, Ordering::is_ge),
        Cmp::Lt(v) => both(v, Ordering::is_lt),
        Cmp::Lte(v) => both(v, Ordering::is_le),
        Cmp::Range(lo, hi) => match (col, lo.as_opt(), hi.as_opt()) {
            (Some(c), Some(lo), Some(hi)) => lo <= c && c <= hi,
            _ => false,
        },
    }
}

pub(crate) fn eval_text(col: Option<&String>, l: &Text) -> bool {
    let fold = |s: &str| s.to_lowercase();
    match l {
        Text::Cmp(c) => eval_cmp(col, c),
        Text::Contains(n) => col.is_some_and(|h| h.contains(n.as_str())),
        Text::IContains(n) => col.is_some_and(|h| fold(h).contains(&fold(n))),
        Text::StartsWith(n) => col.is_some_and(|h| h.starts_with(n.as_str())),
        Text::IEndsWith(n) => col.is_some_and(|h| fold(h).ends_with(&fold(n))),
        Text::IExact(n) => col.is_some_and(|h| fold(h) == fold(n)),
    }
}

pub(crate) fn eval_fop(a: Option<i32>, op: FOp, b: Option<i32>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return matches!(op, FOp::Ne);
    };
    match op {
        FOp::Eq => a == b,
        FOp::Ne => a != b,
        FOp::Gt => a > b,
        FOp::Gte => a >= b,
        FOp::Lt => a < b,
        FOp::Lte => a <= b,
    }
}

// ---------------------------------------------------------------------------
// Building Q
// ---------------------------------------------------------------------------

pub(crate) fn cmp_q<T, V>(f: impl Lookups<T>, l: &Cmp<V>) -> Q
where
    T: OrderedColumn,
    V: Operand<T> + Clone,
{
    match l {
        Cmp::Eq(v) => f.eq(v.clone()),
        Cmp::Ne(v) => f.ne(v.clone()),
        Cmp::In(vs) => f.is_in(vs.clone()),
        Cmp::IsNull(b) => f.is_null(*b),
        Cmp::Gt(v) => f.gt(v.clone()),
        Cmp::Gte(v) => f.gte(v.clone()),
        Cmp::Lt(v) => f.lt(v.clone()),
        Cmp::Lte(v) => f.lte(v.clone()),
        Cmp::Range(lo, hi) => f.range(lo.clone(), hi.clone()),
    }
}

pub(crate) fn text_q(f: impl Lookups<String>, l: &Text) -> Q {
    match l {
        Text::Cmp(c) => cmp_q(f, c),
        Text::Contains(v) => f.contains(v.as_str()),
        Text::IContains(v) => f.icontains(v.as_str()),
        Text::StartsWith(v) => f.startswith(v.as_str()),
        Text::IEndsWith(v) => f.iendswith(v.as_str()),
        Text::IExact(v) => f.iexact(v.as_str()),
    }
}

pub(crate) fn fop_q<T: OrderedColumn>(lhs: impl Lookups<T>, op: FOp, rhs: impl Operand<T>) -> Q {
    match op {
        FOp::Eq => lhs.eq(rhs),
        FOp::Ne => lhs.ne(rhs),
        FOp::Gt => lhs.gt(rhs),
        FOp::Gte => lhs.gte(rhs),
        FOp::Lt => lhs.lt(rhs),
        FOp::Lte => lhs.lte(rhs),
    }
}

pub(crate) fn fk(v: &Option<i64>) -> Option<ForeignKey<PAuthor>> {
    v.map(ForeignKey::new)
}

pub(crate) fn tree_q<L>(node: &Node<L>, leaf: &impl Fn(&L) -> Q) -> Q {
    match node {
        Node::Leaf(l) => leaf(l),
        Node::And(a, b) => tree_q(a, leaf) & tree_q(b, leaf),
        Node::Or(a, b) => tree_q(a, leaf) | tree_q(b, leaf),
        Node::Not(a) => !tree_q(a, leaf),
    }
}
