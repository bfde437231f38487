//! Rust names from wire names.

use proc_macro2::{Ident, Span};

/// `ACDReassignCount` → `acd_reassign_count`, `getAllChatMessages` → `get_all_chat_messages`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// `word` → `Word` (the rest lower-cased).
fn capitalize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut cs = lower.chars();
    cs.next()
        .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
        .unwrap_or_default()
}

/// `chat_message_id` or `ChatMessageID` → `ChatMessageId`.
pub fn pascal(name: &str) -> String {
    snake(name)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(capitalize)
        .collect()
}

/// A variant name from a value's meaning: `unavailable, reason unknown` →
/// `UnavailableReasonUnknown`. Parenthesized asides are dropped unless nothing else is left.
pub fn variant_from_meaning(meaning: &str) -> String {
    let mut text = String::new();
    let mut depth = 0;
    for c in meaning.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let source = if text.trim().is_empty() {
        meaning
    } else {
        &text
    };
    source
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(capitalize)
        .collect()
}

/// An identifier, escaped when it is a keyword or starts with a digit.
pub fn ident(name: &str) -> Ident {
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name.to_owned()
    };
    if syn::parse_str::<Ident>(&name).is_ok() {
        Ident::new(&name, Span::call_site())
    } else {
        Ident::new(&format!("{name}_"), Span::call_site())
    }
}

/// Names a setter may not take because the builder already has a method of that name.
const RESERVED: [&str; 6] = ["param", "params", "send", "api", "check", "retry_policy"];

/// The setter (and argument) name of a parameter.
pub fn param_ident(name: &str) -> Ident {
    let snake = snake(name);
    if RESERVED.contains(&snake.as_str()) {
        ident(&format!("{snake}_param"))
    } else {
        ident(&snake)
    }
}

/// The setter of a family of parameters, from its prefix: one member of the family, so the
/// plural's `s` goes (`CustomFields.` → `custom_field`, `OperatorCustomFields.` →
/// `operator_custom_field`).
pub fn family_setter(prefix: &str) -> String {
    let stem = snake(prefix.trim_end_matches('.'));
    let singular = stem.strip_suffix('s').unwrap_or(&stem).to_owned();
    if RESERVED.contains(&singular.as_str()) {
        format!("{singular}_param")
    } else {
        singular
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_acronyms() {
        for (wire, rust) in [
            ("ChatID", "chat_id"),
            ("ACDReassignCount", "acd_reassign_count"),
            ("AssignedByAPI", "assigned_by_api"),
            ("BHTimeZoneID", "bh_time_zone_id"),
            ("getAllChatMessages", "get_all_chat_messages"),
            ("IPAddress", "ip_address"),
            ("CustomField1ID", "custom_field1_id"),
        ] {
            assert_eq!(snake(wire), rust);
        }
    }

    #[test]
    fn variants_and_idents() {
        assert_eq!(
            variant_from_meaning("unavailable, reason unknown"),
            "UnavailableReasonUnknown"
        );
        assert_eq!(variant_from_meaning("agent/operator"), "AgentOperator");
        assert_eq!(
            variant_from_meaning("(between low and medium)"),
            "BetweenLowAndMedium"
        );
        assert_eq!(variant_from_meaning("ENDED_REASON_NONE"), "EndedReasonNone");
        assert_eq!(ident("type").to_string(), "type_");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("2").to_string(), "V2");
        assert_eq!(param_ident("Send").to_string(), "send_param");
        assert_eq!(family_setter("CustomFields."), "custom_field");
        assert_eq!(
            family_setter("OperatorCustomFields."),
            "operator_custom_field"
        );
        assert_eq!(family_setter("Params."), "param_param");
    }
}
