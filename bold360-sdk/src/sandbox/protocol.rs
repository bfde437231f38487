//! What the manifest promises about a request, checked as the service does: the method exists
//! in the version called, required parameters are present (`Missing <Param>`), and rules over
//! several parameters hold.

use bold360_api_spec::{Constraint, Manifest, Method, Version};

/// The request's parameters, by name.
pub(crate) struct Params<'a>(pub &'a [(String, String)]);

impl Params<'_> {
    /// A parameter's value, when present and not empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A required parameter, or the service's `Missing <Param>` message.
    pub(crate) fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name).ok_or_else(|| format!("Missing {name}"))
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
    let version = match version {
        "v1" => Version::V1,
        "v2" => Version::V2,
        other => return Err(format!("Unknown API version {other}")),
    };
    if !spec.has_version(version) {
        return Err(format!(
            "Method {method} is not available in {}",
            version.as_str()
        ));
    }
    for param in spec
        .params
        .iter()
        .filter(|q| q.required && q.versions.contains(&version))
    {
        p.required(&param.name)?;
    }
    for constraint in &spec.constraints {
        match constraint {
            Constraint::ExactlyOneOf(names) => {
                if names.iter().filter(|n| p.get(n).is_some()).count() != 1 {
                    return Err(format!("Exactly one of {} must be given", names.join(", ")));
                }
            }
            Constraint::AllOrNone(names) => {
                let given = names.iter().filter(|n| p.get(n).is_some()).count();
                if given != 0 && given != names.len() {
                    return Err(format!("{} must be given together", names.join(" and ")));
                }
            }
        }
    }
    Ok(spec)
}
