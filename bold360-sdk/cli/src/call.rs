//! `bold360 call METHOD [Param=Value …]`.

use crate::args;
use crate::exit::OK;
use crate::fail::Failure;
use crate::out::outln;
use crate::raw::RawData;
use bold360_sdk::{CallInfo, MethodKind};

/// How `call` was asked to run.
pub struct Options<'a> {
    pub api: Option<&'a str>,
    pub accept_truncated: bool,
    /// `read` or `write`, for a method the manifest does not list.
    pub kind: Option<&'a str>,
    /// Request timeout in seconds.
    pub timeout: Option<f64>,
}

pub async fn run(method: &str, items: &[String], options: Options<'_>) -> Result<u8, Failure> {
    let Options {
        api,
        accept_truncated,
        kind: kind_flag,
        timeout,
    } = options;
    let params = args::params(items)?;
    let client = args::client(api, timeout)?;
    // Methods the manifest knows get their kind (reads are retried on transient failures);
    // others are classified by name (`get…` reads) unless --kind says otherwise.
    let known = bold360_sdk::methods::lookup(method);
    let (wire, mut info, pages) = match known {
        Some(m) => (
            m.name().to_owned(),
            CallInfo::for_method(m, &params),
            m.paging(client.api_version()).is_some(),
        ),
        None => (
            method.to_owned(),
            CallInfo::new(method, MethodKind::from_name(method)),
            false,
        ),
    };
    match kind_flag {
        Some("read") => info.kind = MethodKind::Read,
        Some("write") => info.kind = MethodKind::Write,
        _ => {}
    }
    let envelope = client
        .execute::<RawData>(info, params)
        .await?
        .map_data(|data| data.compacted());
    // One line, `Data` byte for byte as sent (no rounding, no reordering).
    let text = serde_json::to_string(&envelope).map_err(|e| Failure::usage(e.to_string()))?;
    outln!("{text}");
    if envelope.truncated == Some(true) && !pages && !accept_truncated {
        return Err(crate::fail::truncated(
            &wire,
            envelope.record_count() as u64,
        ));
    }
    Ok(OK)
}
