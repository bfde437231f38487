//! The fields of a trigger request, from a form-encoded or JSON body.

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::verify::TriggerError;

/// A trigger's fields by name, in the order they arrived. Values are text: JSON numbers and
/// booleans as written, `null` as empty, nested structures as their JSON text.
///
/// ```
/// use bold360_sdk::trigger::TriggerFields;
/// let form = TriggerFields::from_form(b"ChatID=1&Name=jane+doe");
/// assert_eq!(form.get("Name"), Some("jane doe"));
/// let json = TriggerFields::from_json(br#"{"ChatID": 1, "Closed": true}"#).unwrap();
/// assert_eq!(json.get("ChatID"), Some("1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriggerFields {
    fields: IndexMap<String, String>,
}

impl TriggerFields {
    /// From an `application/x-www-form-urlencoded` body.
    pub fn from_form(body: &[u8]) -> Self {
        let mut fields = IndexMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            fields.insert(name.into_owned(), value.into_owned());
        }
        Self { fields }
    }

    /// From a JSON object body.
    pub fn from_json(body: &[u8]) -> Result<Self, TriggerError> {
        let value: serde_json::Map<String, Value> = serde_json::from_slice(body)
            .map_err(|e| TriggerError::MalformedBody(format!("not a JSON object: {e}")))?;
        let fields = value
            .into_iter()
            .map(|(name, value)| {
                let text = match value {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (name, text)
            })
            .collect();
        Ok(Self { fields })
    }

    /// From a body and its `Content-Type`: JSON when the type says so (or the body starts with
    /// `{`), form-encoded otherwise.
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Result<Self, TriggerError> {
        let json = content_type.is_some_and(|t| t.to_ascii_lowercase().contains("json"))
            || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if json {
            Self::from_json(body)
        } else {
            Ok(Self::from_form(body))
        }
    }

    /// One field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Every field in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Sets a field (for building requests in tests).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.fields.insert(name.into(), value.into());
    }

    /// The fields as a typed payload (see [`payload`](super::payload)).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, TriggerError> {
        let map: serde_json::Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        serde_path_to_error::deserialize(Value::Object(map))
            .map_err(|e| TriggerError::MalformedBody(format!("field {}: {}", e.path(), e.inner())))
    }
}
