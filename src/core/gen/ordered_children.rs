//! Polling many futures in place, each only when woken, always in input
//! order — so that children which yield to the loop take turns in the same
//! order on every round, whatever order the runtime delivers wake-ups in.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

/// The children woken since the last pass, and the task polling them.
struct WakeLog {
    woken: Mutex<BTreeSet<usize>>,
    parent: Mutex<Option<Waker>>,
}

impl WakeLog {
    fn take_woken(&self) -> BTreeSet<usize> {
        std::mem::take(&mut *self.woken.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn set_parent(&self, waker: &Waker) {
        let mut parent = self.parent.lock().unwrap_or_else(PoisonError::into_inner);
        if !parent.as_ref().is_some_and(|p| p.will_wake(waker)) {
            *parent = Some(waker.clone());
        }
    }
}

/// The waker handed to one child: records the child as woken and wakes the
/// polling task.
struct ChildWaker {
    index: usize,
    log: Arc<WakeLog>,
}

impl Wake for ChildWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.log
            .woken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(self.index);
        let parent = self
            .log
            .parent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

/// One child: running with its own waker, or finished.
enum Child<F: Future> {
    Running(Pin<Box<F>>, Waker),
    Finished(Option<F::Output>),
}

/// Futures polled in place; resolves to all their outputs in input order.
pub(super) struct OrderedChildren<F: Future> {
    children: Vec<Child<F>>,
    running: usize,
    log: Arc<WakeLog>,
}

impl<F: Future> OrderedChildren<F> {
    pub(super) fn new(futures: impl IntoIterator<Item = F>) -> Self {
        let log = Arc::new(WakeLog {
            woken: Mutex::new(BTreeSet::new()),
            parent: Mutex::new(None),
        });
        let children: Vec<Child<F>> = futures
            .into_iter()
            .enumerate()
            .map(|(index, future)| {
                let waker = Waker::from(Arc::new(ChildWaker {
                    index,
                    log: Arc::clone(&log),
                }));
                Child::Running(Box::pin(future), waker)
            })
            .collect();
        // Every child gets a first poll.
        log.woken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(0..children.len());
        OrderedChildren {
            running: children.len(),
            children,
            log,
        }
    }

    /// Polls, in input order, each child woken since the last call — once:
    /// a child that wakes itself is polled again on the next call, after the
    /// task has yielded to the loop. Ready once every child has finished.
    pub(super) fn poll_all(&mut self, cx: &mut Context<'_>) -> Poll<Vec<F::Output>> {
        self.log.set_parent(cx.waker());
        for index in self.log.take_woken() {
            let Some(child) = self.children.get_mut(index) else {
                continue;
            };
            if let Child::Running(future, waker) = child
                && let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(waker))
            {
                *child = Child::Finished(Some(output));
                self.running -= 1;
            }
        }
        if self.running > 0 {
            return Poll::Pending;
        }
        Poll::Ready(
            self.children
                .iter_mut()
                .filter_map(|child| match child {
                    Child::Finished(output) => output.take(),
                    Child::Running(..) => None,
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[tokio::test]
    async fn woken_children_are_polled_in_input_order() {
        let trace = RefCell::new(String::new());
        let child = |name: char| {
            let trace = &trace;
            async move {
                for _ in 0..3 {
                    trace.borrow_mut().push(name);
                    tokio::task::yield_now().await;
                }
                name
            }
        };
        let mut children = OrderedChildren::new([child('a'), child('b'), child('c')]);
        let outputs = std::future::poll_fn(|cx| children.poll_all(cx)).await;
        assert_eq!(outputs, ['a', 'b', 'c']);
        assert_eq!(*trace.borrow(), "abcabcabc");
    }

    #[tokio::test]
    async fn no_children_is_ready_at_once() {
        let mut none = OrderedChildren::new(Vec::<std::future::Ready<u8>>::new());
        let outputs = std::future::poll_fn(|cx| none.poll_all(cx)).await;
        assert!(outputs.is_empty());
    }
}
