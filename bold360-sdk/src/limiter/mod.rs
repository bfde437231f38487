//! The account-wide rate limiter.
//!
//! Bold360 allows an account 100 requests and 2,000 records per one-second window; over that a
//! request is held, and the tenth held request is refused with HTTP 500. The limiter keeps a
//! client (its clones, any client given the same limiter, and with
//! [`RateLimiter::shared`] every process on the account) inside those limits:
//!
//! - admission is by budget: a sliding window per dimension over one second (so no second of
//!   the client's clock holds more than the limit; network jitter can only make the server hold
//!   a request that long, see [`LimiterConfig::guard`]), and GCRA pacing on top so requests are
//!   spread evenly instead of bunched at window edges;
//! - as many requests run at once as the round trip needs; a safety cap only stops a hung
//!   server from collecting unbounded requests;
//! - adaptive back-off ([`adaptive`]): a response much slower than its method's baseline, or a
//!   refusal, means someone else spends the budget; the share in use is cut multiplicatively,
//!   won back additively, and while congested at most 9 requests are in flight. A page (more
//!   records than its share of the request budget) may be held up to one more round trip (the
//!   server counts records when it answers, so our own pages can fill its second): that is not
//!   someone else, and only a longer hold counts;
//! - waiters are served in order; a waiter that is dropped gives up its place having taken
//!   nothing, and a [`Permit`] dropped before its request was sent gives everything back;
//! - records are only known after the response: a call reserves the count it expects (never
//!   more than one window's budget) and settles to the real count; a call whose page size may
//!   be lowered ([`RateLimiter::acquire_up_to`]) can take the room a short page gave back at
//!   once, as a smaller page, instead of waiting for room for a whole one.

//!
//! Where each part lives: [`admission`] (the line of waiters), [`permit`] (an admitted call
//! until it is settled), [`stats`] (the counters), [`store`] (local or Redis: the one place
//! that knows both), and the pure parts with their unit tests: [`window`] and [`gcra`] (the
//! budget's arithmetic), [`adaptive`] (the back-off), [`config`].

pub(crate) mod adaptive;
mod admission;
mod config;
mod gcra;
mod permit;
mod stats;
mod store;
mod window;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio::time::Instant;

use adaptive::Aimd;
pub use config::{LimiterConfig, DEFAULT_MAX_IN_FLIGHT};
pub use permit::Permit;
use stats::Counters;
pub use stats::LimiterStats;
use store::Store;

/// Why the limiter could not admit a call (only a shared limiter can fail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimiterError(pub(crate) String);

impl fmt::Display for LimiterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimiterError {}

#[derive(Debug)]
struct Inner {
    config: LimiterConfig,
    store: Store,
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

impl RateLimiter {
    /// A limiter with these limits, for this process.
    ///
    /// ```
    /// use bold360_sdk::{LimiterConfig, RateLimiter};
    /// let limiter = RateLimiter::new(LimiterConfig::default().requests_per_second(50));
    /// assert_eq!(limiter.in_flight(), 0);
    /// ```
    pub fn new(config: LimiterConfig) -> Self {
        let store = Store::local(&config);
        Self::with_store(config, store)
    }

    fn with_store(config: LimiterConfig, store: Store) -> Self {
        Self {
            inner: Arc::new(Inner {
                aimd: Mutex::new(Aimd::new(config.adaptive, config.span())),
                config,
                store,
                queue: tokio::sync::Mutex::new(()),
                in_flight: AtomicUsize::new(0),
                changed: Notify::new(),
                counters: Counters::default(),
            }),
        }
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

    /// The counters so far.
    pub fn stats(&self) -> LimiterStats {
        self.inner.counters.snapshot()
    }

    pub(crate) fn count_retry(&self) {
        Counters::count(&self.inner.counters.retries);
    }

    pub(crate) fn count_refusal(&self) {
        Counters::count(&self.inner.counters.refusals);
    }

    pub(crate) fn count_retry_denied(&self) {
        Counters::count(&self.inner.counters.retries_denied);
    }
}
