//! Arguments shared by the commands.

use bold360_api_spec::{Manifest, Method};
use bold360_sdk::{ApiVersion, Client, ClientBuilder, Params};

use crate::fail::Failure;

/// `Name=Value` items as parameters.
pub fn params(items: &[String]) -> Result<Params, Failure> {
    let mut params = Params::new();
    for item in items {
        match item.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                params.set(name.trim(), value);
            }
            _ => {
                return Err(Failure::usage(format!(
                    "parameter {item:?} is not Name=Value"
                )))
            }
        }
    }
    Ok(params)
}

/// A client configured from the environment, on the requested version, with a request
/// timeout in seconds when given.
pub fn client(api: Option<&str>, timeout: Option<f64>) -> Result<Client, Failure> {
    let mut builder = ClientBuilder::from_env()?;
    if let Some(seconds) = timeout {
        let limit = std::time::Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--timeout {seconds}: expected a positive number of seconds"
                ))
            })?;
        builder = builder.request_timeout(limit);
    }
    let client = builder.build()?;
    Ok(match api {
        Some("v2") => client.with_version(ApiVersion::V2),
        Some(_) => client.with_version(ApiVersion::V1),
        None => client,
    })
}

/// The shipped manifest.
pub fn manifest() -> Result<Manifest, Failure> {
    Manifest::embedded().map_err(|problems| {
        Failure::usage(format!("the embedded manifest is invalid: {}", problems[0]))
    })
}

/// The method (documented, an alias, or known by name only) closest to `name`: the same name
/// in another case, or one within two edits (`bold360_sdk::closest_name`).
pub fn near_method(name: &str) -> Option<&'static str> {
    let names = bold360_sdk::methods::ALL
        .iter()
        .flat_map(|m| std::iter::once(m.name()).chain(m.aliases().iter().copied()))
        .chain(bold360_sdk::methods::UNDOCUMENTED.iter().map(|m| m.name()));
    bold360_sdk::closest_name(name, names)
}

/// A method by name or alias.
pub fn method(manifest: &Manifest, name: &str) -> Result<Method, Failure> {
    manifest.method(name).cloned().ok_or_else(|| {
        let lower = name.to_ascii_lowercase();
        let near: Vec<&str> = match near_method(name) {
            Some(near) => vec![near],
            // A part of a name, or a name with more after it: every method that matches.
            None => manifest
                .methods
                .iter()
                .map(|m| m.name.as_str())
                .filter(|m| {
                    let m = m.to_ascii_lowercase();
                    m.contains(&lower) || lower.contains(&m)
                })
                .collect(),
        };
        let hint = if near.is_empty() {
            String::from(" (bold360 methods lists them)")
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        Failure::usage(format!("unknown method {name:?}{hint}"))
    })
}
