//! The fields of a trigger request, from a form-encoded or JSON body.

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::TriggerError;

/// A trigger's fields by name, in the order they arrived, **as received: not verified**.
/// Values are text: JSON numbers and booleans as written, `null` as empty, nested structures
/// as their JSON text. [`TriggerVerifier::verify`](super::TriggerVerifier::verify) turns them
/// into [`SignedFields`], which hold only what the signature covers.
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

    /// [`from_body`](Self::from_body), refusing what a genuine trigger never holds: a field
    /// given twice (which value was signed?), and text that is not UTF-8 (raw, or once
    /// percent-decoded). What a service that stores triggers should use.
    ///
    /// ```
    /// use bold360_sdk::trigger::TriggerFields;
    /// assert!(TriggerFields::from_body_strict(None, b"ChatID=1&Name=a+b").is_ok());
    /// assert!(TriggerFields::from_body_strict(None, b"ChatID=1&ChatID=2").is_err());
    /// assert!(TriggerFields::from_body_strict(None, b"Name=%FF").is_err());
    /// assert!(TriggerFields::from_body_strict(Some("application/json"), br#"{"a":1,"a":2}"#).is_err());
    /// ```
    pub fn from_body_strict(content_type: Option<&str>, body: &[u8]) -> Result<Self, TriggerError> {
        let malformed = |why: &str| TriggerError::MalformedBody(why.to_owned());
        let text = std::str::from_utf8(body).map_err(|_| malformed("the body is not UTF-8"))?;
        let json = content_type.is_some_and(|t| t.to_ascii_lowercase().contains("json"))
            || text.trim_start().starts_with('{');
        let mut names = std::collections::HashSet::new();
        if json {
            // serde_json keeps the last of repeated keys: find repeats at the top level first.
            let raw: Vec<(String, Box<serde_json::value::RawValue>)> = {
                struct Pairs(Vec<(String, Box<serde_json::value::RawValue>)>);
                impl<'de> serde::Deserialize<'de> for Pairs {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        struct Visit;
                        impl<'de> serde::de::Visitor<'de> for Visit {
                            type Value = Pairs;
                            fn expecting(
                                &self,
                                f: &mut std::fmt::Formatter<'_>,
                            ) -> std::fmt::Result {
                                f.write_str("a JSON object")
                            }
                            fn visit_map<A: serde::de::MapAccess<'de>>(
                                self,
                                mut map: A,
                            ) -> Result<Pairs, A::Error> {
                                let mut pairs = Vec::new();
                                while let Some(pair) = map.next_entry()? {
                                    pairs.push(pair);
                                }
                                Ok(Pairs(pairs))
                            }
                        }
                        d.deserialize_map(Visit)
                    }
                }
                serde_json::from_str::<Pairs>(text)
                    .map_err(|e| TriggerError::MalformedBody(format!("not a JSON object: {e}")))?
                    .0
            };
            for (name, _) in &raw {
                if !names.insert(name.clone()) {
                    return Err(TriggerError::MalformedBody(format!(
                        "field {name:?} is given twice"
                    )));
                }
            }
            return Self::from_json(body);
        }
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |part: &str| {
                percent_encoding::percent_decode_str(&part.replace('+', " "))
                    .decode_utf8()
                    .map(|d| d.into_owned())
                    .map_err(|_| malformed("a field is not UTF-8 once percent-decoded"))
            };
            let name = decode(name)?;
            decode(value)?;
            if !names.insert(name.clone()) {
                return Err(TriggerError::MalformedBody(format!(
                    "field {name:?} is given twice"
                )));
            }
        }
        Ok(Self::from_form(body))
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

    /// Every field, verified or not, as a typed payload. Anyone can add or change a field
    /// that `signed` does not list: prefer [`SignedFields::parse`].
    pub fn parse_unverified<T: DeserializeOwned>(&self) -> Result<T, TriggerError> {
        parse(self.iter())
    }

    /// The fields `signed` lists, plus `signed` and `signature` themselves, in arrival order.
    /// Only meaningful once the signature has been checked.
    pub(crate) fn signed_only(&self) -> SignedFields {
        let signed: Vec<&str> = self.get("signed").unwrap_or_default().split('&').collect();
        let fields = self
            .fields
            .iter()
            .filter(|(name, _)| {
                signed.contains(&name.as_str()) || *name == "signed" || *name == "signature"
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        SignedFields { fields }
    }
}

/// The fields of a trigger whose signature checked out: exactly those its `signed` field
/// lists (plus `signed` and `signature`). A field an attacker added to a captured trigger is
/// not here.
///
/// ```
/// use bold360_sdk::trigger::{TriggerFields, TriggerVerifier};
/// let verifier = TriggerVerifier::new("key");
/// let mut fields = TriggerFields::from_form(b"ChatID=1&signed=ChatID");
/// fields.insert("signature", verifier.sign("https://h.example.com/t", &fields).unwrap());
/// fields.insert("Rating", "5"); // not signed: added by someone else
/// let signed = verifier.verify("https://h.example.com/t", &fields).unwrap();
/// assert_eq!(signed.get("ChatID"), Some("1"));
/// assert_eq!(signed.get("Rating"), None);
/// assert_eq!(fields.get("Rating"), Some("5"), "still reachable, as unverified input");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedFields {
    fields: IndexMap<String, String>,
}

impl SignedFields {
    /// One signed field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Every signed field in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The signed fields as a typed payload (see [`payload`](super::payload)); fields the
    /// payload does not name land in its `extra`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, TriggerError> {
        parse(self.iter())
    }
}

fn parse<'a, T: DeserializeOwned>(
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<T, TriggerError> {
    let map: serde_json::Map<String, Value> = fields
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect();
    serde_path_to_error::deserialize(Value::Object(map))
        .map_err(|e| TriggerError::MalformedBody(format!("field {}: {}", e.path(), e.inner())))
}
