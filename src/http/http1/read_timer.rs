//! [`ReadTimer`]: the deadline of a connection's waits for a request,
//! kept armed from one wait to the next.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Poll, Waker};

use tokio::time::{Instant, Sleep, sleep_until};

/// Bounds a connection's waits for its next request. A timer armed for
/// every wait costs a registration and a removal in the runtime's timer
/// wheel per request; this one stays armed across waits. A wait with a
/// later deadline than the armed one (the usual case: each wait starts
/// later than the one before) leaves it as it is, and when it fires
/// before the deadline of the wait in progress it is moved to that
/// deadline. A wait with an earlier deadline moves it at once.
///
/// The armed timer holds the waker of the last poll that registered one
/// (a poll with the task's budget left: one without it registers
/// nothing), so it is polled again only when it fired, the task polling
/// differs, or no waker is known to be registered.
#[derive(Default)]
pub(super) struct ReadTimer {
    /// The timer, once a wait armed it.
    armed: Option<Armed>,
    /// The waker the armed timer is known to hold.
    polled_with: Option<Waker>,
}

/// An armed timer and its deadline, kept beside it: reading the deadline
/// from the timer would touch the timer's memory on every wait.
struct Armed {
    sleep: Pin<Box<Sleep>>,
    deadline: Instant,
}

impl ReadTimer {
    /// Runs `future` until `deadline`; `None` when the deadline passed
    /// first (the future is dropped). `running_since`: an instant since
    /// which the calling task has run without waiting; when the timer's
    /// deadline is later, the timer cannot have fired unseen (it would
    /// have woken the task, which then polls this again), so the first
    /// poll does not look at it.
    pub(super) async fn run<F: Future>(
        &mut self,
        deadline: Instant,
        running_since: Option<Instant>,
        future: F,
    ) -> Option<F::Output> {
        let mut future = pin!(future);
        let ReadTimer { armed, polled_with } = self;
        let Armed {
            sleep,
            deadline: armed,
        } = armed.get_or_insert_with(|| Armed {
            sleep: Box::pin(sleep_until(deadline)),
            deadline,
        });
        let mut unfired = running_since.is_some_and(|t| *armed > t);
        if *armed > deadline {
            sleep.as_mut().reset(deadline);
            *armed = deadline;
            *polled_with = None;
            unfired = false;
        }
        poll_fn(|cx| {
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            loop {
                let holds_waker = polled_with
                    .as_ref()
                    .is_some_and(|waker| waker.will_wake(cx.waker()));
                // Only the first poll may skip the look.
                let unfired = std::mem::take(&mut unfired);
                if holds_waker && (unfired || !sleep.is_elapsed()) {
                    return Poll::Pending;
                }
                // Out of budget, the timer returns `Pending` without
                // registering the waker (the task is rescheduled instead).
                let budget = tokio::task::coop::has_budget_remaining();
                match sleep.as_mut().poll(cx) {
                    Poll::Pending => {
                        if !budget {
                            *polled_with = None;
                        } else if !holds_waker {
                            *polled_with = Some(cx.waker().clone());
                        }
                        return Poll::Pending;
                    }
                    Poll::Ready(()) if *armed >= deadline => {
                        *polled_with = None;
                        return Poll::Ready(None);
                    }
                    // Fired for an earlier wait's deadline: move it on.
                    Poll::Ready(()) => {
                        sleep.as_mut().reset(deadline);
                        *armed = deadline;
                        *polled_with = None;
                    }
                }
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_later_deadline_reuses_the_armed_timer_and_still_times_out() {
        let mut timer = ReadTimer::default();
        let start = Instant::now();
        let first = timer
            .run(start + Duration::from_secs(10), None, async { 1 })
            .await;
        assert_eq!(first, Some(1));
        // Armed for 10 s; this wait's deadline is 30 s: it must not end
        // at 10 s.
        let pending = std::future::pending::<()>();
        let second = timer
            .run(start + Duration::from_secs(30), None, pending)
            .await;
        assert_eq!(second, None);
        assert_eq!(Instant::now(), start + Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn an_earlier_deadline_moves_the_timer_back() {
        let mut timer = ReadTimer::default();
        let start = Instant::now();
        assert_eq!(
            timer
                .run(start + Duration::from_secs(60), None, async {})
                .await,
            Some(())
        );
        let waited = timer
            .run(
                start + Duration::from_secs(5),
                None,
                std::future::pending::<()>(),
            )
            .await;
        assert_eq!(waited, None);
        assert_eq!(Instant::now(), start + Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_in_another_task_is_woken_by_the_timer() {
        let mut timer = ReadTimer::default();
        let start = Instant::now();
        let deadline = start + Duration::from_secs(10);
        // Armed and polled by this task, then left waiting.
        let mut first = Box::pin(timer.run(deadline, None, std::future::pending::<()>()));
        let polled = std::future::poll_fn(|cx| Poll::Ready(first.as_mut().poll(cx))).await;
        assert!(polled.is_pending());
        drop(first);
        // The next wait runs in another task: the timer must wake that one.
        let waited = tokio::spawn(async move {
            timer
                .run(deadline, None, std::future::pending::<()>())
                .await
        });
        assert_eq!(waited.await.unwrap(), None);
        assert_eq!(Instant::now(), deadline);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_first_polled_out_of_budget_still_times_out() {
        // In a task of its own: a task's waker is the same on every poll,
        // so the timer's poll is skipped while it is known to hold it.
        let waited = tokio::spawn(async {
            let mut timer = ReadTimer::default();
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut wait = Box::pin(timer.run(deadline, None, std::future::pending::<()>()));
            let first = poll_fn(|cx| {
                // The task's budget used up: the timer registers no waker.
                while tokio::task::coop::has_budget_remaining() {
                    let _ = pin!(tokio::task::coop::consume_budget()).poll(cx);
                }
                Poll::Ready(wait.as_mut().poll(cx))
            })
            .await;
            assert!(first.is_pending());
            let waited = tokio::time::timeout(Duration::from_secs(60), wait).await;
            (waited, Instant::now() == deadline)
        });
        let (waited, at_deadline) = waited.await.unwrap();
        assert_eq!(waited, Ok(None), "the wait must end at its deadline");
        assert!(at_deadline);
    }

    /// A wait that registered the timer's waker and then ended with its
    /// future, leaving the timer armed for `armed_at`.
    async fn armed_and_left(timer: &mut ReadTimer, armed_at: Instant) {
        let data = tokio::time::sleep(Duration::from_secs(1));
        assert_eq!(timer.run(armed_at, None, data).await, Some(()));
    }

    /// Runs `f` in a task of its own: a task's waker is the same on every
    /// poll, so the timer is known to hold it.
    async fn in_task<F: Future<Output = ()> + Send + 'static>(f: F) {
        tokio::spawn(f).await.unwrap();
    }

    /// Waits on `timer` with nothing arriving, as a wait whose task ran
    /// since `since`, and checks that the wait ends at `deadline` (a
    /// firing that went unseen would leave it waiting).
    async fn ends_at(timer: &mut ReadTimer, deadline: Instant, since: Option<Instant>) {
        let wait = timer.run(deadline, since, std::future::pending::<()>());
        let waited = tokio::time::timeout(Duration::from_secs(60), wait).await;
        assert_eq!(waited, Ok(None), "the timer's firing went unseen");
        assert_eq!(Instant::now(), deadline);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_that_ran_since_before_the_armed_deadline_still_times_out() {
        in_task(async {
            let mut timer = ReadTimer::default();
            let start = Instant::now();
            armed_and_left(&mut timer, start + Duration::from_secs(10)).await;
            // Its first poll leaves the timer alone; the timer still
            // fires at 10 s and is moved on to this wait's deadline.
            let now = Instant::now();
            ends_at(&mut timer, now + Duration::from_secs(30), Some(now)).await;
        })
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_that_ran_since_before_a_timer_never_polled_still_times_out() {
        in_task(async {
            let mut timer = ReadTimer::default();
            let start = Instant::now();
            // Armed, but its future ready at once: the timer holds no waker.
            let armed_at = start + Duration::from_secs(10);
            assert_eq!(timer.run(armed_at, None, async {}).await, Some(()));
            ends_at(&mut timer, armed_at, Some(start)).await;
        })
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_timer_that_fired_while_nobody_waited_is_seen_by_the_next_wait() {
        in_task(async {
            let mut timer = ReadTimer::default();
            let start = Instant::now();
            armed_and_left(&mut timer, start + Duration::from_secs(10)).await;
            // The timer fires at 10 s while the task does something else.
            tokio::time::sleep(Duration::from_secs(15)).await;
            let now = Instant::now();
            ends_at(&mut timer, now + Duration::from_secs(30), Some(now)).await;
        })
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_future_that_ends_first_wins() {
        let mut timer = ReadTimer::default();
        let start = Instant::now();
        let sleepy = async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            7
        };
        assert_eq!(
            timer
                .run(start + Duration::from_secs(3), None, sleepy)
                .await,
            Some(7)
        );
        assert_eq!(Instant::now(), start + Duration::from_secs(2));
    }
}
