//! The account-wide rate limiter.
//!
//! Bold360 allows an account 100 requests and 2,000 records per one-second window; over that a
//! request is held, and the tenth held request is refused with HTTP 500. The limiter keeps a
//! client (its clones, any client given the same limiter, and with
//! [`RateLimiter::shared`] every process on the account) inside those limits:
//!
//! - admission is by budget: a sliding window per dimension over one second plus a small guard
//!   (so no window the server may count sees more than its limit, despite network jitter), and
//!   GCRA pacing on top so requests are spread evenly instead of bunched at window edges;
//! - as many requests run at once as the round trip needs; a safety cap only stops a hung
//!   server from collecting unbounded requests;
//! - adaptive back-off ([`adaptive`]): a response much slower than its method's baseline, or a
//!   refusal, means someone else spends the budget; the share in use is cut multiplicatively,
//!   won back additively, and while congested at most 9 requests are in flight;
//! - waiters are served in order; a waiter that is dropped gives up its place having taken
//!   nothing, and a [`Permit`] dropped before its request was sent gives everything back;
//! - records are only known after the response: a call reserves the count it expects (never
//!   more than one window's budget) and settles to the real count.

pub(crate) mod adaptive;
mod config;
mod gcra;
mod local;
#[cfg(feature = "redis")]
mod shared;
mod window;

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use adaptive::{Aimd, Signal};
pub use config::{LimiterConfig, DEFAULT_MAX_IN_FLIGHT};
use local::LocalBudget;

/// Counters of a limiter, for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimiterStats {
    /// Calls admitted.
    pub acquired: u64,
    /// Calls that had to wait for budget.
    pub waited: u64,
    /// Total time calls spent waiting for budget.
    pub wait_time: Duration,
    /// Retries made by clients using this limiter.
    pub retries: u64,
    /// Refusals (`Too many simultaneous requests`) they received.
    pub refusals: u64,
    /// Retries not made because the retry budget was spent.
    pub retries_denied: u64,
    /// Responses much slower than their method's baseline (the server probably held them).
    pub slow_responses: u64,
    /// Times the adaptive back-off cut the share of the budget in use.
    pub backoffs: u64,
    /// Admissions given back because their request never reached the server.
    pub released: u64,
}

#[derive(Debug, Default)]
struct Counters {
    acquired: AtomicU64,
    waited: AtomicU64,
    wait_nanos: AtomicU64,
    retries: AtomicU64,
    refusals: AtomicU64,
    retries_denied: AtomicU64,
    slow_responses: AtomicU64,
    backoffs: AtomicU64,
    released: AtomicU64,
}

/// Why the limiter could not admit a call (only a shared limiter can fail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimiterError(String);

impl fmt::Display for LimiterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimiterError {}

/// Where admissions are decided. Lives once per limiter (behind its `Arc`), so the size
/// difference between the variants costs nothing.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
enum Budget {
    Unlimited,
    Local(Mutex<LocalBudget>),
    #[cfg(feature = "redis")]
    Shared(Arc<shared::SharedBudget>),
}

/// Where a permit's admission was booked.
#[derive(Debug, Clone, Copy)]
enum Ticket {
    Unlimited,
    Local(u64),
    #[cfg(feature = "redis")]
    Shared(shared::Booking),
}

#[derive(Debug)]
struct Inner {
    config: LimiterConfig,
    budget: Budget,
    aimd: Mutex<Aimd>,
    /// Held by the waiter at the head of the line; tokio's mutex is fair (FIFO).
    queue: tokio::sync::Mutex<()>,
    in_flight: AtomicUsize,
    /// Something that may let the head waiter in earlier: a refund, a release, a freed slot.
    changed: Notify,
    counters: Counters,
}

/// A rate limiter for one account. Cheap to clone; clones share the budget.
///
/// Every [`Client`](crate::Client) has one (shared by its clones). To share one budget between
/// clients of the same account in one process, build them with the same limiter; across
/// processes and hosts, use [`RateLimiter::shared`] (feature `redis`).
///
/// ```
/// use bold360_sdk::{Client, Credentials, RateLimiter};
/// let limiter = RateLimiter::default();
/// let creds = Credentials::new("1", "2", "k").unwrap();
/// let a = Client::builder().credentials(creds.clone()).rate_limiter(limiter.clone()).build().unwrap();
/// let b = Client::builder().credentials(creds).rate_limiter(limiter.clone()).build().unwrap();
/// # let _ = (a, b);
/// ```
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(LimiterConfig::default())
    }
}

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
    sent: bool,
    done: bool,
}

impl Permit {
    /// How long the call waited for its place and budget.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// The request is leaving: from now on a drop keeps the reservation.
    pub fn mark_sent(&mut self) {
        self.sent = true;
    }

    /// Replaces the reserved record count with the real one.
    pub fn settle(mut self, records: u64) {
        self.done = true;
        self.limiter.settle(self.ticket, self.reserved, records);
    }

    /// The server answered `method` with `records` records after `round_trip` (send to
    /// response headers): settles the count and feeds the adaptive back-off.
    pub fn answered(mut self, method: &str, records: u64, round_trip: Duration) {
        self.done = true;
        self.limiter.settle(self.ticket, self.reserved, records);
        self.limiter.observe(method, round_trip);
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
        if !matches!(self.ticket, Ticket::Unlimited) {
            self.limiter.inner.in_flight.fetch_sub(1, Ordering::SeqCst);
            self.limiter.inner.changed.notify_waiters();
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl RateLimiter {
    /// A limiter with these limits, for this process.
    pub fn new(config: LimiterConfig) -> Self {
        let budget = if config.unlimited {
            Budget::Unlimited
        } else {
            Budget::Local(Mutex::new(LocalBudget::new(&config)))
        };
        Self::with_budget(config, budget)
    }

    fn with_budget(config: LimiterConfig, budget: Budget) -> Self {
        Self {
            inner: Arc::new(Inner {
                aimd: Mutex::new(Aimd::new(config.adaptive, config.span())),
                config,
                budget,
                queue: tokio::sync::Mutex::new(()),
                in_flight: AtomicUsize::new(0),
                changed: Notify::new(),
                counters: Counters::default(),
            }),
        }
    }

    /// A limiter whose budget is shared, through the Redis at `url`, by every process and
    /// host that uses the same store and account ID: one atomic script per admission, timed
    /// by Redis's clock. Connects on first use; when the store cannot be reached a call fails
    /// with [`Error::RateLimiter`](crate::Error::RateLimiter), unless
    /// [`LimiterConfig::fallback_share`] is set.
    ///
    /// ```
    /// use bold360_sdk::{LimiterConfig, RateLimiter};
    /// let limiter = RateLimiter::shared("redis://127.0.0.1:6379/0", "100001", LimiterConfig::default())
    ///     .expect("a valid URL");
    /// assert!(format!("{limiter:?}").contains("127.0.0.1:6379/0"));
    /// assert!(RateLimiter::shared("http://nope", "1", LimiterConfig::default()).is_err());
    /// ```
    #[cfg(feature = "redis")]
    pub fn shared(
        url: &str,
        account_id: &str,
        config: LimiterConfig,
    ) -> Result<Self, crate::Error> {
        let url = secrecy::SecretString::from(url.to_owned());
        let budget = shared::SharedBudget::new(&url, account_id, &config)
            .map_err(|reason| crate::Error::config(crate::env::LIMITER_URL, reason))?;
        if config.unlimited {
            return Ok(Self::new(config));
        }
        Ok(Self::with_budget(config, Budget::Shared(Arc::new(budget))))
    }

    /// The limits this limiter keeps.
    pub fn config(&self) -> &LimiterConfig {
        &self.inner.config
    }

    /// The share of the budget in use now (1.0 unless the adaptive back-off cut it).
    pub fn current_share(&self) -> f64 {
        self.aimd().share(Instant::now())
    }

    /// Requests admitted and not finished.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    fn aimd(&self) -> std::sync::MutexGuard<'_, Aimd> {
        self.inner.aimd.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for budget for one request expecting `records` records (clamped to one window's
    /// record budget).
    ///
    /// Cancel-safe: dropping the future before it completes takes nothing and frees its place
    /// in line. Fails only for a shared limiter whose store cannot be reached.
    pub async fn acquire(&self, records: u64) -> Result<Permit, LimiterError> {
        // No call can hold more than one window's records, whatever it asks for.
        let records = records.min(self.inner.config.records);
        let c = &self.inner.counters;
        if matches!(self.inner.budget, Budget::Unlimited) {
            c.acquired.fetch_add(1, Ordering::Relaxed);
            return Ok(self.permit(Ticket::Unlimited, records, Duration::ZERO));
        }
        let started = Instant::now();
        // Only the head of the line computes and sleeps; the others queue here in order.
        let _head = self.inner.queue.lock().await;
        let mut slept = false;
        let ticket = loop {
            // Registered before looking, so a change made meanwhile is not missed.
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let now = Instant::now();
            let (share, congested_until) = {
                let aimd = self.aimd();
                (aimd.share(now), aimd.congested_until(now))
            };
            let cap = match congested_until {
                Some(_) => self.inner.config.congested_in_flight,
                None => self.inner.config.max_in_flight,
            };
            let wake = if self.in_flight() >= cap {
                congested_until
            } else {
                match self.try_admit(now, records, share).await? {
                    Ok(ticket) => break ticket,
                    Err(at) => Some(at),
                }
            };
            slept = true;
            match wake {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = &mut changed => {}
                    }
                }
                None => changed.await,
            }
        };
        self.inner.in_flight.fetch_add(1, Ordering::SeqCst);
        let waited = started.elapsed();
        tracing::trace!(
            target: "bold360_sdk::limiter",
            wait_us = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX),
            records,
            "admitted"
        );
        c.acquired.fetch_add(1, Ordering::Relaxed);
        // Time to take the locks is not waiting for budget.
        if slept {
            c.waited.fetch_add(1, Ordering::Relaxed);
            c.wait_nanos.fetch_add(nanos(waited), Ordering::Relaxed);
        }
        Ok(self.permit(ticket, records, waited))
    }

    fn permit(&self, ticket: Ticket, records: u64, waited: Duration) -> Permit {
        Permit {
            limiter: self.clone(),
            ticket,
            reserved: records,
            waited,
            sent: false,
            done: false,
        }
    }

    /// One admission decision: a ticket, or when to look again.
    async fn try_admit(
        &self,
        now: Instant,
        records: u64,
        share: f64,
    ) -> Result<Result<Ticket, Instant>, LimiterError> {
        match &self.inner.budget {
            Budget::Unlimited => Ok(Ok(Ticket::Unlimited)),
            Budget::Local(budget) => Ok(budget
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .try_admit(now, records, share)
                .map(Ticket::Local)),
            #[cfg(feature = "redis")]
            Budget::Shared(budget) => {
                // The store call runs in its own task: if this waiter is dropped while the
                // store admits it, the task gives the admission back.
                let (tx, rx) = tokio::sync::oneshot::channel();
                let task_budget = Arc::clone(budget);
                tokio::spawn(async move {
                    let decision = task_budget.try_admit(records, share).await;
                    if let Err(Ok(Ok(booking))) = tx.send(decision) {
                        let _ = task_budget.release(booking, records).await;
                    }
                });
                let decision = rx
                    .await
                    .map_err(|_| LimiterError("the shared limiter's task ended".into()))?
                    .map_err(|e| LimiterError(e.0))?;
                Ok(decision
                    .map(Ticket::Shared)
                    .map_err(|wait| Instant::now() + wait))
            }
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> LimiterStats {
        let c = &self.inner.counters;
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        LimiterStats {
            acquired: n(&c.acquired),
            waited: n(&c.waited),
            wait_time: Duration::from_nanos(n(&c.wait_nanos)),
            retries: n(&c.retries),
            refusals: n(&c.refusals),
            retries_denied: n(&c.retries_denied),
            slow_responses: n(&c.slow_responses),
            backoffs: n(&c.backoffs),
            released: n(&c.released),
        }
    }

    pub(crate) fn count_retry(&self) {
        self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_refusal(&self) {
        self.inner.counters.refusals.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_retry_denied(&self) {
        self.inner
            .counters
            .retries_denied
            .fetch_add(1, Ordering::Relaxed);
    }

    fn observe(&self, method: &str, round_trip: Duration) {
        self.signal(|aimd, now| aimd.observe(now, method, round_trip));
    }

    fn signal(&self, f: impl FnOnce(&mut Aimd, Instant) -> Signal) {
        if matches!(self.inner.budget, Budget::Unlimited) {
            return;
        }
        let signal = f(&mut self.aimd(), Instant::now());
        let c = &self.inner.counters;
        match signal {
            Signal::Calm => {}
            Signal::Slow => {
                c.slow_responses.fetch_add(1, Ordering::Relaxed);
            }
            Signal::Cut => {
                c.slow_responses.fetch_add(1, Ordering::Relaxed);
                c.backoffs.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    target: "bold360_sdk::limiter",
                    share = self.aimd().share(Instant::now()),
                    "the account looks congested: backing off"
                );
            }
            Signal::Congested => {
                c.slow_responses.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn settle(&self, ticket: Ticket, reserved: u64, actual: u64) {
        match (ticket, &self.inner.budget) {
            (Ticket::Local(id), Budget::Local(budget)) => {
                budget.lock().unwrap_or_else(|e| e.into_inner()).settle(
                    Instant::now(),
                    id,
                    reserved,
                    actual,
                );
            }
            #[cfg(feature = "redis")]
            (Ticket::Shared(booking), Budget::Shared(budget)) => {
                let budget = Arc::clone(budget);
                spawn_store_call(async move { budget.settle(booking, reserved, actual).await });
            }
            _ => return,
        }
        if actual < reserved {
            self.inner.changed.notify_waiters();
        }
    }

    fn release(&self, ticket: Ticket, reserved: u64) {
        match (ticket, &self.inner.budget) {
            (Ticket::Local(id), Budget::Local(budget)) => {
                budget.lock().unwrap_or_else(|e| e.into_inner()).release(
                    Instant::now(),
                    id,
                    reserved,
                );
            }
            #[cfg(feature = "redis")]
            (Ticket::Shared(booking), Budget::Shared(budget)) => {
                let budget = Arc::clone(budget);
                spawn_store_call(async move { budget.release(booking, reserved).await });
            }
            _ => return,
        }
        self.inner.counters.released.fetch_add(1, Ordering::Relaxed);
        self.inner.changed.notify_waiters();
    }
}

/// Runs a settlement or release against the store in the background (a permit is settled in
/// synchronous code). Outside a runtime it is skipped: the reservation then simply expires with
/// its window.
#[cfg(feature = "redis")]
fn spawn_store_call(
    call: impl std::future::Future<Output = Result<(), shared::StoreError>> + Send + 'static,
) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            if let Err(error) = call.await {
                tracing::debug!(target: "bold360_sdk::limiter", error = %error.0, "settling with the shared limiter failed");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LimiterConfig {
        LimiterConfig::default().guard(Duration::ZERO)
    }

    /// Admission times, in ms from the start, of `n` calls made one after another.
    async fn admission_times(limiter: &RateLimiter, n: usize, records: u64) -> Vec<u128> {
        let t0 = Instant::now();
        let mut times = Vec::new();
        for _ in 0..n {
            let permit = limiter.acquire(records).await.unwrap();
            times.push(t0.elapsed().as_millis());
            permit.settle(records);
        }
        times
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_paced_and_never_exceed_the_window() {
        let limiter = RateLimiter::new(config());
        let times = admission_times(&limiter, 250, 1).await;
        // After a burst of 3, one every 10 ms.
        assert_eq!(&times[..5], &[0, 0, 0, 10, 20]);
        for start in 0..times.len() {
            let in_window = times[start..]
                .iter()
                .take_while(|t| **t < times[start] + 1000)
                .count();
            assert!(
                in_window <= 100,
                "{in_window} requests in the second from {} ms",
                times[start]
            );
        }
        let per_second = 249.0 / (*times.last().unwrap() as f64 / 1000.0);
        assert!(per_second > 97.0, "{per_second} requests/s");
    }

    #[tokio::test(start_paused = true)]
    async fn records_are_budgeted_and_refunds_are_given_back() {
        let limiter = RateLimiter::new(config());
        let times = admission_times(&limiter, 6, 1000).await;
        assert_eq!(
            times,
            [0, 500, 1000, 1500, 2000, 2500],
            "2,000 records per second in 1,000-record pages"
        );
        // A call that reserved 1,000 but got 10 gives back nearly all of it.
        let limiter = RateLimiter::new(config());
        let t0 = Instant::now();
        limiter.acquire(1000).await.unwrap().settle(10);
        limiter.acquire(1000).await.unwrap().settle(1000);
        assert_eq!(
            t0.elapsed(),
            Duration::from_millis(5),
            "the second page only waits for 10 records' worth"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_calls_are_capped() {
        let limiter = RateLimiter::new(config().max_in_flight(2).request_burst(10));
        let a = limiter.acquire(1).await.unwrap();
        let _b = limiter.acquire(1).await.unwrap();
        let third = tokio::time::timeout(Duration::from_secs(5), limiter.acquire(1)).await;
        assert!(third.is_err(), "a third call waits while two are in flight");
        drop(a);
        tokio::time::timeout(Duration::from_millis(1), limiter.acquire(1))
            .await
            .expect("a slot was freed")
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_are_served_in_order_and_cancelling_frees_the_place() {
        let limiter = RateLimiter::new(config().requests_per_second(10).request_burst(1));
        limiter.acquire(1).await.unwrap().settle(1);
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..5 {
            let (limiter, order) = (limiter.clone(), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let permit = limiter.acquire(1).await.unwrap();
                order.lock().unwrap().push(i);
                permit.settle(1);
            }));
            tokio::task::yield_now().await;
        }
        // Cancel the second waiter before its turn.
        tasks[1].abort();
        for task in tasks {
            let _ = task.await;
        }
        assert_eq!(*order.lock().unwrap(), [0, 2, 3, 4]);
        let t0 = Instant::now();
        let _ = limiter.acquire(1).await.unwrap();
        // Five admissions at 100 ms spacing happened; the cancelled one took no slot.
        assert!(t0.elapsed() <= Duration::from_millis(100));
        assert_eq!(limiter.stats().acquired, 6);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_follows_latency_not_a_fixed_cap() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        let mut held = Vec::new();
        for _ in 0..30 {
            let mut permit = limiter.acquire(1).await.unwrap();
            permit.mark_sent();
            held.push(permit);
        }
        // 30 in flight at once, as 300 ms round trips at 100 req/s need; only pacing waited.
        assert_eq!(limiter.in_flight(), 30);
        assert!(
            t0.elapsed() < Duration::from_millis(300),
            "{:?}",
            t0.elapsed()
        );
        drop(held);
        assert_eq!(limiter.in_flight(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn congestion_caps_in_flight_at_nine_for_a_window_and_cuts_the_share() {
        let limiter = RateLimiter::new(config());
        let mut permit = limiter.acquire(1).await.unwrap();
        permit.mark_sent();
        permit.refused();
        assert!(limiter.current_share() < 1.0);
        assert_eq!(limiter.stats().backoffs, 1);
        let mut held = Vec::new();
        for _ in 0..9 {
            held.push(limiter.acquire(1).await.unwrap());
        }
        let tenth = tokio::time::timeout(Duration::from_millis(500), limiter.acquire(1)).await;
        assert!(tenth.is_err(), "a tenth waits while congested");
        // The cap lifts one window after the signal even though nine are still in flight.
        let tenth = tokio::time::timeout(Duration::from_millis(600), limiter.acquire(1)).await;
        assert!(tenth.is_ok(), "the cap lifts when the congestion is over");
        drop(held);
    }

    #[tokio::test(start_paused = true)]
    async fn slow_responses_back_off_and_fast_ones_do_not() {
        let limiter = RateLimiter::new(config());
        for _ in 0..20 {
            let mut p = limiter.acquire(1).await.unwrap();
            p.mark_sent();
            p.answered("getChat", 1, Duration::from_millis(150));
        }
        assert_eq!(limiter.current_share(), 1.0);
        assert_eq!(limiter.stats().slow_responses, 0);
        for _ in 0..3 {
            let mut p = limiter.acquire(1).await.unwrap();
            p.mark_sent();
            p.answered("getChat", 1, Duration::from_millis(700));
        }
        assert_eq!(limiter.stats().slow_responses, 3);
        assert_eq!(limiter.stats().backoffs, 1);
        assert!((limiter.current_share() - 0.8).abs() < 1e-9);
    }

    #[tokio::test(start_paused = true)]
    async fn a_permit_dropped_before_sending_gives_everything_back() {
        let tight = config().requests_per_second(2).request_burst(2);
        let limiter = RateLimiter::new(tight.clone());
        let first = limiter.acquire(1).await.unwrap();
        let _second = limiter.acquire(1).await.unwrap();
        drop(first);
        assert_eq!(limiter.stats().released, 1);
        let t0 = Instant::now();
        let _third = limiter.acquire(1).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::ZERO,
            "the unsent request's place was free"
        );

        // Sent, then dropped (say the caller timed out): the server may have counted it.
        let limiter = RateLimiter::new(tight);
        let mut first = limiter.acquire(1).await.unwrap();
        first.mark_sent();
        drop(first);
        let _second = limiter.acquire(1).await.unwrap();
        let t0 = Instant::now();
        let _third = limiter.acquire(1).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::from_secs(1),
            "a sent request keeps its place"
        );
        assert_eq!(limiter.stats().released, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn huge_page_sizes_reserve_one_window_at_most() {
        let limiter = RateLimiter::new(config());
        let t0 = Instant::now();
        let mut permit = limiter.acquire(1_000_000).await.unwrap();
        permit.mark_sent();
        permit.answered("getAllChatMessages", 1000, Duration::from_millis(100));
        // Another caller is not stalled for minutes behind a million-record reservation.
        let _next = limiter.acquire(1000).await.unwrap();
        assert!(
            t0.elapsed() <= Duration::from_millis(500),
            "{:?}",
            t0.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn huge_reservations_are_clamped_to_one_window() {
        let limiter = RateLimiter::new(config());
        limiter.acquire(1_000_000).await.unwrap().settle(0);
        let t0 = Instant::now();
        let _next = limiter.acquire(1000).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::ZERO,
            "a 1,000,000-record reservation settled to 0 leaves the budget whole"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refund_wakes_the_waiter_at_the_head() {
        let limiter = RateLimiter::new(config());
        let mut big = limiter.acquire(2000).await.unwrap();
        big.mark_sent();
        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let t0 = Instant::now();
                let _p = limiter.acquire(1000).await.unwrap();
                t0.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        big.settle(0);
        let waited = waiter.await.unwrap();
        assert!(
            waited <= Duration::from_millis(101),
            "woken by the refund, not by the window: {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn many_waiters_with_cancellations_all_get_through_in_order() {
        let limiter = RateLimiter::new(config().requests_per_second(50).request_burst(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..200usize {
            let (limiter, order) = (limiter.clone(), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let mut permit = limiter.acquire(1).await.unwrap();
                order.lock().unwrap().push(i);
                permit.mark_sent();
                permit.settle(1);
            }));
            tokio::task::yield_now().await;
        }
        // Cancel every third waiter, at different moments while the line moves.
        for (n, i) in (0..200).filter(|i| i % 3 == 1).enumerate() {
            if n % 10 == 0 {
                tokio::time::sleep(Duration::from_millis(7)).await;
            }
            tasks[i].abort();
        }
        let t0 = Instant::now();
        for task in tasks {
            let _ = task.await;
        }
        let order = order.lock().unwrap().clone();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(order, sorted, "served in the order they came");
        let expected: Vec<usize> = (0..200).filter(|i| i % 3 != 1).collect();
        let missing: Vec<usize> = expected
            .iter()
            .copied()
            .filter(|i| !order.contains(i))
            .collect();
        assert!(missing.is_empty(), "waiters never served: {missing:?}");
        assert_eq!(limiter.in_flight(), 0);
        // About 134 admissions at 50/s: nobody slept past their turn.
        assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    }
}
