//! The request pipeline: the path every call takes, whichever entry point built it (a typed
//! `send()`, a page of `pages()` or `into_stream()`, `call_raw`, `pages_raw`, `execute`, the
//! `bold360` CLI). One module per stage, in the order the code runs them:
//!
//! 1. [`validate`] — method and parameter names, and the method's rules from the manifest
//!    (required parameters, all-or-none, exactly-one-of). Once per call, before anything else.
//! 2. [`limit`] — wait for room in the account's budget (requests and records per second).
//!    Admission comes before signing, so a long wait never sends an old token.
//! 3. [`sign`] — a fresh SHA-512 `auth` token for this attempt, and the secrets to scrub.
//! 4. [`url`] — the URL, every component percent-encoded (RFC 3986).
//! 5. [`send`] — one exchange over the client's transport, bounded in time and size.
//! 6. [`decode`] — status, `Retry-After` and body into an envelope or a typed error.
//! 7. [`classify`] — success, retry after how long, or failure, and what the attempt cost
//!    the account's budget (`classify::Cost`).
//! 8. [`settle`] — tell the limiter that cost: records served, a refusal (which also cuts the
//!    rate), a request that never left (given back), or an unknown fate (kept).
//!
//! Stages 2–8 are one attempt (`Pipeline::attempt`); stages 3–6 are its exchange with the
//! server (`Pipeline::exchange`). Attempts repeat while classify says retry and the retry
//! budget allows.

// The stages, in the order a call runs them.
mod validate; // 1

mod limit; // 2

mod sign; // 3

pub(crate) mod url; // 4

mod send; // 5

mod decode; // 6

mod classify; // 7

mod settle; // 8

// What a call is, and how failed attempts are retried.
mod call_info;

pub(crate) mod retry;

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument;

use crate::error::Error;
use std::sync::Arc;

use crate::auth::credentials::Credentials;
use crate::config::clock::Clock;
use crate::config::endpoint::{ApiVersion, Endpoint};
use crate::limiter::{Permit, RateLimiter};
use crate::params::Params;
use crate::response::envelope::{Envelope, RecordCount};
use crate::transport::HttpRequest;
use crate::transport::HttpTransport;
use classify::{Attempt, Outcome, Verdict};
use retry::{RetryBudget, RetryPolicy};

pub use call_info::CallInfo;
pub(crate) use decode::decode as decode_body;

/// The pipeline's configuration and state, shared by every clone of a client (and by its
/// handles on the other API version).
pub(crate) struct Pipeline {
    pub(crate) transport: Arc<dyn HttpTransport>,
    pub(crate) credentials: Credentials,
    pub(crate) endpoint: Endpoint,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) retry_budget: RetryBudget,
    pub(crate) limiter: RateLimiter,
    pub(crate) request_timeout: Duration,
    pub(crate) max_body_size: u64,
    pub(crate) max_pages: u64,
}

impl Pipeline {
    /// The path every call takes, for a client on `version` (see [`Client::execute`](crate::Client::execute)).
    pub(crate) async fn execute<D>(
        &self,
        version: ApiVersion,
        call: CallInfo<'_>,
        params: Params,
    ) -> Result<Envelope<D>, Error>
    where
        D: DeserializeOwned + RecordCount,
    {
        let spec = call.spec.or_else(|| crate::methods::lookup(call.method));
        let params = validate::validate(call.method, version, spec, &params)?.unwrap_or(params);
        let span = tracing::info_span!(
            "bold360.call",
            method = call.method,
            version = version.as_str(),
            http.status = Empty,
            records = Empty,
            attempts = Empty,
            latency_ms = Empty,
            limiter_wait_ms = Empty,
        );
        async {
            let started = Instant::now();
            let mut number = 1;
            let result = loop {
                let attempt = Attempt {
                    kind: call.kind,
                    number,
                    elapsed: started.elapsed(),
                };
                let (result, verdict) = self.attempt(version, call, &params, attempt).await;
                let Verdict::Retry { after, reason } = verdict else {
                    if result.is_ok() {
                        self.retry_budget.deposit();
                    }
                    break result;
                };
                let limiter = &self.limiter;
                if !self.retry_budget.withdraw() {
                    limiter.count_retry_denied();
                    tracing::warn!(
                        attempt = number,
                        decision = "fail",
                        reason = "the retry budget is spent",
                        "not retrying"
                    );
                    break result;
                }
                limiter.count_retry();
                tracing::warn!(
                    attempt = number,
                    decision = "retry",
                    reason,
                    delay_ms = millis(after),
                    error = %result.as_ref().err().map(ToString::to_string).unwrap_or_default(),
                    "retrying"
                );
                tokio::time::sleep(after).await;
                number += 1;
            };
            let span = tracing::Span::current();
            span.record("attempts", number);
            span.record("latency_ms", millis(started.elapsed()));
            match &result {
                Ok(envelope) => {
                    span.record("records", envelope.record_count());
                    tracing::debug!("call succeeded");
                }
                Err(error) => tracing::debug!(error = %error, "call failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    /// Stages 2–8 once (limit, exchange, classify, settle): the result and classify's verdict.
    async fn attempt<D: DeserializeOwned + RecordCount>(
        &self,
        version: ApiVersion,
        call: CallInfo<'_>,
        params: &Params,
        attempt: Attempt,
    ) -> (Result<Envelope<D>, Error>, Verdict) {
        let state = self;
        let (result, admitted) = match limit::admit(&state.limiter, &call, params).await {
            Err(error) => (Err(error), None),
            Ok((mut permit, params)) => {
                tracing::Span::current().record("limiter_wait_ms", millis(permit.waited()));
                let exchange = self
                    .exchange::<D>(version, call, &params, &mut permit)
                    .await;
                let Exchange {
                    result,
                    reached_server,
                    round_trip,
                } = exchange;
                (
                    result,
                    Some(Admitted {
                        permit,
                        reached_server,
                        round_trip,
                    }),
                )
            }
        };
        let outcome = match &result {
            Ok(envelope) => Outcome::Answered {
                records: envelope.record_count() as u64,
            },
            Err(error) => Outcome::Failed {
                error,
                reached_server: admitted.as_ref().is_some_and(|a| a.reached_server),
            },
        };
        let policy = call.retry.unwrap_or(&state.retry);
        let decision = classify::classify(outcome, attempt, policy, rand::random());
        if let Some(admitted) = admitted {
            settle::settle(
                &state.limiter,
                admitted.permit,
                call.method,
                decision.cost,
                admitted.round_trip,
            );
        }
        tracing::debug!(
            attempt = attempt.number,
            decision = decision.verdict.name(),
            reason = match decision.verdict {
                Verdict::Success => "answered",
                Verdict::Retry { reason, .. } | Verdict::Fail { reason } => reason,
            },
            "attempt classified"
        );
        (result, decision.verdict)
    }

    /// Stages 3–6 with the budget admitted (sign, url, send, decode): the result, whether the
    /// request can have reached the server, and the round trip to the response head.
    async fn exchange<D: DeserializeOwned>(
        &self,
        version: ApiVersion,
        call: CallInfo<'_>,
        params: &Params,
        permit: &mut Permit,
    ) -> Exchange<D> {
        let state = self;
        let method = call.method;
        let credentials = &state.credentials;
        let token = sign::sign(credentials, &*state.clock);
        let secrets = sign::secrets(credentials, &token, params);
        let url = url::build(
            &state.endpoint,
            credentials.account_id(),
            version,
            method,
            &token,
            params,
        );
        // A URL that cannot be built is never sent.
        let url = match url {
            Ok(url) => url,
            Err(error) => return Exchange::unsent(error),
        };
        let timeout = call.timeout.unwrap_or(state.request_timeout);
        permit.mark_sent();
        let request = HttpRequest::new(url, timeout);
        let transport = &*state.transport;
        match send::send(transport, method, request, state.max_body_size, &secrets).await {
            Err(failure) => Exchange {
                result: Err(failure.error),
                reached_server: failure.reached_server,
                round_trip: Duration::ZERO,
            },
            Ok(received) => {
                tracing::Span::current().record("http.status", received.status);
                let now = state.clock.now_millis();
                Exchange {
                    result: decode::response::<D>(method, &received, now, &secrets),
                    reached_server: true,
                    round_trip: received.round_trip,
                }
            }
        }
    }
}

/// What one exchange with the server (stages 3–6) came to.
struct Exchange<D> {
    result: Result<Envelope<D>, Error>,
    /// Whether the request can have reached the server (false: nothing was spent).
    reached_server: bool,
    /// From sending to the response head (zero when nothing came back).
    round_trip: Duration,
}

impl<D> Exchange<D> {
    /// An exchange that stopped before anything was sent.
    fn unsent(error: Error) -> Self {
        Self {
            result: Err(error),
            reached_server: false,
            round_trip: Duration::ZERO,
        }
    }
}

/// An admitted attempt after its exchange: what settling it needs.
struct Admitted {
    permit: Permit,
    reached_server: bool,
    round_trip: Duration,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
