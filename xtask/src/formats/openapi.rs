//! The OpenAPI 3.1 document: one `GET` operation per method and documented version.
//!
//! Paths are `/v1/{method}` and `/v2/{method}` under the server
//! `https://{endpoint}/aid/{accountId}/data/rest/json`. What JSON Schema cannot say (which
//! parameters go together, paging, read or write, the account's limits) is in the
//! description and in `x-bold360-*` extensions.

use bold360_api_spec::{DataShape, Field, Kind, Manifest, Method, Param, TypeRef, Version};
use serde_json::{json, Map, Value};

use super::{
    categories, category, category_description, constraint_text, constraint_value, limits,
    method_description, paging_value, params_of, region_hosts, vendor_page, SIGNING_RULE,
};

/// The operation ID of one version of a method: `getChat_v2`.
pub fn operation_id(method: &Method, version: Version) -> String {
    format!("{}_{}", method.name, version.as_str())
}

/// The path of one version of a method: `/v2/getChat`.
pub fn path(method: &Method, version: Version) -> String {
    format!("/{}/{}", version.as_str(), method.name)
}

/// The name of a method's record schema under `components.schemas`.
pub fn record_schema_name(method: &Method) -> String {
    let mut name = method.name.clone();
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    format!("{name}Record")
}

/// The whole document.
pub fn document(manifest: &Manifest) -> Value {
    let [(_, us), (_, emea)] = region_hosts();
    let limits = limits();
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert("Envelope".to_owned(), envelope());
    for method in &manifest.methods {
        if method.data != DataShape::None {
            schemas.insert(record_schema_name(method), record_schema(method));
        }
        for version in method.versions.iter().copied() {
            paths.insert(
                path(method, version),
                json!({ "get": operation(method, version) }),
            );
        }
    }
    let tags: Vec<Value> = categories(manifest)
        .into_iter()
        .map(|name| json!({ "name": name, "description": category_description(name) }))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Bold360 REST API",
            "version": "v1+v2",
            "summary": "Every documented method of Bold360's (BoldChat's) REST API, generated from the bold360-rs manifest.",
            "description": format!(
                "Bold360's REST API is a flat list of methods, each called as \
    `GET {{server}}/{{v1|v2}}/{{method}}?auth={{token}}&Param=…`. Responses are an envelope: \
    `Status` (`success` or `error`), `Message` on error, `Data`, and paging fields.\n\n\
    **Signing.** {SIGNING_RULE}\n\n\
    **Limits.** The account allows {} requests and {} records per second, across every client \
    using it; `x-bold360-limits` has the figures.\n\n\
    Generated from the manifest of bold360-rs (`cargo xtask regen`); do not edit by hand.",
                limits["requests_per_second"], limits["records_per_second"]
            ),
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "externalDocs": {
            "description": "The vendor's API reference",
            "url": super::VENDOR_DOCS,
        },
        "servers": [
            {
                "url": "https://{endpoint}/aid/{accountId}/data/rest/json",
                "description": "Bold360's API in the account's region (BOLD360_REGION)",
                "variables": {
                    "endpoint": {
                        "default": us,
                        "enum": [us, emea],
                        "description": format!("`{us}` for accounts in the US data center (BOLD360_REGION=us), `{emea}` for EMEA (BOLD360_REGION=emea)."),
                    },
                    "accountId": {
                        "default": "0",
                        "description": "Your account ID (BOLD360_ACCOUNT_ID), shown with the API key in Bold360's API settings.",
                    },
                },
            },
            {
                "url": "{baseUrl}/aid/{accountId}/data/rest/json",
                "description": "A custom endpoint (BOLD360_ENDPOINT): a proxy, or the local sandbox that `bold360 sandbox` starts",
                "variables": {
                    "baseUrl": {
                        "default": "http://127.0.0.1:8080",
                        "description": "Scheme, host and port, without a trailing slash.",
                    },
                    "accountId": {
                        "default": "0",
                        "description": "The account ID that endpoint expects (`bold360 sandbox` prints it).",
                    },
                },
            },
        ],
        "security": [{ "auth": [] }],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "auth": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "auth",
                    "description": SIGNING_RULE,
                },
            },
        },
        "x-bold360-limits": limits,
    })
}

fn operation(method: &Method, version: Version) -> Value {
    let mut op = json!({
        "operationId": operation_id(method, version),
        "summary": match method.kind {
            Kind::Read => format!("{} ({})", method.name, version.as_str()),
            Kind::Write => format!("{} ({}) · write: changes data", method.name, version.as_str()),
        },
        "description": method_description(method, version),
        "tags": [category(method)],
        "parameters": params_of(method, version).map(|p| parameter(method, p)).collect::<Vec<_>>(),
        "responses": {
            "200": {
                "description": "The envelope: `Status` is `success` with `Data`, or `error` with `Message` (HTTP 200 either way).",
                "content": { "application/json": { "schema": response_schema(method) } },
            },
            "429": {
                "description": "The account's limits were exceeded; `Retry-After` says when to try again.",
                "headers": { "Retry-After": { "schema": { "type": "integer", "minimum": 0 }, "description": "Seconds to wait." } },
            },
        },
        "x-bold360-kind": method.kind.as_str(),
        "x-bold360-versions": method.versions,
    });
    if let Some(url) = vendor_page(method, version) {
        op["externalDocs"] = json!({ "description": "The vendor's page", "url": url });
    }
    if !method.constraints.is_empty() {
        op["x-bold360-constraints"] = Value::Array(
            method
                .constraints
                .iter()
                .map(|c| json!({ "rule": constraint_value(c), "text": constraint_text(c) }))
                .collect(),
        );
    }
    if let Some(paging) = paging_value(method, version) {
        op["x-bold360-paging"] = paging;
    }
    if !method.aliases.is_empty() {
        op["x-bold360-aliases"] = json!(method.aliases);
    }
    if !method.dynamic_params.is_empty() {
        op["x-bold360-dynamic-params"] = Value::Array(
            method
                .dynamic_params
                .iter()
                .map(|d| json!({ "pattern": d.pattern, "description": d.description }))
                .collect(),
        );
    }
    if method.returns_incomplete.is_some() {
        op["x-bold360-returns-incomplete"] = json!(method.returns_incomplete);
    }
    op
}

fn parameter(method: &Method, param: &Param) -> Value {
    let mut schema = param_schema(method, &param.ty);
    if param.required && schema["type"] == "string" && schema.get("pattern").is_none() {
        // A blank value is the same as none (the SDK's rule): a required one is not blank.
        schema["minLength"] = json!(1);
    }
    if param.sensitive {
        schema["format"] = json!("password");
    }
    let mut description = param.description.clone();
    for constraint in method
        .constraints
        .iter()
        .filter(|c| c.params().contains(&param.name))
    {
        description.push(' ');
        description.push_str(&constraint_text(constraint));
    }
    let mut value = json!({
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": description.trim(),
        "schema": schema,
        "x-bold360-versions": param.versions,
    });
    if !param.required {
        // A blank value is the same as leaving the parameter out (the SDK's rule, and the
        // sandbox's): an optional parameter may be sent empty.
        value["allowEmptyValue"] = json!(true);
    }
    if param.sensitive {
        value["x-bold360-sensitive"] = json!(true);
    }
    if let Some(entity) = param.id_entity() {
        value["x-bold360-entity"] = json!(entity);
    }
    value
}

/// An ID's text: decimal digits of a 64-bit unsigned number (at most 18446744073709551615),
/// leading zeros allowed: the SDK's `Id::parse`, as a regular expression.
fn id_pattern() -> String {
    let max = u64::MAX.to_string();
    let mut alternatives = vec![format!("[0-9]{{1,{}}}", max.len() - 1)];
    for (i, digit) in max.bytes().enumerate() {
        if digit > b'0' {
            let rest = max.len() - i - 1;
            let below = char::from(digit - 1);
            let tail = if rest == 0 {
                String::new()
            } else {
                format!("[0-9]{{{rest}}}")
            };
            alternatives.push(format!("{}[0-{below}]{tail}", &max[..i]));
        }
    }
    alternatives.push(max);
    format!("^0*({})$", alternatives.join("|"))
}

/// The schema of a value sent as a query parameter.
fn param_schema(method: &Method, ty: &TypeRef) -> Value {
    match ty {
        TypeRef::Id => json!({
            "type": "string",
            "pattern": id_pattern(),
            "description": "An ID: digits, exact (IDs exceed 2^53, so keep them as text).",
        }),
        TypeRef::Integer => json!({ "type": "integer" }),
        TypeRef::Count => json!({ "type": "integer", "minimum": 0 }),
        TypeRef::Number => json!({ "type": "number" }),
        TypeRef::Boolean => json!({ "type": "boolean" }),
        TypeRef::String => json!({ "type": "string" }),
        TypeRef::Datetime => json!({ "type": "string", "format": "date-time" }),
        TypeRef::Json => json!({ "type": "string", "contentMediaType": "application/json" }),
        TypeRef::Enum(name) => {
            let values = method.enums.get(name);
            json!({
                "type": "string",
                "enum": values.map(|v| v.keys().cloned().collect::<Vec<_>>()).unwrap_or_default(),
                "x-enumDescriptions": values.cloned().unwrap_or_default(),
                "x-bold360-enum": name,
            })
        }
    }
}

/// The schema of a returned field: nullable, and as lenient as the wire is (numbers may
/// arrive as text and IDs as numbers).
fn field_schema(method: &Method, field: &Field) -> Value {
    let mut schema = match &field.ty {
        TypeRef::Id => json!({
            "type": ["string", "integer", "null"],
            "description": "An ID, exact: read it as text (values exceed 2^53; a visitor's person ID may not be digits).",
        }),
        TypeRef::Integer => json!({ "type": ["integer", "string", "null"] }),
        TypeRef::Count => json!({ "type": ["integer", "string", "null"], "minimum": 0 }),
        TypeRef::Number => json!({ "type": ["number", "string", "null"] }),
        TypeRef::Boolean => json!({ "type": ["boolean", "integer", "string", "null"] }),
        TypeRef::String => json!({ "type": ["string", "null"] }),
        TypeRef::Datetime => json!({ "type": ["string", "null"], "format": "date-time" }),
        TypeRef::Json => json!({}),
        TypeRef::Enum(name) => json!({
            "type": ["string", "integer", "null"],
            "x-enumDescriptions": method.enums.get(name).cloned().unwrap_or_default(),
            "x-bold360-enum": name,
        }),
    };
    if !field.description.is_empty() {
        schema["description"] = json!(field.description);
    }
    if let Some(entity) = field.id_entity() {
        schema["x-bold360-entity"] = json!(entity);
    }
    schema
}

fn record_schema(method: &Method) -> Value {
    let properties: Map<String, Value> = method
        .returns
        .iter()
        .map(|f| (f.name.clone(), field_schema(method, f)))
        .collect();
    let mut schema = json!({
        "type": "object",
        "description": format!("A record of {}. Fields the vendor does not document are kept (additionalProperties).", method.name),
        "properties": properties,
        "additionalProperties": true,
    });
    if let Some(reason) = &method.returns_incomplete {
        schema["x-bold360-returns-incomplete"] = json!(reason);
    }
    schema
}

fn response_schema(method: &Method) -> Value {
    let record = json!({ "$ref": format!("#/components/schemas/{}", record_schema_name(method)) });
    let data = match method.data {
        DataShape::Array => json!({ "type": ["array", "null"], "items": record }),
        DataShape::Object => json!({ "anyOf": [record, { "type": "null" }] }),
        DataShape::None => json!({ "description": "No data is returned." }),
    };
    json!({
        "allOf": [
            { "$ref": "#/components/schemas/Envelope" },
            { "properties": { "Data": data } },
        ],
    })
}

fn envelope() -> Value {
    json!({
        "type": "object",
        "description": "Every response's envelope.",
        "required": ["Status"],
        "properties": {
            "Status": { "type": "string", "description": "`success`, or `error` with the reason in Message." },
            "Message": { "type": ["string", "null"], "description": "Why a call failed." },
            "Data": { "description": "The records, per method." },
            "Next": {
                "type": ["object", "null"],
                "description": "v1 offset paging: the parameters of the next page (send each back); absent on the last page.",
                "additionalProperties": true,
            },
            "NextPage": { "type": ["string", "null"], "description": "v2 cursor paging: send back as NextPage; absent on the last page." },
            "Truncated": {
                "type": ["boolean", "null"],
                "description": "True when the server cut a list method's answer short: the records are not all there.",
            },
        },
        "additionalProperties": true,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_id_pattern_is_the_sdks_rule() {
        let re = regex::Regex::new(&super::id_pattern()).unwrap();
        for ok in [
            "0",
            "42",
            "007",
            "9007199254740993",
            "18446744073709551615",
            "18446744073709551609",
            "09999999999999999999",
        ] {
            assert!(re.is_match(ok), "{ok}");
            assert!(bold360_id_ok(ok), "the SDK takes {ok}");
        }
        for bad in [
            "",
            "-1",
            "1a",
            "18446744073709551616",
            "18446744073709551620",
            "77010372980280265150",
            "99999999999999999999",
        ] {
            assert!(!re.is_match(bad), "{bad}");
            assert!(!bold360_id_ok(bad), "the SDK refuses {bad}");
        }
    }

    /// The SDK's rule (`Id::parse`): decimal digits of a u64.
    fn bold360_id_ok(text: &str) -> bool {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u64>().is_ok()
    }
}
