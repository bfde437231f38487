//! Methods regen could not turn into a valid manifest file, and the override that would most
//! likely fix each problem.
//!
//! One bad page never costs the other methods: the failed method's file is left as it is,
//! every other file is written, and the run exits non-zero until the problem is resolved
//! (usually by pasting the suggested entry into `overrides.json` and writing a true `why`).

use bold360_api_spec::{Method, Problem};
use serde_json::{json, Value};

/// One method that could not be generated.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The method's wire name.
    pub method: String,
    /// The pages it comes from.
    pub pages: Vec<String>,
    /// JSON pointer into the generated file (empty for a page problem).
    pub pointer: String,
    /// What is wrong.
    pub problem: String,
    /// An override entry to paste into `overrides.json`, when one can be guessed.
    pub suggestion: Option<Value>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.method, self.pages.join(", "))?;
        if !self.pointer.is_empty() {
            write!(f, ": {}", self.pointer)?;
        }
        write!(f, ": {}", self.problem)?;
        if let Some(s) = &self.suggestion {
            write!(f, "\n      suggested override: {s}")?;
        }
        Ok(())
    }
}

/// A failure from a validation problem of the generated `method`.
pub fn from_problem(method: &Method, problem: &Problem) -> Failure {
    Failure {
        method: method.name.clone(),
        pages: method.docs.clone(),
        pointer: problem.pointer.clone(),
        problem: problem.message.clone(),
        suggestion: suggest(method, &problem.pointer),
    }
}

/// A name the manifest accepts: the words of `name` run together (`Business Name` →
/// `BusinessName`), without characters other than letters, digits and `_`.
fn tidy_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Guesses the entry for a pointer such as `/returns/3/name` or `/params/0/type`.
fn suggest(method: &Method, pointer: &str) -> Option<Value> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    let (list, index, key) = (parts.next()?, parts.next()?, parts.next());
    let index: usize = index.parse().ok()?;
    let why = "<the vendor quirk, as you checked it on the page>";
    let (target_key, name, ty) = match list {
        "params" => {
            let p = method.params.get(index)?;
            ("param", p.name.clone(), p.ty.to_string())
        }
        "returns" => {
            let f = method.returns.get(index)?;
            ("field", f.name.clone(), f.ty.to_string())
        }
        _ => return None,
    };
    let mut entry = json!({ "method": method.name, target_key: name });
    match key {
        Some("name") => {
            let tidy = tidy_name(&name);
            if tidy.is_empty() || tidy == name {
                return None;
            }
            entry["rename"] = json!(tidy);
        }
        Some("type") => entry["type"] = json!(ty),
        _ => return None,
    }
    entry["why"] = json!(why);
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_spaces_get_a_rename() {
        assert_eq!(tidy_name("Business Name"), "BusinessName");
        assert_eq!(tidy_name("Department ID "), "DepartmentID");
        assert_eq!(tidy_name("ok_name"), "ok_name");
    }
}
