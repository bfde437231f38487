//! Example values the sandbox accepts: for every parameter a call cannot go without (the
//! required ones, and the members of an exactly-one-of group), a value that names something
//! the sandbox holds. They are what `bold360 sandbox` prints for Postman and what the
//! explorer fills in, so every documented method can be tried at once.

use std::collections::BTreeMap;

use bold360_api_spec::{Constraint, Manifest, Param, TypeRef};

use super::data::Store;
use super::server::SandboxState;
use super::synthetic;

/// Parameter name → a value the sandbox accepts for it, from what it holds now.
pub(crate) fn of(state: &SandboxState) -> BTreeMap<String, String> {
    let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
    values(&store, &state.manifest)
}

fn values(store: &Store, manifest: &Manifest) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for method in &manifest.methods {
        let grouped = |p: &Param| {
            method
                .constraints
                .iter()
                .any(|c| matches!(c, Constraint::ExactlyOneOf(_)) && c.params().contains(&p.name))
        };
        for param in method.params.iter().filter(|p| p.required || grouped(p)) {
            let value = match &param.ty {
                TypeRef::Id => synthetic::ids(store, &param.id_entity().unwrap_or_default())
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
                TypeRef::Enum(name) => method
                    .enums
                    .get(name)
                    .and_then(|values| values.keys().next().cloned())
                    .unwrap_or_default(),
                TypeRef::Integer | TypeRef::Count | TypeRef::Number => "1".to_owned(),
                TypeRef::Boolean => "true".to_owned(),
                TypeRef::Datetime => "2024-01-01T00:00:00Z".to_owned(),
                TypeRef::Json => "[]".to_owned(),
                TypeRef::String => text_for(&param.name),
            };
            out.entry(param.name.clone()).or_insert(value);
        }
    }
    out
}

/// A text value that reads as what the parameter names.
fn text_for(name: &str) -> String {
    match name {
        "UserName" => "new.agent",
        "OperatorName" => "New Agent",
        "Email" => "new.agent@example.com",
        "Password" => "Sandbox-Passw0rd!",
        _ => "example",
    }
    .to_owned()
}
