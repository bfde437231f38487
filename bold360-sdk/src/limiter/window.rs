//! A sliding-window budget: in any window of `length`, at most `limit` units. Since any fixed
//! window the server uses is one of the sliding windows, staying inside this budget means never
//! going over the server's.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// One reservation, identified so that it can be settled later.
#[derive(Debug, Clone, Copy)]
struct Entry {
    id: u64,
    at: Instant,
    units: u64,
}

/// The budget.
#[derive(Debug, Clone)]
pub(crate) struct SlidingWindow {
    limit: u64,
    length: Duration,
    entries: VecDeque<Entry>,
    sum: u64,
}

impl SlidingWindow {
    pub(crate) fn new(limit: u64, length: Duration) -> Self {
        Self {
            limit,
            length,
            entries: VecDeque::new(),
            sum: 0,
        }
    }

    fn expire(&mut self, now: Instant) {
        while let Some(first) = self.entries.front() {
            if first.at + self.length <= now {
                self.sum -= first.units;
                self.entries.pop_front();
            } else {
                break;
            }
        }
    }

    /// The earliest time `units` more fit. A reservation larger than the whole limit fits once
    /// the window is empty.
    #[cfg(test)]
    pub(crate) fn earliest(&mut self, now: Instant, units: u64) -> Instant {
        self.earliest_within(now, units, self.limit)
    }

    /// [`earliest`](Self::earliest) against a lower limit (a share of the budget), clamped to
    /// `1..=` the window's own limit; `units` above it count as the limit.
    pub(crate) fn earliest_within(&mut self, now: Instant, units: u64, limit: u64) -> Instant {
        self.expire(now);
        let limit = limit.clamp(1, self.limit);
        let units = units.min(limit);
        if self.sum + units <= limit {
            return now;
        }
        // The units that must leave the window first; reservations leave oldest first. As
        // `units <= limit`, the excess is at most what the window holds, so one of them frees
        // it (`now` only satisfies the type).
        let excess = self.sum + units - limit;
        let mut freed = 0;
        self.entries
            .iter()
            .find(|entry| {
                freed += entry.units;
                freed >= excess
            })
            .map_or(now, |entry| entry.at + self.length)
    }

    /// Units that fit at `now` against `limit` (a share of the budget).
    pub(crate) fn free(&mut self, now: Instant, limit: u64) -> u64 {
        self.expire(now);
        limit.clamp(1, self.limit).saturating_sub(self.sum)
    }

    /// When the oldest reservation leaves the window (room may grow then), if any.
    pub(crate) fn next_leave(&mut self, now: Instant) -> Option<Instant> {
        self.expire(now);
        self.entries.front().map(|e| e.at + self.length)
    }

    /// Records a reservation made at `at`.
    pub(crate) fn reserve(&mut self, id: u64, at: Instant, units: u64) {
        self.entries.push_back(Entry { id, at, units });
        self.sum += units;
    }

    /// Sets a reservation to the real count; a no-op once it left the window.
    pub(crate) fn settle(&mut self, id: u64, units: u64) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.id == id) {
            self.sum = self.sum - entry.units + units;
            entry.units = units;
        }
    }

    /// Units inside the window at `now`.
    #[cfg(test)]
    pub(crate) fn used(&mut self, now: Instant) -> u64 {
        self.expire(now);
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_the_limit_in_any_window() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut w = SlidingWindow::new(3, Duration::from_secs(1));
        for id in 0..3 {
            assert_eq!(w.earliest(t0, 1), t0);
            w.reserve(id, t0, 1);
        }
        assert_eq!(
            w.earliest(ms(500), 1),
            ms(1000),
            "the fourth waits for the first to leave"
        );
        assert_eq!(
            w.earliest(ms(500), 2),
            ms(1000),
            "all three were reserved at t0"
        );
        w.settle(1, 0);
        assert_eq!(
            w.earliest(ms(500), 1),
            ms(500),
            "a refund frees room at once"
        );
        assert_eq!(w.used(ms(999)), 2);
        assert_eq!(w.used(ms(1000)), 0);
    }

    #[test]
    fn a_lower_limit_counts_what_the_window_already_holds() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut w = SlidingWindow::new(10, Duration::from_secs(1));
        w.reserve(1, t0, 3);
        w.reserve(2, ms(100), 2);
        assert_eq!(w.earliest_within(ms(200), 1, 6), ms(200), "5 + 1 fit in 6");
        assert_eq!(
            w.earliest_within(ms(200), 2, 6),
            ms(1000),
            "one unit too many: the first reservation must leave"
        );
        assert_eq!(
            w.earliest_within(ms(200), 4, 6),
            ms(1000),
            "three too many: the first reservation (3) frees exactly that"
        );
        assert_eq!(
            w.earliest_within(ms(200), 5, 6),
            ms(1100),
            "four too many: the first (3) is not enough, the second must leave too"
        );
        assert_eq!(
            w.earliest_within(ms(200), 50, 6),
            ms(1100),
            "more than the limit counts as the limit"
        );
        assert_eq!(
            w.earliest_within(ms(200), 5, 100),
            ms(200),
            "a limit above the window's is the window's: 5 + 5 fit in 10"
        );
        assert_eq!(w.earliest_within(ms(200), 6, 100), ms(1000));
        let mut empty = SlidingWindow::new(10, Duration::from_secs(1));
        assert_eq!(empty.earliest_within(t0, 1, 0), t0, "a limit of 0 is 1");
        empty.reserve(1, t0, 1);
        assert_eq!(empty.earliest_within(t0, 1, 0), ms(1000));
    }

    #[test]
    fn settling_changes_what_the_window_holds_and_unknown_ids_change_nothing() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(10, Duration::from_secs(1));
        w.reserve(7, t0, 4);
        w.settle(7, 6);
        assert_eq!(w.used(t0), 6);
        w.settle(8, 0);
        assert_eq!(w.used(t0), 6);
    }

    #[test]
    fn free_is_what_fits_now() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut w = SlidingWindow::new(2000, Duration::from_secs(1));
        w.reserve(1, t0, 1000);
        w.reserve(2, ms(500), 1000);
        w.settle(2, 193);
        assert_eq!(
            w.free(ms(650), 2000),
            807,
            "a refund's room is free at once"
        );
        assert_eq!(w.free(ms(650), 1500), 307, "against a share");
        assert_eq!(w.next_leave(ms(650)), Some(ms(1000)));
        assert_eq!(w.free(ms(1000), 2000), 1807, "the first left");
        assert_eq!(w.next_leave(ms(1000)), Some(ms(1500)));
        assert_eq!(w.next_leave(ms(1500)), None);
    }

    #[test]
    fn oversized_reservations_wait_for_an_empty_window() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(2000, Duration::from_secs(1));
        w.reserve(1, t0, 1500);
        assert_eq!(w.earliest(t0, 5000), t0 + Duration::from_secs(1));
    }
}
