//! Where admissions are decided: nowhere (unlimited), in this process ([`local`]), or in Redis
//! for every process on the account ([`redis`], feature `redis`). This is the one place that
//! knows which stores exist: every `cfg(feature = "redis")` arm of the limiter is here.

pub(crate) mod local;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
use std::sync::Arc;
use std::sync::Mutex;

use tokio::time::Instant;

use super::config::LimiterConfig;
use super::LimiterError;
pub(crate) use local::Fewer;
use local::LocalBudget;

/// The store of one limiter. Lives once per limiter (behind its `Arc`), so the size
/// difference between the variants costs nothing.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum Store {
    Unlimited,
    Local(Mutex<LocalBudget>),
    #[cfg(feature = "redis")]
    Redis(Arc<redis::RedisBudget>),
}

/// Where a permit's admission was booked, to settle or release it in the same store.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ticket {
    Unlimited,
    Local(u64),
    #[cfg(feature = "redis")]
    Redis(redis::Booking),
}

impl Ticket {
    /// An unlimited admission holds no place in flight and nothing to give back.
    pub(crate) fn is_unlimited(&self) -> bool {
        matches!(self, Ticket::Unlimited)
    }
}

impl Store {
    /// The store for a limiter of this process: none when `config` is unlimited.
    pub(crate) fn local(config: &LimiterConfig) -> Self {
        if config.unlimited {
            Store::Unlimited
        } else {
            Store::Local(Mutex::new(LocalBudget::new(config)))
        }
    }

    /// The store shared through the Redis at `url` by every process of `account_id`; none when
    /// `config` is unlimited. Fails on a URL that is not a Redis URL (nothing is connected yet).
    #[cfg(feature = "redis")]
    pub(crate) fn redis(
        url: &secrecy::SecretString,
        account_id: &str,
        config: &LimiterConfig,
    ) -> Result<Self, String> {
        let budget = redis::RedisBudget::new(url, account_id, config)?;
        if config.unlimited {
            return Ok(Store::Unlimited);
        }
        Ok(Store::Redis(Arc::new(budget)))
    }

    pub(crate) fn is_unlimited(&self) -> bool {
        matches!(self, Store::Unlimited)
    }

    /// One admission decision for `records` (or, with `fewer`, possibly fewer) at `share` of
    /// the budget: a ticket and the records it holds, or when to look again.
    pub(crate) async fn try_admit(
        &self,
        now: Instant,
        records: u64,
        fewer: Option<Fewer>,
        share: f64,
    ) -> Result<Result<(Ticket, u64), Instant>, LimiterError> {
        match self {
            Store::Unlimited => Ok(Ok((Ticket::Unlimited, records))),
            Store::Local(budget) => Ok(lock(budget)
                .try_admit(now, records, fewer, share)
                .map(|(id, granted)| (Ticket::Local(id), granted))),
            #[cfg(feature = "redis")]
            Store::Redis(budget) => {
                // The store call runs in its own task: if this waiter is dropped while the
                // store admits it, the task gives the admission back.
                let (tx, rx) = tokio::sync::oneshot::channel();
                let task_budget = Arc::clone(budget);
                tokio::spawn(async move {
                    let decision = task_budget.try_admit(records, fewer, share).await;
                    if let Err(Ok(Ok((booking, granted)))) = tx.send(decision) {
                        let _ = task_budget.release(booking, granted).await;
                    }
                });
                let decision = rx
                    .await
                    .map_err(|_| LimiterError("the shared limiter's task ended".into()))?
                    .map_err(|e| LimiterError(e.0))?;
                Ok(decision
                    .map(|(booking, granted)| (Ticket::Redis(booking), granted))
                    .map_err(|wait| Instant::now() + wait))
            }
        }
    }

    /// Settles a reservation of `reserved` records to the `actual` count. False when the
    /// ticket holds nothing to settle.
    pub(crate) fn settle(&self, ticket: Ticket, reserved: u64, actual: u64) -> bool {
        match (ticket, self) {
            (Ticket::Local(id), Store::Local(budget)) => {
                lock(budget).settle(Instant::now(), id, reserved, actual);
                true
            }
            #[cfg(feature = "redis")]
            (Ticket::Redis(booking), Store::Redis(budget)) => {
                let budget = Arc::clone(budget);
                spawn_store_call(async move { budget.settle(booking, reserved, actual).await });
                true
            }
            _ => false,
        }
    }

    /// Gives back an admission whose request never reached the server. False when the ticket
    /// holds nothing to give back.
    pub(crate) fn release(&self, ticket: Ticket, reserved: u64) -> bool {
        match (ticket, self) {
            (Ticket::Local(id), Store::Local(budget)) => {
                lock(budget).release(Instant::now(), id, reserved);
                true
            }
            #[cfg(feature = "redis")]
            (Ticket::Redis(booking), Store::Redis(budget)) => {
                let budget = Arc::clone(budget);
                spawn_store_call(async move { budget.release(booking, reserved).await });
                true
            }
            _ => false,
        }
    }
}

#[cfg(feature = "redis")]
impl super::RateLimiter {
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
    ) -> Result<Self, crate::error::Error> {
        let url = secrecy::SecretString::from(url.to_owned());
        let store = Store::redis(&url, account_id, &config).map_err(|reason| {
            crate::error::Error::config(crate::config::env::LIMITER_URL, reason)
        })?;
        Ok(Self::with_store(config, store))
    }
}

fn lock(budget: &Mutex<LocalBudget>) -> std::sync::MutexGuard<'_, LocalBudget> {
    budget.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs a settlement or release against Redis in the background (a permit is settled in
/// synchronous code). Outside a runtime it is skipped: the reservation then simply expires with
/// its window.
#[cfg(feature = "redis")]
fn spawn_store_call(
    call: impl std::future::Future<Output = Result<(), redis::StoreError>> + Send + 'static,
) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            if let Err(error) = call.await {
                tracing::debug!(target: "bold360_sdk::limiter", error = %error.0, "settling with the shared limiter failed");
            }
        });
    }
}
