//! Stage 2, limit: wait for room in the account's budget (requests and records per second,
//! shared with every clone of the client, or every process through Redis). The permit it
//! returns is settled by stage 8 once classify has said what the attempt cost.

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
