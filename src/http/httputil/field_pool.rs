//! Field lists kept for reuse on each thread.
//!
//! A server makes two field lists per request (the request's and the
//! response's) and frees both as the request ends: with the system
//! allocator, an allocation and a free each, about as much work as
//! reading the request head. A list given up with its room intact goes
//! to a small pool on its thread instead, and the next list made there
//! with [`HttpHeaders::with_capacity`](super::HttpHeaders::with_capacity)
//! takes it. What the pool holds is bounded per thread.

use std::cell::RefCell;

use http::{HeaderName, HeaderValue};

/// A field list's storage.
pub(super) type Fields = Vec<(HeaderName, HeaderValue)>;

/// The most lists one thread keeps.
const POOL_SIZE: usize = 16;

/// The least room a pooled list has: that of most request heads, so that
/// a list made for a few response fields serves a request next.
const LEAST_ROOM: usize = 8;

/// The most room a pooled list may have: bigger ones are freed.
const MOST_ROOM: usize = 64;

thread_local! {
    static POOL: RefCell<Vec<Fields>> = const { RefCell::new(Vec::new()) };
}

/// An empty list with room for at least `capacity` fields: the list last
/// given to the pool when it has that room (and not much more), else a
/// new one.
pub(super) fn take(capacity: usize) -> Fields {
    let room = capacity..=(2 * capacity).max(LEAST_ROOM);
    // A thread tearing down its locals has no pool: allocate.
    let pooled = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        match pool.last() {
            Some(fields) if room.contains(&fields.capacity()) => pool.pop(),
            _ => None,
        }
    });
    pooled
        .ok()
        .flatten()
        .unwrap_or_else(|| Fields::with_capacity(capacity.max(LEAST_ROOM)))
}

/// Gives up `fields`: emptied and kept for reuse when its room is within
/// bounds, dropped otherwise.
pub(super) fn give(mut fields: Fields) {
    if !(LEAST_ROOM..=MOST_ROOM).contains(&fields.capacity()) {
        return;
    }
    fields.clear();
    // A thread tearing down its locals has no pool: the list is freed.
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < POOL_SIZE {
            pool.push(fields);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many lists this thread's pool holds.
    fn pooled() -> usize {
        POOL.with(|pool| pool.borrow().len())
    }

    #[test]
    fn a_list_given_up_is_emptied_and_taken_again() {
        let mut fields = take(2);
        assert!(fields.capacity() >= LEAST_ROOM);
        fields.push((http::header::HOST, HeaderValue::from_static("a")));
        let before = pooled();
        give(fields);
        assert_eq!(pooled(), before + 1);
        let again = take(LEAST_ROOM);
        assert!(again.is_empty());
        assert_eq!(pooled(), before);
    }

    #[test]
    fn lists_too_small_or_too_big_are_not_kept_and_the_pool_is_bounded() {
        let before = pooled();
        give(Fields::with_capacity(1));
        give(Fields::with_capacity(MOST_ROOM + 1));
        assert_eq!(pooled(), before);
        for _ in 0..2 * POOL_SIZE {
            give(Fields::with_capacity(LEAST_ROOM));
        }
        assert_eq!(pooled(), POOL_SIZE);
        let big = take(MOST_ROOM);
        assert!(big.capacity() >= MOST_ROOM);
        assert_eq!(
            pooled(),
            POOL_SIZE,
            "a list too small for the request stays"
        );
    }

    #[test]
    fn a_list_much_larger_than_asked_for_stays_in_the_pool() {
        give(Fields::with_capacity(MOST_ROOM));
        let before = pooled();
        let small = take(2);
        assert!(small.capacity() < MOST_ROOM);
        assert_eq!(pooled(), before);
    }
}
