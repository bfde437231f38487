//! Methods the vendor has that no page of ours documents: names public clients call (the
//! vendor's own demos and dashboards among them), each with what those clients suggest about
//! it. `known-methods.json` holds them with their sources; the SDK sends them by name as
//! undocumented calls, and did-you-mean considers them.

use serde::Deserialize;

/// The list's text (`known-methods.json`), embedded.
pub const KNOWN_METHODS_JSON: &str = include_str!("../known-methods.json");

/// `known-methods.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownMethods {
    /// What the list is.
    pub about: String,
    /// Where the names were seen (repositories and paths, or pages).
    pub sources: Vec<String>,
    /// The methods.
    pub methods: Vec<KnownMethod>,
}

/// A method known by name only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownMethod {
    /// The wire name, e.g. `getDepartments`.
    pub name: String,
    /// What its callers send or what the name suggests; not documented.
    pub hint: String,
}

impl KnownMethods {
    /// The list shipped in this crate.
    ///
    /// ```
    /// let known = bold360_api_spec::KnownMethods::embedded().unwrap();
    /// assert!(known.methods.iter().any(|m| m.name == "getDepartments"));
    /// ```
    pub fn embedded() -> Result<Self, String> {
        Self::parse(KNOWN_METHODS_JSON)
    }

    /// Reads the list's text; every name must be a method name (ASCII letters and digits,
    /// starting with a lower-case letter) and appear once.
    pub fn parse(text: &str) -> Result<Self, String> {
        let list: Self =
            serde_json::from_str(text).map_err(|e| format!("known-methods.json: {e}"))?;
        let mut seen = std::collections::BTreeSet::new();
        for m in &list.methods {
            let mut bytes = m.name.bytes();
            let valid = bytes.next().is_some_and(|b| b.is_ascii_lowercase())
                && bytes.all(|b| b.is_ascii_alphanumeric());
            if !valid {
                return Err(format!(
                    "known-methods.json: {:?} is not a method name",
                    m.name
                ));
            }
            if !seen.insert(m.name.as_str()) {
                return Err(format!("known-methods.json: {:?} is listed twice", m.name));
            }
        }
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_valid_and_names_no_documented_method() {
        let known = KnownMethods::embedded().unwrap();
        assert_eq!(known.methods.len(), 33);
        let manifest = crate::Manifest::embedded().unwrap();
        for m in &known.methods {
            assert!(
                manifest.method(&m.name).is_none(),
                "{} is documented: take it off known-methods.json",
                m.name
            );
        }
    }

    #[test]
    fn malformed_lists_are_refused() {
        let list = |names: &str| format!(r#"{{"about":"","sources":[],"methods":[{names}]}}"#);
        assert!(KnownMethods::parse(&list(r#"{"name":"getX","hint":""}"#)).is_ok());
        assert!(KnownMethods::parse(&list(r#"{"name":"get x","hint":""}"#)).is_err());
        assert!(KnownMethods::parse(&list(r#"{"name":"GetX","hint":""}"#)).is_err());
        assert!(KnownMethods::parse(&list(
            r#"{"name":"getX","hint":""},{"name":"getX","hint":""}"#
        ))
        .is_err());
        assert!(KnownMethods::parse("[]").is_err());
    }
}
