//! The manifest in the formats other tools read: an OpenAPI 3.1 document ([`openapi`]) and a
//! Postman v2.1 collection that signs its own requests ([`postman`]).
//!
//! Both are generated from the validated manifest (overrides already applied), written by
//! `cargo xtask regen` beside the method files and checked by `regen --check`; the
//! `bold360-api-spec` crate embeds them (`bold360_api_spec::OPENAPI`,
//! `bold360_api_spec::POSTMAN_COLLECTION`) for the CLI's `bold360 spec` and the explorer.
//! What the two share (tags, the vendor page of a version, a parameter's description, the
//! account's limits, the signing rule) is written once here.

pub mod openapi;
pub mod postman;

use std::collections::BTreeMap;

use bold360_api_spec::{Constraint, Kind, Manifest, Method, PagingStyle, Param, TypeRef, Version};
use serde_json::{json, Value};

/// Where the OpenAPI document lives, relative to the manifest directory.
pub const OPENAPI_PATH: &str = "openapi.json";
/// Where the Postman collection lives, relative to the manifest directory.
pub const POSTMAN_PATH: &str = "postman/bold360.postman_collection.json";

/// The vendor's reference site; a method's `docs` entries are pages under it.
pub const VENDOR_DOCS: &str = "https://developer.bold360.com/help/EN/Bold360API/Bold360API/";

/// The signing rule, as both formats state it.
pub const SIGNING_RULE: &str =
    "Every request carries `auth=AccountID:ApiSettingID:Millis:Hash`, where \
Millis is the current Unix time in milliseconds and Hash is the lower-case hex SHA-512 of \
`AccountID:ApiSettingID:Millis` followed directly by the API key. The account ID and API \
setting ID are shown with the key in Bold360's API settings. A token is accepted for 5 minutes \
after Millis: sign every request afresh, and treat a token like the key it proves.";

/// Both generated files: path relative to the manifest directory → text.
///
/// ```
/// let manifest = bold360_api_spec::Manifest::embedded().unwrap();
/// let files = xtask::formats::files(&manifest);
/// assert_eq!(files[xtask::formats::OPENAPI_PATH], bold360_api_spec::OPENAPI);
/// ```
pub fn files(manifest: &Manifest) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            OPENAPI_PATH.to_owned(),
            render(&openapi::document(manifest)),
        ),
        (
            POSTMAN_PATH.to_owned(),
            render(&postman::collection(manifest)),
        ),
    ])
}

/// Pretty JSON with a trailing newline, as every generated file is written.
pub fn render(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// A method's tag (OpenAPI) and folder (Postman): its vendor category.
pub fn category(method: &Method) -> &str {
    method.category.as_deref().unwrap_or("other")
}

/// The categories, each once, sorted by name.
pub fn categories(manifest: &Manifest) -> Vec<&str> {
    let mut names: Vec<&str> = manifest.methods.iter().map(category).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// What a category holds, in words.
pub fn category_description(name: &str) -> String {
    let what = match name {
        "chat_management" => "Changing chats: messages, assignment, custom fields.",
        "data_extraction.list_data" => "Lists of records, returned whole.",
        "data_extraction.paged" => "Large record sets, returned a page at a time.",
        "data_extraction.single_item" => "One record, or the records of one item, by ID.",
        "provisioning.canned_folders" => "Folders of canned messages.",
        "provisioning.canned_messages" => "Canned messages.",
        "provisioning.operator" => "Creating and changing agents (operators).",
        "reports" => "Report jobs: start one, then poll it.",
        "workflow" => "Agent availability and wait times.",
        _ => "Other methods.",
    };
    format!("{what} (The vendor's category `{name}`.)")
}

/// The vendor page of one version of a method: the page naming the version, else the first.
pub fn vendor_page(method: &Method, version: Version) -> Option<String> {
    let marker = format!("_{}_", version.as_str());
    method
        .docs
        .iter()
        .find(|page| page.contains(&marker))
        .or_else(|| method.docs.first())
        .map(|page| format!("{VENDOR_DOCS}{page}"))
}

/// The parameters of one version, in manifest order.
pub fn params_of(method: &Method, version: Version) -> impl Iterator<Item = &Param> {
    method
        .params
        .iter()
        .filter(move |p| p.versions.contains(&version))
}

/// A constraint in words.
pub fn constraint_text(constraint: &Constraint) -> String {
    match constraint {
        Constraint::ExactlyOneOf(names) => format!("Give exactly one of {}.", names.join(", ")),
        Constraint::AllOrNone(names) => {
            format!("Give {} together, or none of them.", names.join(" and "))
        }
    }
}

/// A constraint as data (the manifest's own form).
pub fn constraint_value(constraint: &Constraint) -> Value {
    serde_json::to_value(constraint).unwrap_or(Value::Null)
}

/// How to ask for the next page, in words: what the response carries and where it goes.
pub fn continuation_rule(style: &PagingStyle) -> String {
    match style {
        PagingStyle::Offset { .. } => "send every field of the response's `Next` object back as a parameter; no `Next` means the last page".to_owned(),
        PagingStyle::Cursor { cursor_param, .. } => format!(
            "send the response's `NextPage` back as `{cursor_param}`; no `NextPage` means the last page"
        ),
    }
}

/// What a request does, for both formats: the method's description, whether it writes, the
/// rules over its parameters, how it pages in this version, an incomplete field list, and the
/// parameters it accepts beyond the named ones.
pub fn method_description(method: &Method, version: Version) -> String {
    let mut text = method.description.clone();
    let mut add = |paragraph: String| {
        text.push_str("\n\n");
        text.push_str(&paragraph);
    };
    if method.kind == Kind::Write {
        add("**Write:** this method changes data in the account.".to_owned());
    }
    for constraint in &method.constraints {
        add(constraint_text(constraint));
    }
    if let Some(style) = method.paging_for(version) {
        let cap = method
            .max_page_size
            .map(|cap| format!(" At most {cap} records per page."))
            .unwrap_or_default();
        add(format!("Paged: {}.{cap}", continuation_rule(style)));
    }
    if let Some(reason) = &method.returns_incomplete {
        add(format!("The vendor's list of returned fields is incomplete ({reason}); records carry more fields than listed."));
    }
    for d in &method.dynamic_params {
        add(format!(
            "Also accepts parameters named `{}`: {}",
            d.pattern, d.description
        ));
    }
    text
}

/// Paging of one version as data: the style, what the response carries to continue, the
/// page-size parameter and the server's cap.
pub fn paging_value(method: &Method, version: Version) -> Option<Value> {
    let style = method.paging_for(version)?;
    let mut value = match style {
        PagingStyle::Offset {
            start_param,
            size_param,
            start_unit,
        } => json!({
            "style": "offset",
            "continuation": "Next",
            "continuation_rule": continuation_rule(style),
            "start_param": start_param,
            "start_unit": start_unit,
            "size_param": size_param,
        }),
        PagingStyle::Cursor {
            cursor_param,
            size_param,
            page_param,
        } => {
            let mut v = json!({
                "style": "cursor",
                "continuation": "NextPage",
                "continuation_rule": continuation_rule(style),
                "cursor_param": cursor_param,
            });
            if let Some(size) = size_param {
                v["size_param"] = json!(size);
            }
            if let Some(page) = page_param {
                v["page_param"] = json!(page);
            }
            v
        }
    };
    if let Some(cap) = method.max_page_size {
        value["max_page_size"] = json!(cap);
    }
    Some(value)
}

/// The account-wide limits every call shares (the SDK's defaults, the documented figures).
pub fn limits() -> Value {
    let config = bold360_sdk::LimiterConfig::default();
    json!({
        "requests_per_second": config.get_requests_per_second(),
        "records_per_second": config.get_records_per_second(),
        "token_lifetime_seconds": bold360_sdk::signing::TOKEN_LIFETIME.as_secs(),
        "scope": "the whole account: every client, process and tool using it shares these",
    })
}

/// The US and EMEA hosts, from the SDK's regions.
pub fn region_hosts() -> [(&'static str, &'static str); 2] {
    let host = |r: bold360_sdk::Region| {
        let url = r.base_url();
        url.strip_prefix("https://").unwrap_or(url)
    };
    [
        ("us", host(bold360_sdk::Region::Us)),
        ("emea", host(bold360_sdk::Region::Emea)),
    ]
}

/// What a value of this type looks like, in words (for Postman, where there is no schema).
pub fn type_text(method: &Method, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Id => "an ID (digits; may exceed 2^53, keep it as text)".to_owned(),
        TypeRef::Integer => "a whole number".to_owned(),
        TypeRef::Count => "a whole number, 0 or more".to_owned(),
        TypeRef::Number => "a number".to_owned(),
        TypeRef::Boolean => "true or false".to_owned(),
        TypeRef::String => "text".to_owned(),
        TypeRef::Datetime => "an ISO 8601 UTC date-time, e.g. 2024-05-01T00:00:00Z".to_owned(),
        TypeRef::Json => "JSON text".to_owned(),
        TypeRef::Enum(name) => format!("one of: {}", method.enum_text(name)),
    }
}
