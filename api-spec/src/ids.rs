//! Which entity an ID names.
//!
//! Every `id` parameter or field carries an `entity` in the manifest (`"operator"`,
//! `"chat_message"`, …); the SDK gives each entity one ID type (`OperatorId`,
//! `ChatMessageId`), so an ID read from one method can be passed to every method that takes
//! the same entity, and not to one that takes another.
//!
//! The rule (applied by `cargo xtask regen`, and by the macro when a private manifest leaves
//! `entity` out): drop the trailing `ID`, then take the longest trailing run of capitalized
//! words that is a [known entity](ENTITIES); the words before it name a *role*
//! (`LastAssignedByOperatorID` is an operator, `ParentSetupFolderID` a setup folder). A name
//! with no known entity at its end is an entity of its own (`WebsiteDefID` → `website_def`).
//! A few words are [synonyms](SYNONYMS) of an entity (`LoginID` is an agent's ID).
//! Where the vendor's naming does not follow the rule (`LoginID` is an agent), the correction
//! is an `entity` entry in `overrides.json`.
//!
//! ```
//! use bold360_api_spec::ids::{entity_for, type_name};
//! assert_eq!(entity_for("LastAssignedByOperatorID"), "operator");
//! assert_eq!(entity_for("ParentSetupFolderID"), "setup_folder");
//! assert_eq!(entity_for("CustomField2ID"), "custom_field");
//! assert_eq!(type_name("chat_message"), "ChatMessageId");
//! ```

/// Entities the vendor's reference names, with what their ID identifies. An entity not listed
/// here is still valid; it is described from its name.
pub const ENTITIES: &[(&str, &str)] = &[
    ("account", "a Bold360 account"),
    ("operator", "an agent (the API calls agents operators)"),
    ("chat", "a chat"),
    ("chat_message", "one message of a chat"),
    ("chat_assignment", "one assignment of a chat to an agent"),
    ("chat_invitation", "an invitation to chat offered to a visitor"),
    ("text_chat", "a text (SMS) chat"),
    ("folder", "a folder of chats, visits or other records"),
    ("setup_folder", "a setup folder (canned messages and other setup items)"),
    ("setup_item", "a setup item, such as a canned message"),
    ("department", "a department"),
    ("contact", "a contact record"),
    ("visit", "a website visit"),
    ("conversion", "a conversion (a goal reached during a visit)"),
    ("report", "a report job started with runReport"),
    ("client", "an agent's client session"),
    ("custom_field", "a custom field definition"),
    ("custom_operator_status", "an account-defined agent status"),
    ("permission_group", "a permission group of agents"),
    (
        "actor",
        "whoever performed an action (deleted a record, ended a session): the docs do not say whether that is always an agent, so it is kept apart from `OperatorId`; convert explicitly (`OperatorId::from(id.as_str())`) where you know it is one",
    ),
    (
        "person",
        "a participant who may be an agent or a visitor: the docs leave it open, so check the record's person type (or ask the account) before treating it as an `OperatorId`",
    ),
];

/// Words the reference uses for an entity under another name: an agent's ID is its
/// `LoginID` in agent records and audit logs.
pub const SYNONYMS: &[(&str, &str)] = &[("login", "operator")];

/// What an entity's ID identifies, for docs.
pub fn describe(entity: &str) -> String {
    ENTITIES
        .iter()
        .find(|(name, _)| *name == entity)
        .map(|(_, what)| (*what).to_owned())
        .unwrap_or_else(|| format!("a {}", entity.replace('_', " ")))
}

/// The entity of an `id` parameter or field, by the rule in the [module docs](self).
pub fn entity_for(name: &str) -> String {
    let base = name
        .strip_suffix("ID")
        .or_else(|| name.strip_suffix("Id"))
        .unwrap_or(name)
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let words = words(base);
    for start in 0..words.len() {
        let candidate = words[start..].join("_");
        if let Some((_, entity)) = SYNONYMS.iter().find(|(word, _)| *word == candidate) {
            return (*entity).to_owned();
        }
        if ENTITIES.iter().any(|(entity, _)| *entity == candidate) {
            return candidate;
        }
    }
    if words.is_empty() {
        "id".to_owned()
    } else {
        words.join("_")
    }
}

/// `chat_message` → `ChatMessageId`.
pub fn type_name(entity: &str) -> String {
    let mut out: String = entity
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect();
    out.push_str("Id");
    out
}

/// True for an entity name: lower-case words of letters and digits joined by `_`.
pub fn is_entity_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('_').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// `LastAssignedByOperator` → `["last", "assigned", "by", "operator"]`; a run of capitals is
/// one word (`BHTimeZone` → `["bh", "time", "zone"]`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_lowercase());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_resolve_to_their_entity() {
        for (name, entity) in [
            ("ChatID", "chat"),
            ("OperatorID", "operator"),
            ("AssignedByOperatorID", "operator"),
            ("LastAssignedByOperatorID", "operator"),
            ("AssignmentByOperatorID", "operator"),
            ("CreatedByOperatorID", "operator"),
            ("TemplateOperatorID", "operator"),
            ("ParentFolderID", "folder"),
            ("ParentSetupFolderID", "setup_folder"),
            ("SetupFolderID", "setup_folder"),
            ("ChatMessageID", "chat_message"),
            ("TextChatID", "text_chat"),
            ("CustomField1ID", "custom_field"),
            ("BHTimeZoneID", "bh_time_zone"),
            ("WebsiteDefID", "website_def"),
            (
                "ChatInvitationTemplateVariantID",
                "chat_invitation_template_variant",
            ),
            ("CustomOperatorStatusID", "custom_operator_status"),
            ("LoginID", "operator"),
            ("ID", "id"),
        ] {
            assert_eq!(entity_for(name), entity, "{name}");
        }
    }

    #[test]
    fn type_names_and_docs() {
        assert_eq!(type_name("operator"), "OperatorId");
        assert_eq!(type_name("bh_time_zone"), "BhTimeZoneId");
        assert!(describe("person").contains("agent or a visitor"));
        assert_eq!(describe("website_def"), "a website def");
        assert!(is_entity_name("chat_message"));
        assert!(!is_entity_name("ChatMessage"));
        assert!(!is_entity_name("chat__message"));
    }
}
