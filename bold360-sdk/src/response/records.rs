//! `Data` of list methods.

use std::ops::Deref;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::response::envelope::RecordCount;

/// The records of a list response. Decodes from an array, and also from a single object
/// (which some servers send when there is exactly one record).
///
/// ```
/// use bold360_sdk::Records;
/// let many: Records<u32> = serde_json::from_str("[1, 2]").unwrap();
/// let one: Records<std::collections::BTreeMap<String, u32>> = serde_json::from_str(r#"{"A": 1}"#).unwrap();
/// assert_eq!(many.len(), 2);
/// assert_eq!(one.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Records<T>(pub Vec<T>);

impl<T> Records<T> {
    /// The records as a vector.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> Default for Records<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Deref for Records<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> IntoIterator for Records<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Records<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> RecordCount for Records<T> {
    fn record_count(&self) -> usize {
        self.0.len()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Records<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RecordsVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for RecordsVisitor<T> {
            type Value = Records<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of records or a single record")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Records<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Records(items))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Records<T>, M::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|one| Records(vec![one]))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Records<T>, E> {
                Ok(Records(Vec::new()))
            }
        }
        d.deserialize_any(RecordsVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_iterate_by_value_and_by_reference_in_order() {
        let records: Records<u32> = serde_json::from_str("[3, 1, 2]").unwrap();
        let mut seen = Vec::new();
        for r in &records {
            seen.push(*r);
        }
        assert_eq!(seen, [3, 1, 2]);
        assert_eq!(records.clone().into_vec(), [3, 1, 2]);
        let owned: Vec<u32> = records.into_iter().collect();
        assert_eq!(owned, [3, 1, 2]);
    }

    #[test]
    fn a_single_object_is_one_record_null_is_none_and_anything_else_is_refused() {
        let one: Records<std::collections::BTreeMap<String, u32>> =
            serde_json::from_str(r#"{"A": 1}"#).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0]["A"], 1);
        let none: Records<u32> = serde_json::from_str("null").unwrap();
        assert!(none.is_empty());
        let err = serde_json::from_str::<Records<u32>>("5").unwrap_err();
        assert!(
            err.to_string()
                .contains("expected an array of records or a single record"),
            "{err}"
        );
    }
}
