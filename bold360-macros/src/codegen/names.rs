//! Rust names from wire names.

use std::collections::BTreeSet;

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

/// The ID type of an `id` parameter or field. Names that end with another known ID name are
/// the same kind of ID in another role (`TemplateOperatorID`, `ParentFolderID`); `LoginID` is
/// what the docs call an agent's (operator's) ID.
pub fn id_type_name(name: &str, known: &BTreeSet<String>) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut chosen = name.to_owned();
    for i in 1..chars.len() {
        let boundary = chars[i].is_ascii_uppercase() && chars[i - 1].is_ascii_lowercase();
        if boundary {
            let candidate: String = chars[i..].iter().collect();
            if candidate != "ID" && known.contains(&candidate) {
                chosen = candidate;
                break;
            }
        }
    }
    if chosen == "LoginID" {
        chosen = "OperatorID".to_owned();
    }
    let base = chosen
        .strip_suffix("ID")
        .or_else(|| chosen.strip_suffix("Id"))
        .unwrap_or(&chosen);
    format!("{}Id", pascal(base))
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
    fn id_types_follow_roles() {
        let known: BTreeSet<String> = ["OperatorID", "FolderID", "SetupFolderID", "ChatID"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(id_type_name("ChatID", &known), "ChatId");
        assert_eq!(id_type_name("TemplateOperatorID", &known), "OperatorId");
        assert_eq!(id_type_name("AssignedByOperatorID", &known), "OperatorId");
        assert_eq!(id_type_name("ParentFolderID", &known), "FolderId");
        assert_eq!(id_type_name("ParentSetupFolderID", &known), "SetupFolderId");
        assert_eq!(id_type_name("LoginID", &known), "OperatorId");
        assert_eq!(id_type_name("ChatMessageID", &known), "ChatMessageId");
        assert_eq!(id_type_name("BHTimeZoneID", &known), "BhTimeZoneId");
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
    }
}
