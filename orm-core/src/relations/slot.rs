//! One word of storage for what a relation field holds: the loaded instance (or list),
//! "loaded, no row", or, while nothing is loaded, the relation the field belongs to, so
//! that `Error::NotLoaded` can name `Book.author` without a second word in every row.
//!
//! The word is a tagged pointer. Its states:
//!
//! | bits                      | state                                        |
//! |---------------------------|----------------------------------------------|
//! | `0`                       | not loaded, relation unknown (built by hand) |
//! | `&'static RelationMeta \| 1` | not loaded, the field's relation          |
//! | `2`                       | loaded, no related row                       |
//! | a pointer from `P::into_raw` (a multiple of 4, never 0) | loaded         |
//!
//! [`Aligned`] gives every pointee an alignment of at least 4, and `RelationMeta` holds
//! pointers (alignment 8), so the low two bits of a real pointer are always zero.

use crate::meta::RelationMeta;
use crate::model::Aligned;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::sync::Arc;

const NAMED: usize = 1;
const ABSENT: usize = 2;

/// An owning pointer that can travel as a raw pointer: `Box` or `Arc` of an
/// [`Aligned`] value.
///
/// # Safety
/// `from_raw(into_raw(p))` must give back `p`, and `into_raw` must return a non-null
/// pointer aligned to at least 4.
pub(crate) unsafe trait SlotPointer: Sized {
    type Target;
    fn into_raw(self) -> *const Self::Target;
    /// # Safety
    /// `ptr` comes from `into_raw` and is given back once.
    unsafe fn from_raw(ptr: *const Self::Target) -> Self;
}

// SAFETY: Box's raw pointer round-trips, is non-null and aligned to `Aligned<T>` (>= 4).
unsafe impl<T> SlotPointer for Box<Aligned<T>> {
    type Target = Aligned<T>;
    fn into_raw(self) -> *const Aligned<T> {
        Box::into_raw(self)
    }
    unsafe fn from_raw(ptr: *const Aligned<T>) -> Self {
        // SAFETY: the caller gives back a pointer from `Box::into_raw`, once.
        unsafe { Box::from_raw(ptr as *mut Aligned<T>) }
    }
}

// SAFETY: Arc's raw pointer round-trips, is non-null and points at the `Aligned<T>`
// value inside the allocation, so it is aligned to at least 4.
unsafe impl<T> SlotPointer for Arc<Aligned<T>> {
    type Target = Aligned<T>;
    fn into_raw(self) -> *const Aligned<T> {
        Arc::into_raw(self)
    }
    unsafe fn from_raw(ptr: *const Aligned<T>) -> Self {
        // SAFETY: the caller gives back a pointer from `Arc::into_raw`, once.
        unsafe { Arc::from_raw(ptr) }
    }
}

/// What a [`Slot`] holds.
pub(crate) enum State<'a, T> {
    NotLoaded(Option<&'static RelationMeta>),
    Absent,
    Present(&'a T),
}

/// See the module documentation.
pub(crate) struct Slot<P: SlotPointer> {
    bits: usize,
    _owns: PhantomData<P>,
}

// SAFETY: a Slot owns at most one `P` (the `&'static RelationMeta` is shared data that
// is Sync), so it may cross threads exactly when `P` may.
unsafe impl<P: SlotPointer + Send> Send for Slot<P> {}
// SAFETY: as above; `&Slot` only gives out `&P::Target`.
unsafe impl<P: SlotPointer + Sync> Sync for Slot<P> {}

impl<P: SlotPointer> Slot<P> {
    /// Not loaded; the relation unknown.
    pub(crate) const fn empty() -> Self {
        Slot { bits: 0, _owns: PhantomData }
    }

    /// Not loaded, belonging to `relation`.
    pub(crate) fn named(relation: &'static RelationMeta) -> Self {
        let ptr = relation as *const RelationMeta as usize;
        debug_assert_eq!(ptr & 3, 0, "RelationMeta holds pointers and is aligned to 8");
        Slot { bits: ptr | NAMED, _owns: PhantomData }
    }

    /// Loaded: no related row.
    pub(crate) const fn absent() -> Self {
        Slot { bits: ABSENT, _owns: PhantomData }
    }

    /// Loaded: this value.
    pub(crate) fn present(value: P) -> Self {
        let bits = value.into_raw() as usize;
        debug_assert!(bits != 0 && bits & 3 == 0, "SlotPointer gives aligned non-null pointers");
        Slot { bits, _owns: PhantomData }
    }

    fn pointer(&self) -> Option<*const P::Target> {
        (self.bits != 0 && self.bits & 3 == 0).then_some(self.bits as *const P::Target)
    }

    pub(crate) fn state(&self) -> State<'_, P::Target> {
        match self.pointer() {
            // SAFETY: a pointer state holds a live `P`, owned by this slot.
            Some(ptr) => State::Present(unsafe { &*ptr }),
            None if self.bits == ABSENT => State::Absent,
            None if self.bits & NAMED != 0 => {
                // SAFETY: the bits were made from a `&'static RelationMeta` in `named`.
                State::NotLoaded(Some(unsafe { &*((self.bits & !NAMED) as *const RelationMeta) }))
            }
            None => State::NotLoaded(None),
        }
    }

    pub(crate) fn is_loaded(&self) -> bool {
        !matches!(self.state(), State::NotLoaded(_))
    }

    /// The relation this slot belongs to, while not loaded.
    pub(crate) fn relation(&self) -> Option<&'static RelationMeta> {
        match self.state() {
            State::NotLoaded(relation) => relation,
            _ => None,
        }
    }

    /// Runs `f` on the owned pointer, if loaded.
    fn with_pointer<R>(&mut self, f: impl FnOnce(&mut P) -> R) -> Option<R> {
        let ptr = self.pointer()?;
        // SAFETY: the pointer came from `into_raw`; ManuallyDrop keeps this slot the owner.
        let mut owned = ManuallyDrop::new(unsafe { P::from_raw(ptr) });
        let out = f(&mut owned);
        // `f` may not replace the pointer (it only gets `&mut P` for `get_mut`-like
        // access), so the bits stay valid.
        debug_assert_eq!(ManuallyDrop::into_inner(owned).into_raw() as usize, self.bits);
        Some(out)
    }

    /// Replaces the contents. Storing "not loaded" keeps the relation's name.
    pub(crate) fn set(&mut self, mut next: Slot<P>) {
        if matches!(next.state(), State::NotLoaded(None)) {
            if let Some(relation) = self.relation() {
                next = Slot::named(relation);
            }
        }
        *self = next;
    }

    /// Names the relation of a slot that is not loaded.
    pub(crate) fn name(&mut self, relation: &'static RelationMeta) {
        if self.bits == 0 {
            *self = Slot::named(relation);
        }
    }
}

impl<T> Slot<Box<Aligned<T>>> {
    /// The loaded value, to change it.
    pub(crate) fn present_mut(&mut self) -> Option<&mut T> {
        let ptr = self.pointer()?;
        // SAFETY: the slot owns the box uniquely, and `&mut self` borrows it.
        Some(unsafe { &mut (*(ptr as *mut Aligned<T>)).0 })
    }
}

impl<T> Slot<Arc<Aligned<T>>> {
    /// The loaded value, to change it, if no other slot shares it.
    pub(crate) fn present_mut(&mut self) -> Option<&mut T> {
        let ptr = self.pointer()?;
        let unique = self.with_pointer(|arc| Arc::get_mut(arc).is_some())?;
        // SAFETY: no other Arc points at the value (checked above, and `&mut self`
        // keeps this one from being cloned meanwhile).
        unique.then(|| unsafe { &mut (*(ptr as *mut Aligned<T>)).0 })
    }
}

impl<P: SlotPointer> Drop for Slot<P> {
    fn drop(&mut self) {
        if let Some(ptr) = self.pointer() {
            // SAFETY: the slot owns the pointer and gives it back once, here.
            drop(unsafe { P::from_raw(ptr) });
        }
    }
}

impl<P: SlotPointer + Clone> Clone for Slot<P> {
    fn clone(&self) -> Self {
        match self.pointer() {
            Some(ptr) => {
                // SAFETY: borrowed as ManuallyDrop: this slot keeps ownership.
                let owned = ManuallyDrop::new(unsafe { P::from_raw(ptr) });
                Slot::present(P::clone(&owned))
            }
            None => Slot { bits: self.bits, _owns: PhantomData },
        }
    }
}

impl<P: SlotPointer> Default for Slot<P> {
    fn default() -> Self {
        Slot::empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_round_trips_and_values_are_dropped_once() {
        let counter = Arc::new(());
        let mut slot: Slot<Box<Aligned<Arc<()>>>> = Slot::present(Box::new(Aligned(counter.clone())));
        assert_eq!(Arc::strong_count(&counter), 2);
        let copy = slot.clone();
        assert_eq!(Arc::strong_count(&counter), 3);
        drop(copy);
        assert!(slot.present_mut().is_some());
        slot.set(Slot::absent());
        assert_eq!(Arc::strong_count(&counter), 1);
        assert!(matches!(slot.state(), State::Absent));
        let shared: Slot<Arc<Aligned<u8>>> = Slot::present(Arc::new(Aligned(7)));
        let mut other = shared.clone();
        assert!(other.present_mut().is_none(), "shared: not to be changed");
        drop(shared);
        assert_eq!(other.present_mut().map(|v| *v), Some(7));
        let empty: Slot<Arc<Aligned<u8>>> = Slot::empty();
        assert!(matches!(empty.state(), State::NotLoaded(None)));
    }
}
