//! `Data` exactly as the server sent it: no number is rounded, no key reordered, nothing
//! undocumented dropped. Records are written compact (one per line for JSON Lines), whatever
//! whitespace the server used.

use bold360_sdk::RecordCount;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A response's `Data`, undecoded.
#[derive(Debug, Deserialize, Serialize)]
#[serde(transparent)]
pub struct RawData(Box<RawValue>);

impl RawData {
    /// The records: the elements of an array, or the one object the server sent where a list
    /// is documented (the vendor allows a single record to come unwrapped).
    pub fn records(&self) -> Result<Vec<Box<RawValue>>, serde_json::Error> {
        let text = self.0.get();
        match text.trim_start().as_bytes().first() {
            Some(b'[') => serde_json::from_str(text),
            Some(b'n') => Ok(Vec::new()),
            _ => Ok(vec![self.0.clone()]),
        }
    }

    /// The same data, compact.
    pub fn compacted(&self) -> RawData {
        let text = compact(self.0.get());
        RawData(RawValue::from_string(text).unwrap_or_else(|_| self.0.clone()))
    }
}

impl RecordCount for RawData {
    fn record_count(&self) -> usize {
        self.records().map_or(0, |r| r.len())
    }
}

/// Valid JSON text without insignificant whitespace; strings, numbers and key order are kept
/// byte for byte.
pub fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_content_byte_for_byte() {
        let pretty = "{\n  \"B\" : 18446744073709551617 ,\n  \"A\": \"a \\\" b\\\\\",\n  \"C\": [ 1.50 , \"x\ty\" ]\n}";
        assert_eq!(
            compact(pretty),
            "{\"B\":18446744073709551617,\"A\":\"a \\\" b\\\\\",\"C\":[1.50,\"x\ty\"]}"
        );
    }

    #[test]
    fn one_object_is_one_record() {
        let one: RawData = serde_json::from_str(r#"{"ChatID": 1}"#).unwrap();
        assert_eq!(one.records().unwrap().len(), 1);
        let many: RawData = serde_json::from_str(r#" [{"A":1}, {"A":2}]"#).unwrap();
        assert_eq!(many.record_count(), 2);
        let none: RawData = serde_json::from_str("null").unwrap();
        assert_eq!(none.record_count(), 0);
    }
}
