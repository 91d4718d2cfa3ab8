//! The timing of a `PeriodicCallback`: when its next run falls.

use std::time::Duration;

use tokio::time::Instant;

use super::error::PeriodicCallbackError;

/// About thirty years: where a schedule that would overflow the clock goes.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// A period and the jitter applied to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Schedule {
    period: Duration,
    jitter: f64,
}

impl Schedule {
    pub(super) fn new(period: Duration) -> Result<Self, PeriodicCallbackError> {
        if period.is_zero() {
            return Err(PeriodicCallbackError::NonPositivePeriod);
        }
        Ok(Schedule {
            period,
            jitter: 0.0,
        })
    }

    pub(super) fn with_jitter(self, jitter: f64) -> Result<Self, PeriodicCallbackError> {
        if !(jitter.is_finite() && (0.0..2.0).contains(&jitter)) {
            return Err(PeriodicCallbackError::InvalidJitter(jitter));
        }
        Ok(Schedule { jitter, ..self })
    }

    pub(super) fn period(&self) -> Duration {
        self.period
    }

    pub(super) fn jitter(&self) -> f64 {
        self.jitter
    }

    /// The run after the one planned at `next`, seen at `now` (Tornado's
    /// `PeriodicCallback._update_next`). `sample` is a random number in
    /// `[0, 1)` choosing the jitter.
    ///
    /// Periods are counted from the start of one run to the start of the
    /// next: when `now` has passed `next`, whole periods are skipped to get
    /// back on the schedule instead of running the missed ones in a burst.
    /// When `now` is before `next` (a clock that went backwards), the next
    /// run is simply one period on.
    pub(super) fn next_after(&self, next: Instant, now: Instant, sample: f64) -> Instant {
        let period = self.jittered_period(sample);
        let behind = now.saturating_duration_since(next);
        let periods = behind.as_nanos() / period.as_nanos() + 1;
        let step = times(period, periods);
        next.checked_add(step)
            .or_else(|| next.checked_add(FAR_FUTURE))
            .unwrap_or(next)
    }

    /// The period scaled by `1 + jitter * (sample - 0.5)`: a window of
    /// `jitter * period` centred on the period, as in Tornado. Never zero.
    fn jittered_period(&self, sample: f64) -> Duration {
        let period = if self.jitter == 0.0 {
            self.period
        } else {
            let factor = 1.0 + self.jitter * (sample - 0.5);
            Duration::try_from_secs_f64(self.period.as_secs_f64() * factor).unwrap_or(self.period)
        };
        period.max(Duration::from_nanos(1))
    }
}

/// `period * n`, saturating at [`Duration::MAX`].
fn times(period: Duration, n: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let nanos = period.as_nanos().saturating_mul(n);
    match u64::try_from(nanos / NANOS_PER_SEC) {
        // The remainder is below one second, so it fits in u32.
        Ok(secs) => Duration::new(secs, (nanos % NANOS_PER_SEC) as u32),
        Err(_) => Duration::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// Replays Tornado's `simulate_calls`: each call lasts the given number
    /// of seconds (negative: the clock went back during the call) and the
    /// result is the offset from the start of every planned call.
    fn simulate_calls(schedule: Schedule, durations: &[f64], samples: &[f64]) -> Vec<f64> {
        // Leave room for backwards jumps below the starting instant.
        let origin = Instant::now() + secs(1000.0);
        let mut next = origin;
        let mut now = origin;
        let mut calls = Vec::new();
        for (i, d) in durations.iter().enumerate() {
            next = schedule.next_after(next, now, samples.get(i).copied().unwrap_or(0.5));
            calls.push((next - origin).as_secs_f64());
            now = if *d >= 0.0 {
                next + secs(*d)
            } else {
                next - secs(-d)
            };
        }
        calls
    }

    fn ten_seconds() -> Schedule {
        Schedule::new(Duration::from_secs(10)).unwrap()
    }

    #[test]
    fn periodic_callback_math_test_basic() {
        assert_eq!(
            simulate_calls(ten_seconds(), &[0.0; 5], &[]),
            [10.0, 20.0, 30.0, 40.0, 50.0]
        );
    }

    #[test]
    fn periodic_callback_math_test_overrun() {
        let durations = [9.0, 9.0, 10.0, 11.0, 20.0, 20.0, 35.0, 35.0, 0.0, 0.0, 0.0];
        let expected = [
            10.0, 20.0, 30.0, // on schedule
            50.0, 70.0, // one cycle skipped
            100.0, 130.0, // two skipped
            170.0, 210.0, // three skipped
            220.0, 230.0, // back on schedule
        ];
        assert_eq!(simulate_calls(ten_seconds(), &durations, &[]), expected);
    }

    #[test]
    fn periodic_callback_math_test_clock_backwards() {
        let pc = ten_seconds();
        assert_eq!(
            simulate_calls(pc, &[-2.0, -1.0, -3.0, -2.0, 0.0], &[]),
            [10.0, 20.0, 30.0, 40.0, 50.0]
        );
        assert_eq!(
            simulate_calls(pc, &[-100.0, 0.0, 0.0], &[]),
            [10.0, 20.0, 30.0]
        );
    }

    #[test]
    fn periodic_callback_math_test_jitter() {
        let pc = ten_seconds().with_jitter(0.5).unwrap();
        let samples = [0.5, 1.0, 0.0, 0.75];
        assert_eq!(
            simulate_calls(pc, &[0.0; 4], &samples),
            [10.0, 22.5, 30.0, 41.25]
        );
    }

    #[test]
    fn zero_period_is_refused() {
        assert_eq!(
            Schedule::new(Duration::ZERO),
            Err(PeriodicCallbackError::NonPositivePeriod)
        );
    }

    #[test]
    fn jitter_outside_zero_to_two_is_refused() {
        for bad in [-0.1, 2.0, f64::NAN, f64::INFINITY] {
            assert!(ten_seconds().with_jitter(bad).is_err(), "{bad} accepted");
        }
        assert!(ten_seconds().with_jitter(1.99).is_ok());
    }

    #[test]
    fn tiny_jittered_period_never_reaches_zero() {
        let pc = Schedule::new(Duration::from_nanos(1))
            .unwrap()
            .with_jitter(1.9)
            .unwrap();
        let start = Instant::now();
        assert!(pc.next_after(start, start, 0.0) > start);
    }

    #[test]
    fn huge_period_does_not_overflow_the_clock() {
        let start = Instant::now();
        let next = Schedule::new(Duration::MAX)
            .unwrap()
            .next_after(start, start, 0.5);
        assert!(next > start);
    }
}
