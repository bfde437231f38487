//! What the manifest promises about a request, checked as the service does: the method exists
//! in the version called, required parameters are present (`Missing <Param>`), rules over
//! several parameters hold, and an ID parameter holds an ID (`Invalid <Param>`).
//!
//! The rules are the SDK's own, called as a library — [`Constraint::check`] over
//! [`Params::is_set`](crate::Params::is_set) for presence, [`Id::parse`] for IDs — so the
//! sandbox cannot drift from what the SDK refuses before sending. Only the wording of the
//! answer is the service's.

use bold360_api_spec::{Manifest, Method, TypeRef, Version};

use crate::config::endpoint::ApiVersion;
use crate::fields::id::Id;
use crate::fields::wire::is_blank;
use crate::method::constraint::Constraint;
use crate::params::Params as SdkParams;

/// The request's parameters, by name.
pub(crate) struct Params<'a>(pub &'a [(String, String)]);

impl Params<'_> {
    /// A parameter's value, when it is set (present and not blank: the SDK's rule).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !is_blank(v))
    }

    /// A required parameter, or the service's `Missing <Param>` message.
    pub(crate) fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name).ok_or_else(|| format!("Missing {name}"))
    }

    fn to_sdk(&self) -> SdkParams {
        let mut params = SdkParams::new();
        for (name, value) in self.0 {
            params.set(name.as_str(), value.as_str());
        }
        params
    }
}

/// The API version named in the path.
pub(crate) fn check_version(version: &str) -> Result<(Version, ApiVersion), String> {
    match version {
        "v1" => Ok((Version::V1, ApiVersion::V1)),
        "v2" => Ok((Version::V2, ApiVersion::V2)),
        other => Err(format!("Unknown API version {other}")),
    }
}

/// The method called, after the checks every method gets.
pub(crate) fn check<'m>(
    manifest: &'m Manifest,
    method: &str,
    version: &str,
    p: &Params<'_>,
) -> Result<&'m Method, String> {
    let spec = manifest
        .method(method)
        .ok_or_else(|| format!("Unknown method {method}"))?;
    let (version, api) = check_version(version)?;
    if !spec.has_version(version) {
        return Err(format!(
            "Method {method} is not available in {}",
            version.as_str()
        ));
    }
    // The sandbox serves the manifest the SDK's method table was generated from.
    let rules =
        crate::methods::lookup(&spec.name).ok_or_else(|| format!("Unknown method {method}"))?;
    let params = p.to_sdk();
    for constraint in rules.constraints() {
        constraint
            .check(&spec.name, api, &params)
            .map_err(|error| match constraint {
                Constraint::Required(name, _) => format!("Missing {name}"),
                _ => reason(error),
            })?;
    }
    // A parameter given twice: the SDK sends each once (`Params` is a map), and which value
    // a server would take is anyone's guess. (Names a method does not document are let
    // through, as the SDK lets them through: a page's `Next` object, sent back verbatim, may
    // carry any.)
    if let Some((_, (name, _))) =
        p.0.iter()
            .enumerate()
            .find(|(i, (name, _))| p.0[..*i].iter().any(|(n, _)| n == name))
    {
        return Err(format!("Invalid parameter {name}: given more than once"));
    }
    // Every documented parameter's version and value, by the SDK's own rule (`MethodInfo`):
    // what the SDK refuses before sending, the sandbox refuses too.
    for param in spec.params.iter().filter(|q| q.ty == TypeRef::Id) {
        if let Some(value) = p.get(&param.name) {
            Id::parse(value).map_err(|e| format!("Invalid {}: {e}", param.name))?;
        }
    }
    rules.normalize(api, &params).map_err(|error| match error {
        crate::error::Error::InvalidRequest {
            parameter: Some(name),
            reason,
            ..
        } => format!("Invalid {name}: {reason}"),
        other => reason(other),
    })?;
    Ok(spec)
}

fn reason(error: crate::error::Error) -> String {
    match error {
        crate::error::Error::InvalidRequest { reason, .. } => reason,
        other => other.to_string(),
    }
}
