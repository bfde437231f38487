//! Record fields that never fail a record.
//!
//! The vendor's pages disagree about some fields' types (`Hidden` is a date on one page and a
//! byte on another), so a value may not fit the type the manifest gives it. A generated
//! record then still decodes: that field is `None`, its value is kept as sent in the record's
//! `extra`, and a `tracing` warning names the method and the field. Only the envelope's own
//! shape is strict.
//!
//! Generated records call [`field`] for each documented key; it decodes the value in one pass
//! (no intermediate `serde_json::Value` unless the value is an array or object).
//!
//! ```
//! use bold360_sdk::lenient;
//! use serde::de::{Deserializer, MapAccess, Visitor};
//!
//! /// A hand-written record with one documented integer field.
//! #[derive(Debug, Default)]
//! struct Rec { count: Option<i64>, extra: serde_json::Map<String, serde_json::Value> }
//! impl<'de> serde::Deserialize<'de> for Rec {
//!     fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
//!         struct V;
//!         impl<'de> Visitor<'de> for V {
//!             type Value = Rec;
//!             fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!                 f.write_str("a record")
//!             }
//!             fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Rec, A::Error> {
//!                 let mut rec = Rec::default();
//!                 while let Some(key) = map.next_key::<lenient::Key<'de>>()? {
//!                     match key.as_str() {
//!                         "Count" => rec.count = lenient::field(&mut map, "getThing", "Count", &mut rec.extra)?,
//!                         _ => lenient::keep(&mut map, key, &mut rec.extra)?,
//!                     }
//!                 }
//!                 Ok(rec)
//!             }
//!         }
//!         d.deserialize_map(V)
//!     }
//! }
//! let rec: Rec = serde_json::from_str(r#"{"Count": "2024-05-01T00:00:00Z", "New": 1}"#).unwrap();
//! assert_eq!(rec.count, None);
//! assert_eq!(rec.extra["Count"], "2024-05-01T00:00:00Z");
//! assert_eq!(rec.extra["New"], 1);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::fields::wire::{Decoded, Wire, WireVisitor};

/// A map key, borrowed from the input when it can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct Seed<T>(PhantomData<T>);

impl<'de, T: Wire> DeserializeSeed<'de> for Seed<T> {
    type Value = Decoded<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Decoded<T>, D::Error> {
        d.deserialize_option(WireVisitor(PhantomData))
    }
}

/// Decodes the value of the documented field `field` of a `method` record. A value that does
/// not fit `T` is kept in `extra` under its wire name, the field is `None`, and a warning
/// names method and field. A key sent twice decodes as JSON objects do: the last value
/// wins, so a fitting value also drops a misfit kept from an earlier duplicate. Errors only
/// when the input is not JSON at all.
pub fn field<'de, A: MapAccess<'de>, T: Wire>(
    map: &mut A,
    method: &'static str,
    field: &'static str,
    extra: &mut Map<String, Value>,
) -> Result<Option<T>, A::Error> {
    match map.next_value_seed(Seed::<T>(PhantomData))? {
        Decoded::Fits(value) => {
            if !extra.is_empty() {
                extra.remove(field);
            }
            Ok(value)
        }
        Decoded::Misfit(raw, why) => {
            tracing::warn!(
                method,
                field,
                problem = %why,
                "a returned field does not fit its documented type; it is None and its value is kept in `extra`"
            );
            extra.insert(field.to_owned(), raw);
            Ok(None)
        }
    }
}

/// Decodes a documented `json` field (any JSON value fits; `null` is `None`).
pub fn json_field<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Value>, A::Error> {
    map.next_value::<Option<Value>>()
}

/// Keeps an undocumented field in `extra`, as sent.
pub fn keep<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Key<'de>,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    let value: Value = map.next_value()?;
    extra.insert(key.0.into_owned(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    #[test]
    fn keys_borrow_when_they_can_and_say_what_they_expect() {
        let key: Key = serde_json::from_str(r#""ChatID""#).unwrap();
        assert!(matches!(key.0, Cow::Borrowed("ChatID")));
        assert_eq!(key.as_str(), "ChatID");
        let escaped: Key = serde_json::from_str(r#""Chat\u0049D""#).unwrap();
        assert_eq!(escaped.as_str(), "ChatID");
        let owned =
            <Key as serde::Deserialize>::deserialize(Value::String("ChatID".into())).unwrap();
        assert_eq!(owned.as_str(), "ChatID");
        let err = serde_json::from_str::<Key>("1").unwrap_err();
        assert!(err.to_string().contains("expected a field name"), "{err}");
    }

    #[test]
    fn a_value_no_json_can_hold_is_refused_with_what_was_expected() {
        // JSON never produces bytes; another deserializer can.
        let bytes = serde::de::value::BytesDeserializer::<serde::de::value::Error>::new(b"\x01");
        let err = match Seed::<i64>(PhantomData).deserialize(bytes) {
            Ok(_) => panic!("bytes are not a JSON value"),
            Err(err) => err,
        };
        assert!(err.to_string().contains("expected any JSON value"), "{err}");
    }

    #[derive(Debug, Default)]
    struct Rec {
        hidden: Option<DateTime<Utc>>,
        count: Option<i64>,
        extra: Map<String, Value>,
    }

    impl<'de> serde::Deserialize<'de> for Rec {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Rec;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a record")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Rec, A::Error> {
                    let mut rec = Rec::default();
                    while let Some(key) = map.next_key::<Key<'de>>()? {
                        match key.as_str() {
                            "Hidden" => {
                                rec.hidden =
                                    field(&mut map, "getChatMessages", "Hidden", &mut rec.extra)?
                            }
                            "Count" => {
                                rec.count =
                                    field(&mut map, "getChatMessages", "Count", &mut rec.extra)?
                            }
                            _ => keep(&mut map, key, &mut rec.extra)?,
                        }
                    }
                    Ok(rec)
                }
            }
            d.deserialize_map(V)
        }
    }

    #[test]
    fn a_misfit_is_none_and_kept_raw_every_shape() {
        for raw in [
            r#"1"#,
            r#"-1"#,
            r#"1.5"#,
            r#"true"#,
            r#""not a date""#,
            r#"[1, 2]"#,
            r#"{"a": 1}"#,
        ] {
            let text = format!(r#"{{"Hidden": {raw}, "Count": 3}}"#);
            let rec: Rec = serde_json::from_str(&text).unwrap();
            assert_eq!(rec.hidden, None, "{raw}");
            assert_eq!(rec.count, Some(3), "the other fields still decode ({raw})");
            let kept: Value = serde_json::from_str(raw).unwrap();
            assert_eq!(rec.extra["Hidden"], kept, "{raw}");
        }
    }

    #[test]
    fn fitting_values_and_absence_decode_as_before() {
        let rec: Rec =
            serde_json::from_str(r#"{"Hidden": "2024-05-01T10:00:00Z", "Count": "7", "X": null}"#)
                .unwrap();
        assert!(rec.hidden.is_some());
        assert_eq!(rec.count, Some(7));
        assert_eq!(rec.extra.len(), 1);
        assert_eq!(rec.extra["X"], Value::Null);
        let rec: Rec = serde_json::from_str(r#"{"Hidden": "", "Count": null}"#).unwrap();
        assert_eq!((rec.hidden, rec.count), (None, None));
        assert!(rec.extra.is_empty());
        // Decoding from a Value (owned keys) works the same.
        let v: Value = serde_json::from_str(r#"{"Hidden": 1, "Y": 2}"#).unwrap();
        let rec: Rec = serde_json::from_value(v).unwrap();
        assert_eq!(rec.extra["Hidden"], 1);
        assert_eq!(rec.extra["Y"], 2);
    }

    #[test]
    fn a_key_sent_twice_is_its_last_value_typed_or_kept() {
        // A misfit, then a fitting value: the field, and nothing left in `extra`.
        let rec: Rec = serde_json::from_str(
            r#"{"Hidden": "2024-0254741010", "Hidden": "2024-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(rec.hidden.is_some());
        assert!(rec.extra.is_empty(), "{:?}", rec.extra);
        let rec: Rec = serde_json::from_str(r#"{"Count": true, "Count": null}"#).unwrap();
        assert_eq!(rec.count, None);
        assert!(rec.extra.is_empty(), "{:?}", rec.extra);
        // A fitting value, then a misfit: the misfit, kept.
        let rec: Rec = serde_json::from_str(r#"{"Count": 2, "Count": "two"}"#).unwrap();
        assert_eq!(rec.count, None);
        assert_eq!(rec.extra["Count"], "two");
    }

    #[test]
    fn the_envelope_shape_stays_strict() {
        assert!(serde_json::from_str::<Rec>("[1]").is_err());
        assert!(serde_json::from_str::<Rec>(r#"{"Hidden": }"#).is_err());
    }
}
