//! The response envelope every method answers with.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::fields::wire::WireValue;
use crate::params::{Params, ToParam};

/// A decoded response: the envelope fields and the method's `Data`.
///
/// `D` is `serde_json::Value` for [`Client::call_raw`](crate::Client::call_raw) and a typed
/// record (or list of records) for generated methods. Top-level fields the SDK does not know
/// are kept in [`extra`](Self::extra).
///
/// ```
/// # async fn demo(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {
/// let envelope = client.call_raw("getInactiveChats", [("FolderID", "5")]).await?;
/// if let Some(next) = &envelope.next {
///     println!("more pages: send back {} parameters", next.len());
/// }
/// # Ok(()) }
/// ```
///
/// It serializes with the API's field names, as the server would write it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Envelope<D> {
    /// `Status` as sent (`success` on every envelope that reaches you).
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `Message`, if any.
    #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `Data`: an object for single-item methods, an array for lists.
    #[serde(rename = "Data", skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
    /// `Truncated`: more records exist than were returned.
    #[serde(rename = "Truncated", skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    /// v1 paging: the parameters to send back, verbatim, for the next page.
    #[serde(rename = "Next", skip_serializing_if = "Option::is_none")]
    pub next: Option<NextParams>,
    /// v2 paging: the cursor to send back as `NextPage`.
    #[serde(rename = "NextPage", skip_serializing_if = "Option::is_none")]
    pub next_page: Option<String>,
    /// `StatusCode` (reports: 0-3 running, 4 success, 5 timeout, 6 error, 7 cancelled).
    #[serde(rename = "StatusCode", skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i64>,
    /// `FieldTypes`, when the server describes its fields.
    #[serde(rename = "FieldTypes", skip_serializing_if = "Option::is_none")]
    pub field_types: Option<Value>,
    /// Top-level fields not listed above, kept in the order they came.
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

impl<D> Envelope<D> {
    /// Replaces the data, keeping the rest of the envelope.
    pub fn map_data<E>(self, f: impl FnOnce(D) -> E) -> Envelope<E> {
        match self.try_map_data(|d| Ok::<E, std::convert::Infallible>(f(d))) {
            Ok(envelope) => envelope,
            Err(never) => match never {},
        }
    }

    /// Replaces the data by `f`, which may fail, keeping the rest of the envelope.
    pub(crate) fn try_map_data<E, X>(
        self,
        f: impl FnOnce(D) -> Result<E, X>,
    ) -> Result<Envelope<E>, X> {
        Ok(Envelope {
            status: self.status,
            message: self.message,
            data: self.data.map(f).transpose()?,
            truncated: self.truncated,
            next: self.next,
            next_page: self.next_page,
            status_code: self.status_code,
            field_types: self.field_types,
            extra: self.extra,
        })
    }
}

impl<D: RecordCount> Envelope<D> {
    /// How many records `Data` holds.
    pub fn record_count(&self) -> usize {
        self.data.as_ref().map_or(0, RecordCount::record_count)
    }
}

/// How many records a `Data` value holds: the length of a list, 1 for an object.
pub trait RecordCount {
    /// The count.
    fn record_count(&self) -> usize;
}

impl RecordCount for Value {
    fn record_count(&self) -> usize {
        match self {
            Value::Array(items) => items.len(),
            Value::Null => 0,
            _ => 1,
        }
    }
}

impl<T> RecordCount for Vec<T> {
    fn record_count(&self) -> usize {
        self.len()
    }
}

impl<T: RecordCount> RecordCount for Option<T> {
    fn record_count(&self) -> usize {
        self.as_ref().map_or(0, RecordCount::record_count)
    }
}

/// The v1 `Next` object: parameters to send back unchanged for the next page, in the order
/// the server gave them. Their names are not fixed (commonly `PageStart`, but the SDK does not
/// assume it).
///
/// ```
/// use bold360_sdk::NextParams;
/// let next: NextParams = serde_json::from_str(r#"{"PageStart": 1000, "FolderID": "5"}"#).unwrap();
/// let params = next.to_params();
/// assert_eq!(params.get("PageStart"), Some("1000"));
/// assert_eq!(params.iter().next().unwrap().0, "PageStart");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, serde::Serialize)]
pub struct NextParams(IndexMap<String, Value>);

impl NextParams {
    /// The entries in server order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One entry's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The entries as request parameters (strings as they are, other values as JSON text).
    pub fn to_params(&self) -> Params {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), v.to_param()))
            .collect()
    }
}

impl<T> Envelope<T> {
    /// Fail closed: an object is a Bold360 answer only when it has a `Status` or one of the
    /// envelope's own fields. A proxy's `{"error": "upstream request timeout"}` is not.
    pub(crate) fn is_envelope(&self) -> bool {
        self.status.is_some()
            || self.data.is_some()
            || self.truncated.is_some()
            || self.next.is_some()
            || self.next_page.is_some()
            || self.status_code.is_some()
    }

    /// No `Status`, or `Status` says success (any case, surrounding spaces ignored).
    pub(crate) fn status_ok(&self) -> bool {
        self.status
            .as_deref()
            .is_none_or(|s| s.trim().eq_ignore_ascii_case("success"))
    }
}

/// Reads an envelope as leniently as the client does: `Status` matched without case, the
/// envelope's own fields in any of the forms record fields accept, unknown fields kept in
/// order, `Data: null` as no data.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<De: Deserializer<'de>>(d: De) -> Result<Self, De::Error> {
        struct EnvelopeVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<T> {
            type Value = Envelope<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Bold360 response object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Envelope<T>, M::Error> {
                let mut env = Envelope {
                    status: None,
                    message: None,
                    data: None,
                    truncated: None,
                    next: None,
                    next_page: None,
                    status_code: None,
                    field_types: None,
                    extra: IndexMap::new(),
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        // `Status` decides success or failure: its name is matched without
                        // case, like its value.
                        // A `Status` that is there but empty or null is not "success": the
                        // answer fails closed.
                        k if k.eq_ignore_ascii_case("Status") => {
                            let status = map.next_value::<WireValue<String>>()?.0;
                            env.status = Some(status.unwrap_or_default());
                        }
                        "Message" => env.message = map.next_value::<WireValue<String>>()?.0,
                        // `null` is no data.
                        "Data" => env.data = map.next_value::<Option<T>>()?,
                        "Truncated" => env.truncated = map.next_value::<WireValue<bool>>()?.0,
                        "Next" => env.next = map.next_value()?,
                        "NextPage" => env.next_page = map.next_value::<WireValue<String>>()?.0,
                        "StatusCode" => env.status_code = map.next_value::<WireValue<i64>>()?.0,
                        "FieldTypes" => env.field_types = map.next_value()?,
                        _ => {
                            let value: Value = map.next_value()?;
                            env.extra.insert(key, value);
                        }
                    }
                }
                Ok(env)
            }
        }
        d.deserialize_map(EnvelopeVisitor(std::marker::PhantomData))
    }
}

/// Decodes `Data` into the caller's type, reporting the JSON path of a failure.
///
/// The fast path decodes directly; only a failure is decoded again with path tracking, so
/// successful calls do not pay for it.
pub(crate) fn decode_data<D: DeserializeOwned>(raw: &RawValue) -> Result<D, (String, String)> {
    if let Ok(data) = serde_json::from_str(raw.get()) {
        return Ok(data);
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    match serde_path_to_error::deserialize::<_, D>(&mut de) {
        Ok(data) => Ok(data),
        Err(err) => {
            let path = err.path().to_string();
            let path = if path == "." {
                "Data".to_owned()
            } else if path.starts_with('[') {
                format!("Data{path}")
            } else {
                format!("Data.{path}")
            };
            Err((path, err.into_inner().to_string()))
        }
    }
}

/// Reads the envelope with `Data` undecoded; the JSON text must hold nothing after it.
pub(crate) fn parse_raw(text: &str) -> Result<Envelope<&RawValue>, serde_json::Error> {
    parse_as(text)
}

/// Reads the envelope with `Data` decoded as `D` in the same pass (no path tracking).
pub(crate) fn parse_as<'a, T: Deserialize<'a>>(
    text: &'a str,
) -> Result<Envelope<T>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let env = Envelope::deserialize(&mut de)?;
    de.end()?;
    Ok(env)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn record_counts_of_every_data_shape() {
        assert_eq!(json!([1, 2, 3]).record_count(), 3);
        assert_eq!(json!([]).record_count(), 0);
        assert_eq!(Value::Null.record_count(), 0);
        assert_eq!(json!({"ChatID": "1"}).record_count(), 1);
        assert_eq!(json!("text").record_count(), 1);
        assert_eq!(vec![1, 2].record_count(), 2);
        assert_eq!(Vec::<u8>::new().record_count(), 0);
        assert_eq!(Some(vec![1, 2, 3]).record_count(), 3);
        assert_eq!(None::<Vec<u8>>.record_count(), 0);
    }

    #[test]
    fn a_body_that_is_not_an_object_says_what_was_expected() {
        let err = match parse_raw("[1]") {
            Ok(_) => panic!("an array is not an envelope"),
            Err(err) => err,
        };
        assert!(
            err.to_string()
                .contains("expected a Bold360 response object"),
            "{err}"
        );
    }

    #[test]
    fn every_envelope_field_lands_in_its_place_in_any_of_its_forms() {
        let raw = parse_raw(
            r#"{"status":"success","Message":7,"Data":[1],"Truncated":"1","Next":{"PageStart":2},
                "NextPage":12,"StatusCode":"6","FieldTypes":{"ChatID":"id"},"Other":true}"#,
        )
        .unwrap();
        assert_eq!(raw.status.as_deref(), Some("success"));
        assert_eq!(raw.message.as_deref(), Some("7"));
        assert_eq!(raw.data.map(|d| d.get()), Some("[1]"));
        assert_eq!(raw.truncated, Some(true));
        assert_eq!(
            raw.next.as_ref().and_then(|n| n.get("PageStart")),
            Some(&json!(2))
        );
        assert_eq!(raw.next_page.as_deref(), Some("12"));
        assert_eq!(raw.status_code, Some(6));
        assert!(raw.field_types.is_some(), "FieldTypes is its own field");
        assert_eq!(raw.extra.keys().collect::<Vec<_>>(), ["Other"]);

        let raw = parse_raw(r#"{"Data":null,"Truncated":0,"StatusCode":7}"#).unwrap();
        assert!(raw.data.is_none(), "Data: null is no data");
        assert_eq!(raw.truncated, Some(false));
        assert_eq!(raw.status_code, Some(7));
        // The same forms a record's boolean and integer fields accept (`wire`), no more.
        for truthy in ["true", "\"TRUE\"", "1", "\"1\"", "\"yes\""] {
            let text = format!(r#"{{"Truncated":{truthy}}}"#);
            assert_eq!(parse_raw(&text).unwrap().truncated, Some(true), "{truthy}");
        }
        for falsy in ["false", "\"False\"", "0", "\"0\"", "\"no\""] {
            let text = format!(r#"{{"Truncated":{falsy}}}"#);
            assert_eq!(parse_raw(&text).unwrap().truncated, Some(false), "{falsy}");
        }
        for bad in [
            r#"{"Truncated":2}"#,
            r#"{"Truncated":"maybe"}"#,
            r#"{"StatusCode":"x"}"#,
            r#"{"StatusCode":1.5}"#,
        ] {
            assert!(parse_raw(bad).is_err(), "{bad}");
        }
        assert!(
            parse_raw(r#"{"Status":"success"} trailing"#).is_err(),
            "nothing after the envelope"
        );
    }

    /// The envelope's fields and a record's fields of the same type read every input alike:
    /// there is one lenient decoder (`wire`).
    #[test]
    fn envelope_fields_and_record_fields_agree() {
        #[derive(Debug, serde::Deserialize)]
        struct Record {
            #[serde(default, deserialize_with = "crate::fields::wire::deserialize_opt")]
            flag: Option<bool>,
            #[serde(default, deserialize_with = "crate::fields::wire::deserialize_opt")]
            code: Option<i64>,
        }
        for form in [
            "true",
            "false",
            "\"TRUE\"",
            "\"no\"",
            "1",
            "0",
            "2",
            "-1",
            "1.0",
            "1.5",
            "\"\"",
            "null",
            "\"7\"",
            "\" 8 \"",
            "\"x\"",
            "[1]",
            "{}",
            "9223372036854775808",
        ] {
            let record =
                |field: &str| serde_json::from_str::<Record>(&format!(r#"{{"{field}":{form}}}"#));
            let flag = record("flag").map(|r| r.flag).ok();
            let truncated = parse_raw(&format!(r#"{{"Truncated":{form}}}"#))
                .map(|e| e.truncated)
                .ok();
            assert_eq!(flag, truncated, "a boolean sent as {form}");
            let code = record("code").map(|r| r.code).ok();
            let status_code = parse_raw(&format!(r#"{{"StatusCode":{form}}}"#))
                .map(|e| e.status_code)
                .ok();
            assert_eq!(code, status_code, "an integer sent as {form}");
        }
    }

    #[test]
    fn next_params_keep_the_servers_entries() {
        let next: NextParams =
            serde_json::from_str(r#"{"PageStart": 1000, "FolderID": "5"}"#).unwrap();
        assert_eq!(next.len(), 2);
        assert!(!next.is_empty());
        assert_eq!(next.get("PageStart"), Some(&json!(1000)));
        assert_eq!(next.get("FolderID"), Some(&json!("5")));
        assert_eq!(next.get("Other"), None);
        let empty = NextParams::default();
        assert_eq!(empty.len(), 0);
        assert!(empty.is_empty());
    }
}
