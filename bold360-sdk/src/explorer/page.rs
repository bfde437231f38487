//! The page, its script and the OpenAPI document it reads, made once per start.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// What the explorer serves, made once per start.
pub(crate) struct Page {
    script: String,
    openapi: String,
    html: String,
}

/// The page: Swagger UI's files and the explorer's script, all from this server.
const HTML: &str = include_str!("page.html");

/// The script that starts Swagger UI; `TOKEN`, `WRITES` and `TARGET` are filled in.
const SCRIPT: &str = include_str!("explorer.js");

impl Page {
    pub(crate) fn new(token: &str, examples: &BTreeMap<String, String>, target: &str) -> Self {
        let writes: Vec<&str> = crate::methods::ALL
            .iter()
            .filter(|m| m.kind() == crate::MethodKind::Write)
            .map(|m| m.name())
            .collect();
        let script = SCRIPT
            .replacen("TOKEN;", &format!("{};", json!(token)), 1)
            .replacen("WRITES;", &format!("{};", json!(writes)), 1)
            .replacen("TARGET;", &format!("{};", json!(target)), 1);
        Self {
            script,
            openapi: openapi(examples).to_string(),
            html: HTML.replace("TARGET", &escape(target)),
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What the proxy answers itself, never having sent the call (the error envelope each time).
const PROXY_REFUSALS: [(&str, &str); 4] = [
    ("400", "Refused by the SDK before sending: a value, or a combination of parameters (`x-bold360-constraints`), that the method rules out."),
    ("403", "Refused: the request lacks this page's token, or comes from another site or host name."),
    ("404", "Not a documented method or API version: the proxy forwards only the manifest's methods."),
    ("502", "The call failed on its way (network, timeout, an answer that is not the envelope)."),
];

/// The shipped OpenAPI document pointed at the proxy (which signs, so no security scheme is
/// asked for), with example values in the parameters that have one.
fn openapi(examples: &BTreeMap<String, String>) -> Value {
    let mut doc: Value = serde_json::from_str(bold360_api_spec::OPENAPI).unwrap_or(Value::Null);
    doc["servers"] = json!([{
        "url": "/explorer/api",
        "description": "This explorer's local proxy: it signs each request and sends it through the SDK",
    }]);
    if let Some(map) = doc.as_object_mut() {
        map.remove("security");
    }
    if let Some(components) = doc["components"].as_object_mut() {
        components.remove("securitySchemes");
    }
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            // The proxy's own answers, beside the API's: each the error envelope.
            if let Some(responses) = item["get"]["responses"].as_object_mut() {
                for (status, why) in PROXY_REFUSALS {
                    responses.insert(
                        status.to_owned(),
                        json!({
                            "description": why,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}},
                        }),
                    );
                }
            }
            if let Some(params) = item["get"]["parameters"].as_array_mut() {
                for p in params {
                    let name = p["name"].as_str().unwrap_or_default().to_owned();
                    if let Some(value) = examples.get(&name) {
                        p["example"] = json!(value);
                    }
                }
            }
        }
    }
    doc
}

impl Page {
    /// The page's HTML.
    pub(crate) fn html(&self) -> &str {
        &self.html
    }

    /// The script that starts Swagger UI with this start's token.
    pub(crate) fn script(&self) -> &str {
        &self.script
    }

    /// The OpenAPI document the page reads.
    pub(crate) fn openapi(&self) -> &str {
        &self.openapi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_sends_the_header_the_proxy_reads_and_gets_its_settings() {
        assert!(SCRIPT.contains(&format!(
            "request.headers['{}']",
            super::super::context::TOKEN_HEADER
        )));
        let page = Page::new("abc123", &BTreeMap::new(), "the <local> sandbox");
        assert!(page.script.contains(r#"var token = "abc123";"#));
        assert!(page.script.contains(r#""updateChat""#), "writes are listed");
        assert!(!page.script.contains("TOKEN;") && !page.script.contains("WRITES;"));
        assert!(
            page.html.contains("the &lt;local&gt; sandbox"),
            "the target is escaped"
        );
        assert!(
            !page.html.contains("abc123"),
            "the token is in the script only"
        );
    }

    #[test]
    fn the_document_points_at_the_proxy_with_examples_and_no_key() {
        let examples = BTreeMap::from([("ChatID".to_owned(), "42".to_owned())]);
        let doc = openapi(&examples);
        assert_eq!(doc["servers"].as_array().unwrap().len(), 1);
        assert_eq!(doc["servers"][0]["url"], "/explorer/api");
        assert!(doc.get("security").is_none());
        assert!(doc["components"].get("securitySchemes").is_none());
        assert_eq!(
            doc["paths"]["/v1/getChat"]["get"]["parameters"][0]["example"],
            "42"
        );
    }
}
