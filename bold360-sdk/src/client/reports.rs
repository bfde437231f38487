//! Reports run as jobs: `runReport` starts one and returns its ID, and `getReport` tells its
//! state (`StatusCode` 0-3 running, 4 done, 5 timed out, 6 failed, 7 cancelled).
//! [`Api::wait_for_report`] polls with backoff until the job ends.

use std::time::Duration;

use tokio::time::Instant;

use crate::client::api::{Api, Version};
use crate::error::Error;
use crate::methods::get_report;
use crate::methods::ids::ReportId;

/// How to poll a report job.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::ReportPolling;
/// let polling = ReportPolling::default().timeout(Duration::from_secs(120));
/// assert_eq!(polling.get_timeout(), Duration::from_secs(120));
/// ```
#[derive(Debug, Clone)]
pub struct ReportPolling {
    first: Duration,
    max: Duration,
    timeout: Duration,
    unknown_polls: u32,
}

impl Default for ReportPolling {
    /// First poll after 500 ms, then doubling up to 10 s between polls; give up after 10 min,
    /// or after 3 answers in a row without a known StatusCode.
    fn default() -> Self {
        Self {
            first: Duration::from_millis(500),
            max: Duration::from_secs(10),
            timeout: Duration::from_secs(600),
            unknown_polls: 3,
        }
    }
}

impl ReportPolling {
    /// The wait before the first poll (it doubles after each).
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first = delay;
        self
    }

    /// The longest wait between polls.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max = delay;
        self
    }

    /// How long to wait for the job in all.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many answers in a row without a known `StatusCode` (missing, or not 0-7) end the
    /// wait with [`Error::Report`]. At least 1.
    pub fn unknown_polls(mut self, polls: u32) -> Self {
        self.unknown_polls = polls.max(1);
        self
    }

    /// The overall limit.
    pub fn get_timeout(&self) -> Duration {
        self.timeout
    }
}

impl<V: Version> Api<V> {
    /// Polls `getReport` until the job is done and returns its response (with the report in
    /// `data`). A job that times out, fails or is cancelled on the server is an
    /// [`Error::Report`], and so is a server that keeps answering without a known
    /// `StatusCode` ([`ReportPolling::unknown_polls`] times in a row); one still running after
    /// the polling timeout is an [`Error::Timeout`]. No delay setting can overflow.
    ///
    /// ```no_run
    /// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
    /// use bold360_sdk::ReportPolling;
    /// let v1 = client.v1();
    /// let started = v1.run_report(0).grouping("date").send().await?;
    /// let report_id = started.data.and_then(|d| d.report_id).expect("runReport returns an ID");
    /// let report = v1.wait_for_report(report_id, ReportPolling::default()).await?;
    /// println!("{:?}", report.data);
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_report(
        &self,
        report_id: impl Into<ReportId>,
        polling: ReportPolling,
    ) -> Result<get_report::Response, Error> {
        let report_id = report_id.into();
        let started = Instant::now();
        let mut delay = polling.first;
        let mut unknown = 0;
        loop {
            let response = self.get_report(report_id.clone()).send().await?;
            let code = response.status_code;
            let outcome = match code {
                Some(4) => return Ok(response),
                Some(0..=3) => {
                    unknown = 0;
                    None
                }
                Some(5) => Some("timed out"),
                Some(6) => Some("failed"),
                Some(7) => Some("was cancelled"),
                _ => {
                    unknown += 1;
                    (unknown >= polling.unknown_polls).then_some("has no known status")
                }
            };
            if let Some(outcome) = outcome {
                return Err(Error::Report {
                    method: "getReport".to_owned(),
                    report_id: report_id.to_string(),
                    outcome,
                    status_code: code,
                });
            }
            if started.elapsed().saturating_add(delay) > polling.timeout {
                return Err(Error::Timeout {
                    method: "getReport".to_owned(),
                    timeout: polling.timeout,
                });
            }
            tracing::debug!(report_id = %report_id, status_code = ?code, delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "report still running");
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2).min(polling.max);
        }
    }
}
