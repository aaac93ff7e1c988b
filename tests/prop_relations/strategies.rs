//! The random worlds, lookups and filter trees of the relation properties.

use super::*;

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

pub(crate) const ALPHABET: &[&str] = &["a", "A", "é"];

pub(crate) fn text(max_len: usize) -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..=max_len).prop_map(|v| v.concat())
}

pub(crate) fn int() -> impl Strategy<Value = i32> + Clone {
    0..4i32
}

pub(crate) fn key() -> impl Strategy<Value = i64> + Clone {
    0..8i64
}

pub(crate) fn cmp_s<V: Clone + Debug + 'static>(
    v: impl Strategy<Value = V> + Clone + 'static,
) -> BoxedStrategy<Cmp<V>> {
    prop_oneof![
        3 => v.clone().prop_map(Cmp::Eq),
        2 => v.clone().prop_map(Cmp::Ne),
        2 => prop::collection::vec(v.clone(), 0..4).prop_map(Cmp::In),
        3 => any::<bool>().prop_map(Cmp::IsNull),
        1 => v.clone().prop_map(Cmp::Gt),
        1 => v.clone().prop_map(Cmp::Gte),
        1 => v.clone().prop_map(Cmp::Lt),
        1 => v.clone().prop_map(Cmp::Lte),
        1 => (v.clone(), v).prop_map(|(lo, hi)| Cmp::Range(lo, hi)),
    ]
    .boxed()
}

pub(crate) fn text_s() -> BoxedStrategy<Text> {
    prop_oneof![
        4 => cmp_s(text(1)).prop_map(Text::Cmp),
        1 => text(1).prop_map(Text::Contains),
        1 => text(1).prop_map(Text::IContains),
        1 => text(1).prop_map(Text::StartsWith),
        1 => text(1).prop_map(Text::IEndsWith),
        1 => text(1).prop_map(Text::IExact),
    ]
    .boxed()
}

pub(crate) fn fop_s() -> impl Strategy<Value = FOp> {
    prop::sample::select(vec![FOp::Eq, FOp::Ne, FOp::Gt, FOp::Gte, FOp::Lt, FOp::Lte])
}

pub(crate) fn opt<V: Clone + Debug>(v: impl Strategy<Value = V> + Clone) -> impl Strategy<Value = Option<V>> + Clone {
    prop::option::weighted(0.8, v)
}

pub(crate) fn tree<L: Clone + Debug + 'static>(leaf: BoxedStrategy<L>) -> impl Strategy<Value = Node<L>> {
    leaf.prop_map(Node::Leaf).prop_recursive(3, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Node::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Node::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Node::Not(Box::new(a))),
        ]
    })
}

pub(crate) fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec((text(1), prop::option::weighted(0.7, int())), 0..6),
        prop::collection::vec((text(1), int(), prop::option::weighted(0.8, 0..6usize)), 0..15),
    )
        .prop_map(|(authors, books)| World { authors, books })
}

pub(crate) fn book_leaf() -> BoxedStrategy<BookLeaf> {
    prop_oneof![
        2 => text_s().prop_map(BookLeaf::Title),
        2 => cmp_s(int()).prop_map(BookLeaf::Year),
        2 => cmp_s(opt(key())).prop_map(BookLeaf::Fk),
        2 => cmp_s(key()).prop_map(BookLeaf::AuthorId),
        3 => text_s().prop_map(BookLeaf::AuthorName),
        3 => cmp_s(opt(int())).prop_map(BookLeaf::AuthorBorn),
        2 => fop_s().prop_map(BookLeaf::YearVsBorn),
        1 => Just(BookLeaf::All),
        1 => Just(BookLeaf::Nothing),
    ]
    .boxed()
}

pub(crate) fn author_leaf() -> BoxedStrategy<AuthorLeaf> {
    prop_oneof![
        2 => text_s().prop_map(AuthorLeaf::Name),
        2 => cmp_s(opt(int())).prop_map(AuthorLeaf::Born),
        2 => cmp_s(0..17i64).prop_map(AuthorLeaf::BookId),
        2 => text_s().prop_map(AuthorLeaf::BookTitle),
        4 => cmp_s(int()).prop_map(AuthorLeaf::BookYear),
        1 => cmp_s(opt(key())).prop_map(AuthorLeaf::BookFk),
        1 => text_s().prop_map(AuthorLeaf::BookAuthorName),
        2 => fop_s().prop_map(AuthorLeaf::BornVsYear),
        1 => Just(AuthorLeaf::All),
        1 => Just(AuthorLeaf::Nothing),
    ]
    .boxed()
}

pub(crate) fn book_case() -> impl Strategy<Value = BookCase> {
    (world(), prop::collection::vec((any::<bool>(), tree(book_leaf())), 1..=2))
        .prop_map(|(world, calls)| BookCase { world, calls })
}

pub(crate) fn author_case() -> impl Strategy<Value = AuthorCase> {
    (world(), prop::collection::vec((any::<bool>(), tree(author_leaf())), 1..=2))
        .prop_map(|(world, calls)| AuthorCase { world, calls })
}
