//! Stage 1, validate: refuse a call that cannot be right before anything is spent on it (no
//! budget taken, no token signed, nothing sent). The method name and parameter names are
//! checked for every call; a documented method's rules (required parameters, parameters that
//! go together or exclude each other) for every call of it, whichever entry point built it.

use crate::config::endpoint::ApiVersion;
use crate::error::Error;
use crate::method::info::MethodInfo;
use crate::params::Params;

/// Checks one call. `spec` is the method's entry in the manifest, when it has one: then the
/// version, every documented parameter's version and value, and the method's rules are
/// checked too, and parameters the manifest does not know are sent with a warning (the vendor
/// may add parameters before the manifest knows them). `Some(params)`: the parameters as they
/// are sent, when a value was written in another accepted form (an enum's name, another ISO
/// 8601 form).
pub(crate) fn validate(
    method: &str,
    version: ApiVersion,
    spec: Option<&MethodInfo>,
    params: &Params,
) -> Result<Option<Params>, Error> {
    check_method_name(method)?;
    check_params(method, params)?;
    let Some(spec) = spec else {
        return Ok(None);
    };
    for name in spec.undocumented(params) {
        tracing::warn!(
            method,
            parameter = name,
            "a parameter the manifest does not document for this method; sent as given"
        );
    }
    spec.normalize(version, params)
}

/// Checks a method name: ASCII letters and digits, starting with a letter.
pub(crate) fn check_method_name(method: &str) -> Result<(), Error> {
    let mut bytes = method.bytes();
    let valid = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_request(
            method,
            None,
            "method names are ASCII letters and digits, starting with a letter",
        ))
    }
}

/// Checks parameter names: non-empty, no control characters, and not the reserved `auth`.
pub(crate) fn check_params(method: &str, params: &Params) -> Result<(), Error> {
    for (name, value) in params.iter() {
        if name.trim().is_empty() {
            return Err(Error::invalid_request(
                method,
                Some(name),
                "parameter names must not be empty",
            ));
        }
        if name.eq_ignore_ascii_case("auth") {
            return Err(Error::invalid_request(
                method,
                Some(name),
                "`auth` is set by the client from its credentials",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Error::invalid_request(
                method,
                Some(name),
                "parameter names must not contain control characters",
            ));
        }
        if value.contains('\0') {
            return Err(Error::invalid_request(
                method,
                Some(name),
                "parameter values must not contain NUL characters",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_method_name("getChat").is_ok());
        for bad in ["", "get Chat", "get/Chat", "1get", "getChat?x=1"] {
            assert!(check_method_name(bad).is_err(), "{bad}");
        }
        let err = check_params("getChat", &Params::new().with("AUTH", "x")).unwrap_err();
        assert!(err.to_string().contains("getChat") && err.to_string().contains("AUTH"));
        assert!(check_params("m", &Params::new().with("", "x")).is_err());
        assert!(check_params("m", &Params::new().with("a\nb", "x")).is_err());
    }

    #[test]
    fn a_documented_methods_rules_apply_only_with_its_spec() {
        let spec = crate::methods::lookup("getAllAuditLogs").unwrap();
        let half = Params::new().with("FromDate", "2024-01-01T00:00:00Z");
        let err = validate("getAllAuditLogs", ApiVersion::V2, Some(spec), &half).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { parameter: Some(p), .. } if p == "ToDate"),
            "{err}"
        );
        assert!(validate("getAllAuditLogs", ApiVersion::V2, None, &half).is_ok());
        let both = half.clone().with("ToDate", "2024-02-01T00:00:00Z");
        assert!(validate("getAllAuditLogs", ApiVersion::V2, Some(spec), &both).is_ok());
        // Names are checked before the rules, with or without a spec.
        let err = validate("get Chat", ApiVersion::V1, None, &Params::new()).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidRequest {
                parameter: None,
                ..
            }
        ));
        let auth = Params::new().with("auth", "x");
        assert!(validate("getChat", ApiVersion::V1, None, &auth).is_err());
    }
}
