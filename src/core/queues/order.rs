//! The order in which a queue hands out its items: first in first out,
//! last in first out, or smallest first.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// How an [`OrderedQueue`](super::OrderedQueue) stores its items and which one `get`
/// returns next — the only thing that differs between [`Queue`](super::Queue),
/// [`PriorityQueue`](super::PriorityQueue) and [`LifoQueue`](super::LifoQueue).
///
/// It plays the part of the `_init`, `_put` and `_get` methods a Tornado
/// `Queue` subclass overrides; implement it to define another order and
/// build the queue with `OrderedQueue::<T, YourOrder>::new`.
pub trait QueueOrder<T> {
    /// The container of the queued items.
    type Store: Default;

    /// Adds an item.
    fn put(store: &mut Self::Store, item: T);

    /// Removes the item to hand out next, if any.
    fn get(store: &mut Self::Store) -> Option<T>;

    /// Puts back an item that [`get`](QueueOrder::get) just removed but
    /// that could not be delivered, so that it is the next one out again.
    fn put_back(store: &mut Self::Store, item: T);

    /// The number of items stored.
    fn len(store: &Self::Store) -> usize;
}

/// First in, first out: the order of [`Queue`](super::Queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fifo;

impl<T> QueueOrder<T> for Fifo {
    type Store = VecDeque<T>;

    fn put(store: &mut VecDeque<T>, item: T) {
        store.push_back(item);
    }

    fn get(store: &mut VecDeque<T>) -> Option<T> {
        store.pop_front()
    }

    fn put_back(store: &mut VecDeque<T>, item: T) {
        store.push_front(item);
    }

    fn len(store: &VecDeque<T>) -> usize {
        store.len()
    }
}

/// Last in, first out: the order of [`LifoQueue`](super::LifoQueue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lifo;

impl<T> QueueOrder<T> for Lifo {
    type Store = Vec<T>;

    fn put(store: &mut Vec<T>, item: T) {
        store.push(item);
    }

    fn get(store: &mut Vec<T>) -> Option<T> {
        store.pop()
    }

    fn put_back(store: &mut Vec<T>, item: T) {
        store.push(item);
    }

    fn len(store: &Vec<T>) -> usize {
        store.len()
    }
}

/// Smallest first (a binary min-heap, as Python's `heapq`): the order of
/// [`PriorityQueue`](super::PriorityQueue). Items that compare equal come
/// out in no particular order; put `(priority, sequence, item)` tuples to
/// make ties first-in first-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Priority;

impl<T: Ord> QueueOrder<T> for Priority {
    type Store = BinaryHeap<Reverse<T>>;

    fn put(store: &mut Self::Store, item: T) {
        store.push(Reverse(item));
    }

    fn get(store: &mut Self::Store) -> Option<T> {
        store.pop().map(|Reverse(item)| item)
    }

    fn put_back(store: &mut Self::Store, item: T) {
        store.push(Reverse(item));
    }

    fn len(store: &Self::Store) -> usize {
        store.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled<O: QueueOrder<u32>>(items: &[u32]) -> O::Store {
        let mut store = O::Store::default();
        for &item in items {
            O::put(&mut store, item);
        }
        store
    }

    fn drain<O: QueueOrder<u32>>(items: &[u32]) -> Vec<u32> {
        let mut store = filled::<O>(items);
        let out = std::iter::from_fn(|| O::get(&mut store)).collect();
        assert_eq!(O::len(&store), 0);
        out
    }

    fn put_back_comes_out_next<O: QueueOrder<u32>>() {
        let mut store = filled::<O>(&[1, 3, 2]);
        let first = O::get(&mut store).unwrap();
        O::put_back(&mut store, first);
        assert_eq!(O::len(&store), 3);
        assert_eq!(O::get(&mut store), Some(first));
    }

    #[test]
    fn each_order_hands_out_items_in_its_own_order() {
        assert_eq!(drain::<Fifo>(&[1, 3, 2]), [1, 3, 2]);
        assert_eq!(drain::<Lifo>(&[1, 3, 2]), [2, 3, 1]);
        assert_eq!(drain::<Priority>(&[1, 3, 2]), [1, 2, 3]);
    }

    #[test]
    fn an_item_put_back_is_the_next_out() {
        put_back_comes_out_next::<Fifo>();
        put_back_comes_out_next::<Lifo>();
        put_back_comes_out_next::<Priority>();
    }
}
