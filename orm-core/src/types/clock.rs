//! The current time of `auto_now` and `auto_now_add` fields: one reading per
//! statement, so that a created instance holds exactly the time written to its row.

#[cfg(feature = "chrono")]
mod with_chrono {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    use std::cell::Cell;

    /// A type an `auto_now` or `auto_now_add` field can have: chrono's
    /// `DateTime<Utc>`, `NaiveDateTime` (UTC) and `NaiveDate` (today in UTC), or an
    /// `Option` of one.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot hold the current time of `auto_now`",
        label = "not a chrono time type",
        note = "`auto_now` and `auto_now_add` fill `DateTime<Utc>`, `NaiveDateTime` or `NaiveDate` fields (or `Option`s of them)"
    )]
    pub trait AutoTime: Sized {
        #[doc(hidden)]
        fn from_now(now: DateTime<Utc>) -> Self;
    }

    impl AutoTime for DateTime<Utc> {
        fn from_now(now: DateTime<Utc>) -> Self {
            now
        }
    }
    impl AutoTime for NaiveDateTime {
        fn from_now(now: DateTime<Utc>) -> Self {
            now.naive_utc()
        }
    }
    impl AutoTime for NaiveDate {
        fn from_now(now: DateTime<Utc>) -> Self {
            now.date_naive()
        }
    }
    impl<T: AutoTime> AutoTime for Option<T> {
        fn from_now(now: DateTime<Utc>) -> Self {
            Some(T::from_now(now))
        }
    }

    /// Whether a statement holds the clock, and the time it read if it did.
    #[derive(Clone, Copy)]
    enum State {
        Free,
        Held(Option<DateTime<Utc>>),
    }

    thread_local! {
        static CLOCK: Cell<State> = const { Cell::new(State::Free) };
    }

    /// Now, in microseconds (what the databases keep, as Django does).
    fn current() -> DateTime<Utc> {
        let now = Utc::now();
        DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
    }

    /// The current time as `T`: the one time of the statement holding the clock, read
    /// at its first use, or the time of the call.
    pub fn now<T: AutoTime>() -> T {
        let time = CLOCK.with(|clock| match clock.get() {
            State::Free => current(),
            State::Held(Some(time)) => time,
            State::Held(None) => {
                let time = current();
                clock.set(State::Held(Some(time)));
                time
            }
        });
        T::from_now(time)
    }

    /// Holds one current time for the values and instances of a statement, until
    /// dropped (nothing is read unless a field asks).
    pub(crate) struct Clock(State);

    impl Clock {
        pub(crate) fn hold() -> Clock {
            Clock(CLOCK.with(|clock| {
                let outer = clock.get();
                if let State::Free = outer {
                    clock.set(State::Held(None));
                }
                outer
            }))
        }
    }

    impl Drop for Clock {
        fn drop(&mut self) {
            if let State::Free = self.0 {
                CLOCK.with(|clock| clock.set(State::Free));
            }
        }
    }
}

#[cfg(feature = "chrono")]
pub(crate) use with_chrono::Clock;
#[cfg(feature = "chrono")]
pub use with_chrono::{now, AutoTime};

/// Without chrono no field has the current time: holding the clock does nothing.
#[cfg(not(feature = "chrono"))]
pub(crate) struct Clock;

#[cfg(not(feature = "chrono"))]
impl Clock {
    #[inline]
    pub(crate) fn hold() -> Clock {
        Clock
    }
}
