//! The Postman collection (format v2.1): a folder per category, a request per method and
//! version with every documented parameter, and collection-level scripts that sign each
//! request (`require('crypto-js')`, which the Postman app and newman both provide) and check
//! each answer.
//!
//! Parameters a request cannot go without (the required ones, and the first of an
//! exactly-one-of group) are enabled with a `{{Name}}` variable as their value, so one value
//! serves every request that takes it; the others are present but disabled.

use std::collections::BTreeMap;

use bold360_api_spec::{Constraint, Manifest, Method, Param, Version};
use serde_json::{json, Value};

use super::{
    categories, category, category_description, method_description, params_of, region_hosts,
    type_text, vendor_page, SIGNING_RULE,
};

/// The collection format's schema URL.
pub const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// The pre-request script: signs every request.
pub const PRE_REQUEST_SCRIPT: &str = include_str!("prerequest.js");

/// The collection-level test: HTTP 200, a `Status`, and `success`.
pub const TEST_SCRIPT: &str = include_str!("test.js");

/// The credentials' variables: (name, default value, description).
pub const CREDENTIAL_VARIABLES: [(&str, &str, &str); 3] = [
    (
        "accountId",
        "",
        "Your Bold360 account ID (BOLD360_ACCOUNT_ID).",
    ),
    (
        "apiSettingId",
        "",
        "The API setting's ID, shown with its key (BOLD360_API_SETTING_ID).",
    ),
    (
        "apiKey",
        "",
        "The API key (BOLD360_API_KEY). Keep it in a Postman environment's current value rather than in the shared collection.",
    ),
];

/// True when a request is sent with this parameter enabled: it is required, or it is the
/// first of an exactly-one-of group.
pub fn enabled(method: &Method, param: &Param) -> bool {
    param.required
        || method.constraints.iter().any(|c| match c {
            Constraint::ExactlyOneOf(names) => names.first() == Some(&param.name),
            Constraint::AllOrNone(_) => false,
        })
}

/// The whole collection.
pub fn collection(manifest: &Manifest) -> Value {
    let [(_, us), (_, emea)] = region_hosts();
    let folders: Vec<Value> = categories(manifest)
        .into_iter()
        .map(|name| {
            let items: Vec<Value> = manifest
                .methods
                .iter()
                .filter(|m| category(m) == name)
                .flat_map(|m| m.versions.iter().map(move |v| request(m, *v)))
                .collect();
            json!({ "name": name, "description": category_description(name), "item": items })
        })
        .collect();
    let mut variables = vec![json!({
        "key": "baseUrl",
        "value": format!("https://{us}"),
        "type": "string",
        "description": format!("https://{us} (US) or https://{emea} (EMEA), or a custom endpoint such as the one `bold360 sandbox` prints."),
    })];
    for (key, value, description) in CREDENTIAL_VARIABLES {
        variables.push(
            json!({ "key": key, "value": value, "type": "string", "description": description }),
        );
    }
    for (name, description) in value_variables(manifest) {
        variables.push(
            json!({ "key": name, "value": "", "type": "string", "description": description }),
        );
    }
    json!({
        "info": {
            "name": "Bold360 REST API",
            "description": format!(
                "Every documented method of Bold360's REST API, one request per method and version, \
    generated from the bold360-rs manifest.\n\nSet `accountId`, `apiSettingId` and `apiKey` (and \
    `baseUrl` for EMEA or a custom endpoint); the collection's pre-request script signs every \
    request. Values of required parameters are variables named after the parameter (`{{{{ChatID}}}}`): \
    set them once in an environment. Optional parameters are present but disabled.\n\n{SIGNING_RULE}"
            ),
            "schema": SCHEMA,
        },
        "item": folders,
        "event": [
            { "listen": "prerequest", "script": { "type": "text/javascript", "exec": lines(PRE_REQUEST_SCRIPT) } },
            { "listen": "test", "script": { "type": "text/javascript", "exec": lines(TEST_SCRIPT) } },
        ],
        "variable": variables,
    })
}

/// The variables that enabled parameters take their values from: name → description.
pub fn value_variables(manifest: &Manifest) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for method in &manifest.methods {
        for param in method.params.iter().filter(|p| enabled(method, p)) {
            out.entry(param.name.clone()).or_insert_with(|| {
                format!(
                    "{} ({}). Used by {}.",
                    param.description,
                    type_text(method, &param.ty),
                    method.name
                )
            });
        }
    }
    out
}

/// A reference to the collection variable `name`: `{{name}}`.
fn variable(name: &str) -> String {
    format!("{{{{{name}}}}}")
}

fn lines(script: &str) -> Vec<&str> {
    script.lines().collect()
}

fn request(method: &Method, version: Version) -> Value {
    let query: Vec<Value> = params_of(method, version)
        .map(|p| {
            let on = enabled(method, p);
            let mut description = format!(
                "{}{} — {}.",
                if p.required { "Required. " } else { "" },
                p.description,
                type_text(method, &p.ty)
            );
            if p.sensitive {
                description.push_str(" Sensitive: a secret.");
            }
            json!({
                "key": p.name,
                "value": if on { variable(&p.name) } else { String::new() },
                "description": description,
                "disabled": !on,
            })
        })
        .collect();
    let mut description = method_description(method, version);
    if let Some(url) = vendor_page(method, version) {
        description.push_str(&format!("\n\nVendor's page: {url}"));
    }
    let path = [
        "aid",
        "{{accountId}}",
        "data",
        "rest",
        "json",
        version.as_str(),
        method.name.as_str(),
    ];
    let raw_query: Vec<String> = params_of(method, version)
        .filter(|p| enabled(method, p))
        .map(|p| format!("{}={}", p.name, variable(&p.name)))
        .collect();
    let mut raw = format!("{{{{baseUrl}}}}/{}", path.join("/"));
    if !raw_query.is_empty() {
        raw.push('?');
        raw.push_str(&raw_query.join("&"));
    }
    json!({
        "name": format!("{} ({})", method.name, version.as_str()),
        "request": {
            "method": "GET",
            "header": [],
            "url": {
                "raw": raw,
                "host": ["{{baseUrl}}"],
                "path": path,
                "query": query,
            },
            "description": description,
        },
    })
}
