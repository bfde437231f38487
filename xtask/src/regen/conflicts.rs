//! Cross-page conflicts: one field name typed differently on different pages.
//!
//! The vendor's pages disagree with each other (`Hidden` is a date on one page and a byte on
//! another). Each such difference must be settled in `overrides.json`: either by a `type`
//! entry that makes the pages agree, or by a `conflicts` note saying why the difference is
//! kept. An unsettled conflict fails the run with a suggested note; a note whose conflict is
//! gone is stale.

use std::collections::BTreeMap;

use bold360_api_spec::{Method, TypeRef};

use super::overrides::ConflictNote;

/// One name with more than one type across the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The field or parameter name.
    pub name: String,
    /// Each type, with the `method.name` places that use it.
    pub types: BTreeMap<String, Vec<String>>,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .types
            .iter()
            .map(|(ty, places)| format!("{ty} in {}", places.join(", ")))
            .collect();
        write!(f, "{}: {}", self.name, parts.join("; "))
    }
}

/// How a type counts for conflicts: enums by kind (their names are per method).
fn shape(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Enum(_) => "enum".to_owned(),
        other => other.to_string(),
    }
}

/// Every name (returned field, or parameter) typed in more than one way.
pub fn find(methods: &[Method]) -> Vec<Conflict> {
    let mut by_name: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for m in methods {
        let fields = m.returns.iter().map(|f| (&f.name, &f.ty));
        let params = m.params.iter().map(|p| (&p.name, &p.ty));
        for (name, ty) in fields.chain(params) {
            let places = by_name
                .entry(name.clone())
                .or_default()
                .entry(shape(ty))
                .or_default();
            let place = format!("{}.{name}", m.name);
            if !places.contains(&place) {
                places.push(place);
            }
        }
    }
    by_name
        .into_iter()
        .filter(|(_, types)| types.len() > 1)
        .map(|(name, types)| Conflict { name, types })
        .collect()
}

/// The outcome of checking conflicts against the reviewed notes.
#[derive(Debug, Clone, Default)]
pub struct Settled {
    /// Conflicts with a note: `name: … — why`.
    pub kept: Vec<String>,
    /// Conflicts nobody has decided on, each with a suggested note to paste.
    pub unsettled: Vec<String>,
    /// Notes whose conflict no longer exists.
    pub stale: Vec<String>,
}

/// Checks every conflict against the `conflicts` notes of `overrides.json`.
pub fn settle(conflicts: &[Conflict], notes: &[ConflictNote]) -> Settled {
    let mut out = Settled::default();
    for c in conflicts {
        match notes.iter().find(|n| n.name == c.name) {
            Some(note) => out.kept.push(format!("{c} — {}", note.why)),
            None => {
                let suggestion = serde_json::json!({
                    "name": c.name,
                    "why": "<why the pages differ and which is right; or make them agree with a \"type\" override>",
                });
                out.unsettled.push(format!(
                    "conflict {c}\n      settle it in overrides.json, e.g. under \"conflicts\": {suggestion}"
                ));
            }
        }
    }
    for (i, note) in notes.iter().enumerate() {
        if !conflicts.iter().any(|c| c.name == note.name) {
            out.stale.push(format!(
                "overrides.json: conflicts/{i} ({}): stale: the pages no longer disagree on it",
                note.name
            ));
        }
    }
    out
}
