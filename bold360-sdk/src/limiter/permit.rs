//! A permit's life: admitted, sent, then settled — answered with its real record count (which
//! also feeds the adaptive back-off), refused (a congestion signal), released (it never left),
//! or dropped (before sending: everything given back; after: the reservation is kept).

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::Instant;

use super::adaptive::{Aimd, Signal};
use super::stats::Counters;
use super::store::Ticket;
use super::RateLimiter;

/// An admitted call: holds its place in flight until dropped.
///
/// Tell it what happened: [`mark_sent`](Self::mark_sent) when the request leaves, then
/// [`answered`](Self::answered) (or [`settle`](Self::settle)) with the records the response
/// held, [`refused`](Self::refused) when the server refused it, or [`release`](Self::release)
/// when it never reached the server. Dropped before it was sent, it gives back everything it
/// took; dropped after, it keeps its reservation (the server may have served it).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use bold360_sdk::RateLimiter;
/// let limiter = RateLimiter::default();
/// let mut permit = limiter.acquire(1000).await.unwrap();
/// permit.mark_sent();
/// permit.answered("getAllChatMessages", 12, Duration::from_millis(150));
/// assert_eq!(limiter.stats().acquired, 1);
/// # }
/// ```
#[derive(Debug)]
pub struct Permit {
    limiter: RateLimiter,
    ticket: Ticket,
    reserved: u64,
    waited: Duration,
    record_heavy: bool,
    sent: bool,
    done: bool,
}

impl Permit {
    /// The records this permit holds: what was asked for, or fewer from
    /// [`RateLimiter::acquire_up_to`].
    pub fn records(&self) -> u64 {
        self.reserved
    }

    /// How long the call waited for its place and budget.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// The request is leaving: from now on a drop keeps the reservation.
    pub fn mark_sent(&mut self) {
        self.sent = true;
    }

    pub(super) fn new(
        limiter: RateLimiter,
        ticket: Ticket,
        reserved: u64,
        waited: Duration,
        record_heavy: bool,
    ) -> Self {
        Self {
            limiter,
            ticket,
            reserved,
            waited,
            record_heavy,
            sent: false,
            done: false,
        }
    }

    /// Replaces the reserved record count with the real one.
    pub fn settle(mut self, records: u64) {
        self.done = true;
        self.limiter.settle(self.ticket, self.reserved, records);
    }

    /// The server answered `method` with `records` records after `round_trip` (send to
    /// response headers): settles the count and feeds the adaptive back-off. A page (more
    /// records than its even share of the request budget) may be held by the server up to one
    /// more round trip without that counting as congestion: the server counts records when it
    /// answers, so its second may still be full of our own records.
    pub fn answered(mut self, method: &str, records: u64, round_trip: Duration) {
        self.done = true;
        self.limiter.settle(self.ticket, self.reserved, records);
        if self.record_heavy {
            self.limiter
                .signal(|aimd, now| aimd.observe_page(now, method, round_trip));
        } else {
            self.limiter.observe(method, round_trip);
        }
    }

    /// The server refused the request (nothing was served): a congestion signal.
    pub fn refused(mut self) {
        self.done = true;
        self.limiter.settle(self.ticket, self.reserved, 0);
        self.limiter.signal(|aimd, now| aimd.refused(now));
    }

    /// The request never reached the server: its place in the request budget and its records
    /// are given back.
    pub fn release(mut self) {
        self.done = true;
        self.limiter.release(self.ticket, self.reserved);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done && !self.sent {
            self.limiter.release(self.ticket, self.reserved);
        }
        if !self.ticket.is_unlimited() {
            self.limiter.inner.in_flight.fetch_sub(1, Ordering::SeqCst);
            self.limiter.inner.changed.notify_waiters();
        }
    }
}

/// What a permit tells its limiter.
impl RateLimiter {
    fn observe(&self, method: &str, round_trip: Duration) {
        self.signal(|aimd, now| aimd.observe(now, method, round_trip));
    }

    fn signal(&self, f: impl FnOnce(&mut Aimd, Instant) -> Signal) {
        if self.inner.store.is_unlimited() {
            return;
        }
        let signal = f(&mut self.aimd(), Instant::now());
        let c = &self.inner.counters;
        match signal {
            Signal::Calm => {}
            Signal::Slow => Counters::count(&c.slow_responses),
            Signal::Cut => {
                Counters::count(&c.slow_responses);
                Counters::count(&c.backoffs);
                tracing::debug!(
                    target: "bold360_sdk::limiter",
                    share = self.aimd().share(Instant::now()),
                    "the account looks congested: backing off"
                );
            }
            Signal::Congested => Counters::count(&c.slow_responses),
        }
    }

    fn settle(&self, ticket: Ticket, reserved: u64, actual: u64) {
        if self.inner.store.settle(ticket, reserved, actual) && actual < reserved {
            self.inner.changed.notify_waiters();
        }
    }

    fn release(&self, ticket: Ticket, reserved: u64) {
        if self.inner.store.release(ticket, reserved) {
            Counters::count(&self.inner.counters.released);
            self.inner.changed.notify_waiters();
        }
    }
}
