//! JSON with object keys in a different order from one response to the next, as a real
//! server's may be: clients must not depend on field order.

use serde_json::Value;

/// Writes `value` with each object's keys rotated by `rotation`.
pub(crate) fn to_string_rotated(value: &Value, rotation: usize) -> String {
    let mut out = String::new();
    write(value, rotation, &mut out);
    out
}

fn write(value: &Value, rotation: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let entries: Vec<(&String, &Value)> = map.iter().collect();
            let start = rotation % entries.len();
            out.push('{');
            for (n, (key, item)) in entries[start..]
                .iter()
                .chain(entries[..start].iter())
                .enumerate()
            {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                write(item, rotation, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write(item, rotation, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_rotate_and_the_value_is_the_same() {
        let value = serde_json::json!({"A": 1, "B": [{"C": 2, "D": 3}], "E": "x"});
        let first = to_string_rotated(&value, 0);
        let second = to_string_rotated(&value, 1);
        assert_ne!(first, second);
        assert!(second.starts_with("{\"B\""));
        for text in [first, second] {
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        }
    }
}
