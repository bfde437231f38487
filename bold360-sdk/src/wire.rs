//! Lenient decoding of record fields, for generated types.
//!
//! The service is loose about JSON types: IDs come as strings or numbers, booleans as `true`,
//! `"true"` or `1`, numbers as strings, and an empty string or `null` where a value is absent.
//! [`Wire`] types accept every such form in one pass (no intermediate `Value`), and
//! [`deserialize_opt`] maps absence to `None`.

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::de::{self, Deserializer, Visitor};

use crate::id::Id;

/// A type that can be read from any of the JSON forms the service uses for it.
pub trait Wire: Sized {
    /// What the type is, for error messages.
    const EXPECTING: &'static str;
    /// From a non-empty string.
    fn from_wire_str(text: &str) -> Result<Self, String>;
    /// From an unsigned integer.
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        Self::from_wire_str(&value.to_string())
    }
    /// From a signed integer.
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Self::from_wire_str(&value.to_string())
    }
    /// From a floating-point number.
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        Err(format!(
            "expected {}, got the number {value}",
            Self::EXPECTING
        ))
    }
    /// From a boolean.
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Err(format!("expected {}, got {value}", Self::EXPECTING))
    }
    /// From a JSON array or object.
    fn from_wire_json(value: serde_json::Value) -> Result<Self, String> {
        let shape = if value.is_array() {
            "an array"
        } else {
            "an object"
        };
        Err(format!("expected {}, got {shape}", Self::EXPECTING))
    }
}

/// Deserializes an optional field: `null`, `""` and absence are `None`.
pub fn deserialize_opt<'de, D: Deserializer<'de>, T: Wire>(d: D) -> Result<Option<T>, D::Error> {
    struct OptVisitor<T>(PhantomData<T>);
    impl<'de, T: Wire> Visitor<'de> for OptVisitor<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            T::from_wire_str(v).map(Some).map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
            T::from_wire_u64(v).map(Some).map_err(E::custom)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
            T::from_wire_i64(v).map(Some).map_err(E::custom)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
            T::from_wire_f64(v).map(Some).map_err(E::custom)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<T>, E> {
            T::from_wire_bool(v).map(Some).map_err(E::custom)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Option<T>, A::Error> {
            let value =
                serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
            T::from_wire_json(value)
                .map(Some)
                .map_err(de::Error::custom)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            let value =
                serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
            T::from_wire_json(value)
                .map(Some)
                .map_err(de::Error::custom)
        }
    }
    d.deserialize_option(OptVisitor(PhantomData))
}

impl Wire for i64 {
    const EXPECTING: &'static str = "an integer";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("expected an integer, got {text:?}"))
    }
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        i64::try_from(value).map_err(|_| format!("integer {value} is out of range"))
    }
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Ok(value)
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        if value.fract() == 0.0 && value.abs() < 9.007_199_254_740_992e15 {
            Ok(value as i64)
        } else {
            Err(format!("expected an integer, got {value}"))
        }
    }
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Ok(i64::from(value))
    }
}

impl Wire for f64 {
    const EXPECTING: &'static str = "a number";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("expected a number, got {text:?}"))
    }
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        Ok(value as f64)
    }
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Ok(value as f64)
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        Ok(value)
    }
}

impl Wire for bool {
    const EXPECTING: &'static str = "a boolean";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(format!("expected a boolean, got {text:?}")),
        }
    }
    fn from_wire_u64(value: u64) -> Result<Self, String> {
        match value {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(format!("expected a boolean, got {value}")),
        }
    }
    fn from_wire_i64(value: i64) -> Result<Self, String> {
        Self::from_wire_u64(u64::try_from(value).unwrap_or(u64::MAX))
    }
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Ok(value)
    }
}

impl Wire for String {
    const EXPECTING: &'static str = "a string";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
    fn from_wire_f64(value: f64) -> Result<Self, String> {
        Ok(value.to_string())
    }
    fn from_wire_bool(value: bool) -> Result<Self, String> {
        Ok(value.to_string())
    }
    /// Text fields that arrive as JSON structure keep their JSON text: nothing is lost.
    fn from_wire_json(value: serde_json::Value) -> Result<Self, String> {
        Ok(value.to_string())
    }
}

impl Wire for Id {
    const EXPECTING: &'static str = "an ID (string or integer)";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        Ok(Id::new(text))
    }
    fn from_wire_f64(_: f64) -> Result<Self, String> {
        Err(
            "an ID arrived as a floating-point number, which cannot be trusted to hold every digit"
                .to_owned(),
        )
    }
}

impl Wire for DateTime<Utc> {
    const EXPECTING: &'static str = "an ISO-8601 time";
    fn from_wire_str(text: &str) -> Result<Self, String> {
        parse_datetime(text).ok_or_else(|| format!("expected an ISO-8601 time, got {text:?}"))
    }
}

/// Parses the time formats the service uses: RFC 3339 (`Z` or an offset), a date and time
/// without zone (taken as UTC, as the docs say all times are), or a bare date.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Rec {
        #[serde(default, deserialize_with = "deserialize_opt")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        t: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        id: Option<Id>,
        #[serde(default, deserialize_with = "deserialize_opt")]
        s: Option<String>,
    }

    #[test]
    fn loose_forms_are_accepted() {
        let r: Rec = serde_json::from_str(
            r#"{"n":"42","b":1,"t":"2024-05-01T10:00:00Z","id":9007199254740993,"s":7}"#,
        )
        .unwrap();
        assert_eq!(r.n, Some(42));
        assert_eq!(r.b, Some(true));
        assert_eq!(r.t.unwrap().to_rfc3339(), "2024-05-01T10:00:00+00:00");
        assert_eq!(r.id.unwrap().as_str(), "9007199254740993");
        assert_eq!(r.s.as_deref(), Some("7"));
        let r: Rec =
            serde_json::from_str(r#"{"n":"","b":null,"t":"2024-05-01 10:00:00","id":""}"#).unwrap();
        assert_eq!((r.n, r.b, r.id), (None, None, None));
        assert!(r.t.is_some());
        let r: Rec = serde_json::from_str("{}").unwrap();
        assert!(r.n.is_none() && r.s.is_none());
        assert!(serde_json::from_str::<Rec>(r#"{"b":"maybe"}"#).is_err());
        assert!(serde_json::from_str::<Rec>(r#"{"t":"yesterday"}"#).is_err());
        assert!(serde_json::from_str::<Rec>(r#"{"id":1.5}"#).is_err());
        let r: Rec = serde_json::from_str(r#"{"s":[{"A":1}]}"#).unwrap();
        assert_eq!(
            r.s.as_deref(),
            Some(r#"[{"A":1}]"#),
            "structure in a text field is kept as JSON text"
        );
        assert!(serde_json::from_str::<Rec>(r#"{"n":[1]}"#).is_err());
    }
}
