//! Stage 4, limit: wait for room in the account's budget (requests and records per second,
//! shared with every clone of the client, or every process through Redis), then settle the
//! reservation by what classify decided about the attempt.

use std::time::Duration;

use super::classify::Budget;
use crate::error::Error;
use crate::limiter::{Permit, RateLimiter};

/// Waits until the call may be sent, reserving `records` from the records budget.
pub(crate) async fn admit(
    limiter: &RateLimiter,
    method: &str,
    records: u64,
) -> Result<Permit, Error> {
    limiter
        .acquire(records)
        .await
        .map_err(|e| Error::RateLimiter {
            method: method.to_owned(),
            reason: e.to_string(),
        })
}

/// Tells the limiter what the attempt cost and what it says about the account's congestion.
pub(crate) fn settle(
    limiter: &RateLimiter,
    permit: Permit,
    method: &str,
    budget: Budget,
    round_trip: Duration,
) {
    match budget {
        Budget::Served(records) => permit.answered(method, records, round_trip),
        Budget::Refused => {
            limiter.count_refusal();
            permit.refused();
        }
        Budget::Unsent => permit.release(),
        // The server may have served what was reserved: keep the reservation to its window.
        Budget::Kept => drop(permit),
    }
}
