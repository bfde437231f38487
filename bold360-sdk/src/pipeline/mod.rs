//! The request pipeline: the path every call takes, whichever entry point built it (a typed
//! `send()`, a page of `pages()` or `into_stream()`, `call_raw`, `pages_raw`, `execute`, the
//! `bold360` CLI). One module per stage, in the order a call goes through them:
//!
//! 1. [`validate`] — method and parameter names, and the method's rules from the manifest
//!    (required parameters, all-or-none, exactly-one-of). Once per call, before anything else.
//! 2. [`sign`] — a fresh SHA-512 `auth` token per attempt, and the secrets to scrub.
//! 3. [`url`] — the URL, every component percent-encoded (RFC 3986).
//! 4. [`limit`] — room in the account's budget (requests and records per second).
//! 5. [`send`] — one exchange over the client's transport, bounded in time and size.
//! 6. [`decode`] — status, `Retry-After` and body into an envelope or a typed error.
//! 7. [`classify`] — success, retry after how long, or failure; what the attempt cost the
//!    budget (the limiter hears refusals from here).
//!
//! Stages 2–7 repeat for each attempt while classify says retry and the retry budget allows.

mod classify;
mod decode;
mod limit;
mod send;
mod sign;
pub(crate) mod url;
mod validate;

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument;

use crate::client::{CallInfo, Client};
use crate::envelope::{Envelope, RecordCount};
use crate::error::Error;
use crate::limiter::Permit;
use crate::params::Params;
use crate::transport::HttpRequest;
use classify::{Attempt, Outcome, Verdict};

pub(crate) use decode::decode as decode_body;

impl Client {
    /// The path every call takes (typed, raw and paged): validate, then for each attempt
    /// sign, build the URL, wait for the budget, send, decode `Data` as `D` and classify,
    /// retrying as the method's kind allows. For calls by name that need control over the
    /// kind, the records reserved, the retry policy or the timeout.
    ///
    /// A documented method's rules are checked here whatever `info` says: `info.spec` when
    /// set, else the method table entry of `info.method`.
    ///
    /// ```no_run
    /// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
    /// use bold360_sdk::{CallInfo, MethodKind, Params};
    /// let info = CallInfo::new("getOperators", MethodKind::Read).expected_records(50);
    /// let page = client.execute::<serde_json::Value>(info, Params::new()).await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn execute<D>(&self, info: CallInfo<'_>, params: Params) -> Result<Envelope<D>, Error>
    where
        D: DeserializeOwned + RecordCount,
    {
        let spec = info.spec.or_else(|| crate::methods::lookup(info.method));
        validate::validate(info.method, self.version, spec, &params)?;
        let span = tracing::info_span!(
            "bold360.call",
            method = info.method,
            version = self.version.as_str(),
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
                    kind: info.kind,
                    number,
                    elapsed: started.elapsed(),
                };
                let (result, verdict) = self.attempt(info, &params, attempt).await;
                let Verdict::Retry { after, reason } = verdict else {
                    if result.is_ok() {
                        self.shared.retry_budget.deposit();
                    }
                    break result;
                };
                let limiter = &self.shared.limiter;
                if !self.shared.retry_budget.withdraw() {
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

    /// Stages 2–7 once: the result and classify's verdict on it.
    async fn attempt<D: DeserializeOwned + RecordCount>(
        &self,
        info: CallInfo<'_>,
        params: &Params,
        attempt: Attempt,
    ) -> (Result<Envelope<D>, Error>, Verdict) {
        let shared = &*self.shared;
        let (result, admitted) =
            match limit::admit(&shared.limiter, info.method, info.expected_records).await {
                Err(error) => (Err(error), None),
                Ok(mut permit) => {
                    tracing::Span::current().record("limiter_wait_ms", millis(permit.waited()));
                    let (result, reached_server, round_trip) =
                        self.exchange::<D>(info, params, &mut permit).await;
                    (result, Some((permit, reached_server, round_trip)))
                }
            };
        let outcome = match &result {
            Ok(envelope) => Outcome::Answered {
                records: envelope.record_count() as u64,
            },
            Err(error) => Outcome::Failed {
                error,
                reached_server: admitted.as_ref().is_some_and(|(_, reached, _)| *reached),
            },
        };
        let policy = info.retry.unwrap_or(&shared.retry);
        let decision = classify::classify(outcome, attempt, policy, rand::random());
        if let Some((permit, _, round_trip)) = admitted {
            limit::settle(
                &shared.limiter,
                permit,
                info.method,
                decision.budget,
                round_trip,
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

    /// Stages 2, 3, 5 and 6 with the budget admitted: the result, whether the request can
    /// have reached the server, and the round trip to the response head.
    async fn exchange<D: DeserializeOwned>(
        &self,
        info: CallInfo<'_>,
        params: &Params,
        permit: &mut Permit,
    ) -> (Result<Envelope<D>, Error>, bool, Duration) {
        let shared = &*self.shared;
        let method = info.method;
        let credentials = &shared.credentials;
        let token = sign::sign(credentials, &*shared.clock);
        let secrets = sign::secrets(credentials, &token, params);
        let url = url::build(
            &shared.endpoint,
            credentials.account_id(),
            self.version,
            method,
            &token,
            params,
        );
        // A URL that cannot be built is never sent.
        let url = match url {
            Ok(url) => url,
            Err(error) => return (Err(error), false, Duration::ZERO),
        };
        let timeout = info.timeout.unwrap_or(shared.request_timeout);
        permit.mark_sent();
        let request = HttpRequest::new(url, timeout);
        let transport = &*shared.transport;
        match send::send(transport, method, request, shared.max_body_size, &secrets).await {
            Err(failure) => (Err(failure.error), failure.reached_server, Duration::ZERO),
            Ok(received) => {
                tracing::Span::current().record("http.status", received.status);
                let now = shared.clock.now_millis();
                let result = decode::response::<D>(method, &received, now, &secrets);
                (result, true, received.round_trip)
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
