//! Rules on a method's parameters that one setter cannot enforce (which must be set, which go
//! together), from the manifest. The pipeline's validate stage checks them on every call of a
//! documented method, whatever built the call: a typed request, a page walk, a call by name.

use crate::config::endpoint::ApiVersion;
use crate::error::Error;
use crate::params::Params;

/// One rule on a method's parameters.
///
/// ```
/// use bold360_sdk::{ApiVersion, Constraint, Params};
/// let rule = Constraint::AllOrNone(&["FromDate", "ToDate"]);
/// let half = Params::new().with("FromDate", "2024-01-01T00:00:00Z");
/// let err = rule.check("getAllAuditLogs", ApiVersion::V2, &half).unwrap_err();
/// assert!(err.to_string().contains("ToDate"));
/// assert!(rule.check("getAllAuditLogs", ApiVersion::V2, &Params::new()).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Constraint {
    /// The parameter must be set in these versions.
    Required(&'static str, &'static [ApiVersion]),
    /// Exactly one of these must be set.
    ExactlyOneOf(&'static [&'static str]),
    /// All of these are set, or none.
    AllOrNone(&'static [&'static str]),
}

impl Constraint {
    /// Checks `params` of a call to `method` in `version`, naming the parameter at fault.
    pub fn check(&self, method: &str, version: ApiVersion, params: &Params) -> Result<(), Error> {
        match *self {
            Constraint::Required(name, versions) => {
                if versions.contains(&version) && !params.is_set(name) {
                    return Err(Error::invalid_request(
                        method,
                        Some(name),
                        format!("{name} is required in {}", version.as_str()),
                    ));
                }
                Ok(())
            }
            Constraint::ExactlyOneOf(names) => exactly_one_of(method, params, names),
            Constraint::AllOrNone(names) => all_or_none(method, params, names),
        }
    }
}

fn exactly_one_of(method: &str, params: &Params, names: &[&str]) -> Result<(), Error> {
    let set: Vec<&str> = names.iter().copied().filter(|n| params.is_set(n)).collect();
    if set.len() == 1 {
        return Ok(());
    }
    let which = if set.is_empty() {
        "none is set".to_owned()
    } else {
        format!("{} are set", set.join(" and "))
    };
    Err(Error::invalid_request(
        method,
        Some(set.first().copied().unwrap_or(names[0])),
        format!("exactly one of {} must be set; {which}", names.join(", ")),
    ))
}

fn all_or_none(method: &str, params: &Params, names: &[&str]) -> Result<(), Error> {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !params.is_set(n))
        .collect();
    if missing.is_empty() || missing.len() == names.len() {
        return Ok(());
    }
    Err(Error::invalid_request(
        method,
        Some(missing[0]),
        format!(
            "{} must be set together; {} is missing",
            names.join(" and "),
            missing.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: ApiVersion = ApiVersion::V2;

    #[test]
    fn required_only_in_its_versions() {
        let rule = Constraint::Required("ChatID", &[ApiVersion::V1]);
        let err = rule
            .check("getChat", ApiVersion::V1, &Params::new())
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { parameter: Some(p), .. } if p == "ChatID"),
            "{err}"
        );
        assert!(rule.check("getChat", V2, &Params::new()).is_ok());
        let set = Params::new().with("ChatID", 5);
        assert!(rule.check("getChat", ApiVersion::V1, &set).is_ok());
    }

    #[test]
    fn exactly_one_names_what_is_wrong() {
        let rule = Constraint::ExactlyOneOf(&["A", "B"]);
        let none = rule.check("m", V2, &Params::new()).unwrap_err().to_string();
        assert!(
            none.contains("none is set") && none.contains("\"A\""),
            "{none}"
        );
        let both = Params::new().with("A", 1).with("B", 2);
        let both = rule.check("m", V2, &both).unwrap_err().to_string();
        assert!(both.contains("A and B are set"), "{both}");
        assert!(rule.check("m", V2, &Params::new().with("B", 1)).is_ok());
    }

    #[test]
    fn all_or_none_names_the_missing_one() {
        let rule = Constraint::AllOrNone(&["FromDate", "ToDate"]);
        let err = rule
            .check("m", V2, &Params::new().with("ToDate", "x"))
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { parameter: Some(p), .. } if p == "FromDate"),
            "{err}"
        );
        let both = Params::new().with("FromDate", "x").with("ToDate", "y");
        assert!(rule.check("m", V2, &both).is_ok());
    }
}
