//! When a time-rotated log file rolls over, and the names of its backups,
//! as Python's `TimedRotatingFileHandler`.

use std::num::NonZeroU32;

use chrono::{DateTime, Datelike, Days, Local, NaiveDate, NaiveTime, TimeDelta, TimeZone};

use super::RotateWhen;

/// The rotation schedule: a unit and how many units a file covers.
#[derive(Debug, Clone, Copy)]
pub(super) struct TimedSchedule {
    when: RotateWhen,
    interval: NonZeroU32,
}

impl TimedSchedule {
    /// The schedule, or `None` when `interval` is above
    /// [`RotateWhen::max_interval`].
    pub(super) fn new(when: RotateWhen, interval: NonZeroU32) -> Option<TimedSchedule> {
        (interval.get() <= when.max_interval()).then_some(TimedSchedule { when, interval })
    }

    /// The first rollover after a file started at `start`:
    /// `interval` units later for `S`, `M`, `H`, `D`; the local midnight
    /// ending the day `interval - 1` days after `start` for `midnight`; the
    /// midnight ending the next given weekday (today counts), plus
    /// `interval - 1` weeks, for `W0`-`W6`. `None` when that time is past
    /// the last date the calendar represents (the year 262,142): such a
    /// rollover never comes.
    pub(super) fn next_rollover(&self, start: DateTime<Local>) -> Option<DateTime<Local>> {
        let n = u64::from(self.interval.get());
        let today = start.date_naive();
        match self.when {
            RotateWhen::Seconds | RotateWhen::Minutes | RotateWhen::Hours | RotateWhen::Days => {
                start.checked_add_signed(self.fixed_interval())
            }
            RotateWhen::Midnight => local_midnight(today.checked_add_days(Days::new(n))?),
            RotateWhen::Weekday(day) => {
                let ahead =
                    (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
                let days = u64::from(ahead) + 7 * (n - 1) + 1;
                local_midnight(today.checked_add_days(Days::new(days))?)
            }
        }
    }

    /// The suffix of the backup holding the period that ends at
    /// `rollover_at` (Python names it after `rollover_at - interval`).
    /// `rollover_at` came from [`next_rollover`](Self::next_rollover), so
    /// the subtraction stays in range; were it not to, the rollover time
    /// itself names the backup.
    pub(super) fn backup_suffix(&self, rollover_at: DateTime<Local>) -> String {
        let n = u64::from(self.interval.get());
        let end = rollover_at.naive_local();
        let start = match self.when {
            RotateWhen::Midnight => end.checked_sub_days(Days::new(n)),
            RotateWhen::Weekday(_) => end.checked_sub_days(Days::new(7 * n)),
            _ => rollover_at
                .checked_sub_signed(self.fixed_interval())
                .map(|start| start.naive_local()),
        };
        start
            .unwrap_or(end)
            .format(self.suffix_format())
            .to_string()
    }

    /// Whether `suffix` has the shape of this schedule's backup suffixes.
    pub(super) fn is_backup_suffix(&self, suffix: &str) -> bool {
        let shape = match self.when {
            RotateWhen::Seconds => "0000-00-00_00-00-00",
            RotateWhen::Minutes => "0000-00-00_00-00",
            RotateWhen::Hours => "0000-00-00_00",
            _ => "0000-00-00",
        };
        suffix.len() == shape.len()
            && suffix.bytes().zip(shape.bytes()).all(|(c, s)| {
                if s == b'0' {
                    c.is_ascii_digit()
                } else {
                    c == s
                }
            })
    }

    /// Python's suffix formats: precise to the unit.
    fn suffix_format(&self) -> &'static str {
        match self.when {
            RotateWhen::Seconds => "%Y-%m-%d_%H-%M-%S",
            RotateWhen::Minutes => "%Y-%m-%d_%H-%M",
            RotateWhen::Hours => "%Y-%m-%d_%H",
            RotateWhen::Days | RotateWhen::Midnight | RotateWhen::Weekday(_) => "%Y-%m-%d",
        }
    }

    /// The length of one period for the fixed-length units. At most
    /// `u32::MAX` days, far below the largest `TimeDelta`.
    fn fixed_interval(&self) -> TimeDelta {
        let unit = match self.when {
            RotateWhen::Seconds => 1,
            RotateWhen::Minutes => 60,
            RotateWhen::Hours => 3600,
            _ => 86_400,
        };
        TimeDelta::try_seconds(unit * i64::from(self.interval.get())).unwrap_or(TimeDelta::MAX)
    }
}

/// The start of `date` in local time. Where a daylight-saving change skips
/// midnight, the first existing local time after it.
fn local_midnight(date: NaiveDate) -> Option<DateTime<Local>> {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..=2)
        .filter_map(|hours| midnight.checked_add_signed(TimeDelta::hours(hours)))
        .find_map(|time| Local.from_local_datetime(&time).earliest())
        .or_else(|| Some(Local.from_utc_datetime(&midnight)))
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Local> {
        Local.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
    }

    fn schedule(when: RotateWhen, interval: u32) -> TimedSchedule {
        TimedSchedule::new(when, NonZeroU32::new(interval).unwrap()).unwrap()
    }

    #[test]
    fn fixed_units_count_from_the_start() {
        let start = at(2018, 1, 5, 10, 20, 30);
        assert_eq!(
            schedule(RotateWhen::Seconds, 5)
                .next_rollover(start)
                .unwrap(),
            at(2018, 1, 5, 10, 20, 35)
        );
        assert_eq!(
            schedule(RotateWhen::Minutes, 2)
                .next_rollover(start)
                .unwrap(),
            at(2018, 1, 5, 10, 22, 30)
        );
        assert_eq!(
            schedule(RotateWhen::Hours, 3).next_rollover(start).unwrap(),
            at(2018, 1, 5, 13, 20, 30)
        );
        assert_eq!(
            schedule(RotateWhen::Days, 1).next_rollover(start).unwrap(),
            at(2018, 1, 6, 10, 20, 30)
        );
    }

    #[test]
    fn midnight_rolls_over_at_the_end_of_the_day() {
        let s = schedule(RotateWhen::Midnight, 1);
        assert_eq!(
            s.next_rollover(at(2018, 1, 5, 0, 0, 0)).unwrap(),
            at(2018, 1, 6, 0, 0, 0)
        );
        assert_eq!(
            s.next_rollover(at(2018, 1, 5, 23, 59, 59)).unwrap(),
            at(2018, 1, 6, 0, 0, 0)
        );
        assert_eq!(
            s.next_rollover(at(2018, 12, 31, 12, 0, 0)).unwrap(),
            at(2019, 1, 1, 0, 0, 0)
        );
        let every_third = schedule(RotateWhen::Midnight, 3);
        assert_eq!(
            every_third.next_rollover(at(2018, 1, 5, 15, 0, 0)).unwrap(),
            at(2018, 1, 8, 0, 0, 0)
        );
    }

    #[test]
    fn weekday_rolls_over_at_the_end_of_that_day() {
        // 2018-01-01 was a Monday.
        let monday = schedule(RotateWhen::Weekday(Weekday::Mon), 1);
        assert_eq!(
            monday.next_rollover(at(2018, 1, 6, 15, 0, 0)).unwrap(),
            at(2018, 1, 9, 0, 0, 0)
        );
        assert_eq!(
            monday.next_rollover(at(2018, 1, 1, 9, 0, 0)).unwrap(),
            at(2018, 1, 2, 0, 0, 0)
        );
        assert_eq!(
            monday.next_rollover(at(2018, 1, 2, 0, 0, 0)).unwrap(),
            at(2018, 1, 9, 0, 0, 0)
        );
        let sunday_fortnight = schedule(RotateWhen::Weekday(Weekday::Sun), 2);
        assert_eq!(
            sunday_fortnight
                .next_rollover(at(2018, 1, 1, 9, 0, 0))
                .unwrap(),
            at(2018, 1, 15, 0, 0, 0)
        );
    }

    #[test]
    fn intervals_longer_than_ten_thousand_years_are_refused() {
        for when in [
            RotateWhen::Hours,
            RotateWhen::Days,
            RotateWhen::Midnight,
            RotateWhen::Weekday(Weekday::Fri),
        ] {
            let largest = NonZeroU32::new(when.max_interval()).unwrap();
            assert!(TimedSchedule::new(when, largest).is_some());
            assert!(TimedSchedule::new(when, largest.checked_add(1).unwrap()).is_none());
        }
        assert!(TimedSchedule::new(RotateWhen::Minutes, NonZeroU32::MAX).is_some());
    }

    #[test]
    fn a_rollover_past_the_calendar_never_comes() {
        let last_year = Local.with_ymd_and_hms(262_000, 6, 1, 12, 0, 0).unwrap();
        for when in [
            RotateWhen::Days,
            RotateWhen::Midnight,
            RotateWhen::Weekday(Weekday::Mon),
        ] {
            let longest = schedule(when, when.max_interval());
            assert_eq!(longest.next_rollover(last_year), None, "{when}");
            assert!(schedule(when, 1).next_rollover(last_year).is_some());
        }
    }

    #[test]
    fn backup_suffix_names_the_period_that_ended() {
        assert_eq!(
            schedule(RotateWhen::Seconds, 1).backup_suffix(at(2018, 1, 5, 10, 20, 30)),
            "2018-01-05_10-20-29"
        );
        assert_eq!(
            schedule(RotateWhen::Minutes, 1).backup_suffix(at(2018, 1, 5, 10, 20, 0)),
            "2018-01-05_10-19"
        );
        assert_eq!(
            schedule(RotateWhen::Hours, 2).backup_suffix(at(2018, 1, 5, 12, 0, 0)),
            "2018-01-05_10"
        );
        assert_eq!(
            schedule(RotateWhen::Midnight, 1).backup_suffix(at(2018, 1, 6, 0, 0, 0)),
            "2018-01-05"
        );
        assert_eq!(
            schedule(RotateWhen::Weekday(Weekday::Mon), 1).backup_suffix(at(2018, 1, 9, 0, 0, 0)),
            "2018-01-02"
        );
    }

    #[test]
    fn backup_suffix_shapes() {
        let hours = schedule(RotateWhen::Hours, 1);
        assert!(hours.is_backup_suffix("2018-01-05_10"));
        assert!(!hours.is_backup_suffix("2018-01-05"));
        assert!(!hours.is_backup_suffix("2018-01-05_1x"));
        let days = schedule(RotateWhen::Midnight, 1);
        assert!(days.is_backup_suffix("2018-01-05"));
        assert!(!days.is_backup_suffix("2018-01-05.gz"));
        assert!(schedule(RotateWhen::Seconds, 1).is_backup_suffix("2018-01-05_10-20-30"));
        assert!(schedule(RotateWhen::Minutes, 1).is_backup_suffix("2018-01-05_10-20"));
    }
}
