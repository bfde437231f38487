//! Stage 8, settle: tell the limiter what the attempt cost, as classify decided it — records
//! served (and the round trip, for the adaptive back-off), a refusal (counted, and a
//! congestion signal), a request that never left (its place and records given back), or an
//! unknown fate (the reservation is kept until its window ends: the server may have served it).

use std::time::Duration;

use super::classify::Cost;
use crate::limiter::{Permit, RateLimiter};

/// Tells the limiter what the attempt cost and what it says about the account's congestion.
pub(crate) fn settle(
    limiter: &RateLimiter,
    permit: Permit,
    method: &str,
    cost: Cost,
    round_trip: Duration,
) {
    match cost {
        Cost::Served(records) => permit.answered(method, records, round_trip),
        Cost::Refused => {
            limiter.count_refusal();
            permit.refused();
        }
        Cost::Unsent => permit.release(),
        // The server may have served what was reserved: keep the reservation to its window.
        Cost::Kept => drop(permit),
    }
}
