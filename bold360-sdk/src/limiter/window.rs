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
#[derive(Debug)]
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

    /// [`earliest`](Self::earliest) against a lower limit (a share of the budget).
    pub(crate) fn earliest_within(&mut self, now: Instant, units: u64, limit: u64) -> Instant {
        self.expire(now);
        let limit = limit.clamp(1, self.limit);
        let units = units.min(limit);
        if self.sum + units <= limit {
            return now;
        }
        let mut freed = 0;
        for entry in &self.entries {
            freed += entry.units;
            if self.sum - freed + units <= limit {
                return entry.at + self.length;
            }
        }
        self.entries.back().map_or(now, |e| e.at + self.length)
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
    fn oversized_reservations_wait_for_an_empty_window() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(2000, Duration::from_secs(1));
        w.reserve(1, t0, 1500);
        assert_eq!(w.earliest(t0, 5000), t0 + Duration::from_secs(1));
    }
}
