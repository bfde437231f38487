//! `bold360 call METHOD [Param=Value …]`.

use bold360_sdk::{CallInfo, MethodKind};
use serde_json::Value;

use crate::args;
use crate::fail::{Failure, OK};

pub async fn run(
    method: &str,
    items: &[String],
    api: Option<&str>,
    accept_truncated: bool,
) -> Result<u8, Failure> {
    let params = args::params(items)?;
    let client = args::client(api)?;
    // Methods the manifest knows get their kind (reads are retried on transient failures);
    // others are called as writes.
    let manifest = args::manifest()?;
    let version = args::spec_version(&client);
    let (wire, kind, expected, pages) = match manifest.method(method) {
        Some(m) => (
            m.name.clone(),
            args::method_kind(m),
            bold360_sdk::__private::expected_records(&params, m.max_page_size.map(u64::from), 1),
            m.paging_for(version).is_some(),
        ),
        None => (method.to_owned(), MethodKind::Write, 1, false),
    };
    let envelope = client
        .execute::<Value>(
            CallInfo::new(&wire, kind).expected_records(expected),
            params,
        )
        .await?;
    let text =
        serde_json::to_string_pretty(&envelope).map_err(|e| Failure::usage(e.to_string()))?;
    println!("{text}");
    if envelope.truncated == Some(true) && !pages && !accept_truncated {
        let records = envelope
            .data
            .as_ref()
            .and_then(Value::as_array)
            .map_or(0, |a| a.len() as u64);
        return Err(crate::fail::truncated(&wire, records));
    }
    Ok(OK)
}
