//! What the client needs to know about one call beyond its parameters.

use std::time::Duration;

use crate::method::info::MethodInfo;
use crate::method::kind::MethodKind;
use crate::params::Params;
use crate::pipeline::retry::RetryPolicy;

/// What the client needs to know about a call beyond its parameters, for
/// [`Client::execute`](crate::Client::execute).
///
/// ```
/// use bold360_sdk::{CallInfo, MethodKind};
/// let info = CallInfo::new("getChat", MethodKind::Read).expected_records(1);
/// assert_eq!(info.method, "getChat");
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallInfo<'a> {
    /// The wire name.
    pub method: &'a str,
    /// The method's manifest entry, whose rules the pipeline checks before sending. `None`:
    /// the method table's entry for `method`, if it has one.
    pub spec: Option<&'static MethodInfo>,
    /// Read or write, for the retry decision.
    pub kind: MethodKind,
    /// Records the response is expected to hold, reserved from the records budget until the
    /// real count is known.
    pub expected_records: u64,
    /// A retry policy for this call instead of the client's.
    pub retry: Option<&'a RetryPolicy>,
    /// A limit on each attempt instead of the client's request timeout.
    pub timeout: Option<Duration>,
    /// The parameter that sets this call's page size, when the call may ask for a smaller
    /// page than `expected_records` (an offset-paged method): the limiter may then admit it
    /// early for fewer records ([`RateLimiter::acquire_up_to`](crate::RateLimiter::acquire_up_to)),
    /// and the parameter is set to that count.
    pub page_size_param: Option<&'a str>,
}

impl<'a> CallInfo<'a> {
    /// A call expecting one record, with the client's retry policy.
    pub fn new(method: &'a str, kind: MethodKind) -> Self {
        Self {
            method,
            spec: None,
            kind,
            expected_records: 1,
            retry: None,
            timeout: None,
            page_size_param: None,
        }
    }

    /// A documented method's call: its kind from the method table, and the records it
    /// reserves from `PageSize` (capped at the method's page limit), else a typical page for
    /// lists and one record otherwise.
    ///
    /// ```
    /// use bold360_sdk::{methods, CallInfo, MethodKind, Params};
    /// let params = Params::new().with("PageSize", 1_000_000);
    /// let info = CallInfo::for_method(methods::lookup("getAllChatMessages").unwrap(), &params);
    /// assert_eq!((info.kind, info.expected_records), (MethodKind::Read, 1000));
    /// ```
    pub fn for_method(spec: &'static MethodInfo, params: &Params) -> Self {
        CallInfo {
            spec: Some(spec),
            ..CallInfo::new(spec.name(), spec.kind())
                .expected_records(spec.expected_records(params))
        }
    }

    /// Sets the expected record count.
    pub fn expected_records(mut self, records: u64) -> Self {
        self.expected_records = records;
        self
    }

    /// Uses this retry policy for the call.
    pub fn retry(mut self, policy: Option<&'a RetryPolicy>) -> Self {
        self.retry = policy;
        self
    }

    /// Lets the limiter admit the call early for a smaller page, set through `param`
    /// (`None`: always the whole `expected_records`).
    ///
    /// ```
    /// use bold360_sdk::{CallInfo, MethodKind};
    /// let info = CallInfo::new("getAllChatMessages", MethodKind::Read)
    ///     .expected_records(1000)
    ///     .page_size_param(Some("PageSize"));
    /// assert_eq!(info.page_size_param, Some("PageSize"));
    /// ```
    pub fn page_size_param(mut self, param: Option<&'a str>) -> Self {
        self.page_size_param = param;
        self
    }

    /// Limits each attempt of the call to `timeout` (`None`: the client's request timeout).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }
}
