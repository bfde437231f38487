//! `bold360 call METHOD [Param=Value …]`.

use crate::args;
use crate::exit::OK;
use crate::fail::Failure;
use crate::out::outln;
use crate::raw::RawData;
use bold360_sdk::{closest_name, CallInfo, MethodInfo, MethodKind, Params};

/// How `call` was asked to run.
pub struct Options<'a> {
    pub api: Option<&'a str>,
    pub accept_truncated: bool,
    /// `read` or `write`, for a method the manifest does not list.
    pub kind: Option<&'a str>,
    /// Request timeout in seconds.
    pub timeout: Option<f64>,
    /// Names as given: no refusal of near-miss methods or undocumented parameters.
    pub raw: bool,
}

/// Refuses what is almost certainly a typo before anything is sent: a method name that is a
/// near miss of a documented one, or a parameter the documented method does not have.
fn check_names(method: &str, known: Option<&MethodInfo>, params: &Params) -> Result<(), Failure> {
    let Some(spec) = known else {
        if bold360_sdk::methods::undocumented(method).is_some() {
            return Ok(());
        }
        return match args::near_method(method) {
            Some(near) => Err(Failure::usage(format!(
                "{method}: no such method; did you mean {near}? (send it as given with --raw)"
            ))),
            None => Ok(()),
        };
    };
    let Some(unknown) = spec.undocumented(params).next() else {
        return Ok(());
    };
    let patterns: Vec<String> = spec
        .param_families()
        .iter()
        .map(|prefix| format!("{prefix}<name>"))
        .collect();
    let documented: Vec<&str> = spec
        .params()
        .iter()
        .map(|p| p.name())
        .chain(patterns.iter().map(String::as_str))
        .collect();
    let hint = match closest_name(unknown, documented.iter().copied()) {
        Some(near) => format!("did you mean {near}? "),
        None => String::new(),
    };
    Err(Failure::from(bold360_sdk::Error::InvalidRequest {
        method: spec.name().to_owned(),
        parameter: Some(unknown.to_owned()),
        reason: format!(
            "{} documents no parameter {unknown} ({hint}documented: {}); send it anyway with --raw",
            spec.name(),
            documented.join(", ")
        ),
    }))
}

pub async fn run(method: &str, items: &[String], options: Options<'_>) -> Result<u8, Failure> {
    let Options {
        api,
        accept_truncated,
        kind: kind_flag,
        timeout,
        raw,
    } = options;
    let params = args::params(items)?;
    let known = bold360_sdk::methods::lookup(method);
    if !raw {
        check_names(method, known, &params)?;
    }
    let client = args::client(api, timeout)?;
    // Methods the manifest knows get their kind (reads are retried on transient failures);
    // others are classified by name (`get…` reads) unless --kind says otherwise. Everything
    // else the manifest says (versions, each value's type, the rules) the SDK checks before
    // sending: a refusal is exit 2 with nothing sent.
    let (wire, mut info, pages) = match known {
        Some(m) => (
            m.name().to_owned(),
            CallInfo::for_method(m, &params),
            m.paging(client.api_version()).is_some(),
        ),
        None => {
            if let Some(m) = bold360_sdk::methods::undocumented(method) {
                eprintln!(
                    "bold360: {}: {}",
                    m.name(),
                    bold360_sdk::UndocumentedMethod::NOTE
                );
            }
            (
                method.to_owned(),
                CallInfo::new(method, MethodKind::from_name(method)),
                false,
            )
        }
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
