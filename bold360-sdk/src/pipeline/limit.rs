//! Stage 2, limit: wait for room in the account's budget (requests and records per second,
//! shared with every clone of the client, or every process through Redis). The permit it
//! returns is settled by stage 8 once classify has said what the attempt cost.

use std::borrow::Cow;

use crate::error::Error;
use crate::limiter::{Permit, RateLimiter};
use crate::params::Params;
use crate::pipeline::CallInfo;

/// Waits until the call may be sent, reserving its expected records from the records budget
/// (or fewer, for a call whose page size may be lowered), and gives the parameters to send:
/// with the page size set to what was admitted when that is fewer than asked for, or when the
/// parameters already carry a page size (a `Next` object echoing a smaller page's).
pub(crate) async fn admit<'p>(
    limiter: &RateLimiter,
    call: &CallInfo<'_>,
    params: &'p Params,
) -> Result<(Permit, Cow<'p, Params>), Error> {
    let admitted = match call.page_size_param {
        Some(_) => {
            limiter
                .acquire_up_to(call.expected_records, call.method)
                .await
        }
        None => limiter.acquire(call.expected_records).await,
    };
    let permit = admitted.map_err(|e| Error::RateLimiter {
        method: call.method.to_owned(),
        reason: e.to_string(),
    })?;
    let params = match call.page_size_param {
        Some(name) if permit.records() < call.expected_records || params.contains(name) => {
            let mut sized = params.clone();
            sized.set(name, permit.records());
            Cow::Owned(sized)
        }
        _ => Cow::Borrowed(params),
    };
    Ok((permit, params))
}
