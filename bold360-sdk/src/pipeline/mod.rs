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

use std::time::Instant;

use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument;

use crate::client::{CallInfo, Client};
use crate::envelope::{Envelope, RecordCount};
use crate::error::Error;
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
        let method = info.method;
        let policy = info.retry.unwrap_or(&shared.retry);
        let decide = |outcome| classify::classify(outcome, attempt, policy, rand::random());
        let mut permit = match limit::admit(&shared.limiter, method, info.expected_records).await {
            Ok(permit) => permit,
            Err(error) => {
                let decision = decide(Outcome::Failed {
                    error: &error,
                    reached_server: false,
                });
                return (Err(error), decision.verdict);
            }
        };
        tracing::Span::current().record("limiter_wait_ms", millis(permit.waited()));
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
        let (result, decision, round_trip) = match url {
            // A URL that cannot be built is never sent: the permit is released below.
            Err(error) => {
                let decision = decide(Outcome::Failed {
                    error: &error,
                    reached_server: false,
                });
                (Err(error), decision, Default::default())
            }
            Ok(url) => {
                let timeout = info.timeout.unwrap_or(shared.request_timeout);
                permit.mark_sent();
                let request = HttpRequest::new(url, timeout);
                match send::send(
                    &*shared.transport,
                    method,
                    request,
                    shared.max_body_size,
                    &secrets,
                )
                .await
                {
                    Err(failure) => {
                        let decision = decide(Outcome::Failed {
                            error: &failure.error,
                            reached_server: failure.reached_server,
                        });
                        (Err(failure.error), decision, Default::default())
                    }
                    Ok(received) => {
                        tracing::Span::current().record("http.status", received.status);
                        let result = decode::response::<D>(
                            method,
                            &received,
                            shared.clock.now_millis(),
                            &secrets,
                        );
                        let decision = decide(match &result {
                            Ok(envelope) => Outcome::Answered {
                                records: envelope.record_count() as u64,
                            },
                            Err(error) => Outcome::Failed {
                                error,
                                reached_server: true,
                            },
                        });
                        (result, decision, received.round_trip)
                    }
                }
            }
        };
        limit::settle(&shared.limiter, permit, method, decision.budget, round_trip);
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
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
