//! Removing secrets from text that may end up in an error, a log line or a panic.
//!
//! Three layers: the exact secrets the client knows (API key, token, hash, in plain and
//! percent-encoded form); any `auth=` query value; and any run of 128 hex digits (the shape of
//! a SHA-512 hash, which is what a leaked token is made of).

use crate::encoding::encode_component;

const REDACTED: &str = "[redacted]";
/// Longest body excerpt kept in an error.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// Removes `secrets` and secret-shaped text from `text`.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
        let encoded = encode_component(secret).to_string();
        if encoded != *secret && out.contains(&encoded) {
            out = out.replace(&encoded, REDACTED);
        }
    }
    redact_hex_runs(&redact_auth_values(&out))
}

/// Replaces the value after every `auth=` (any case) up to `&`, whitespace or a quote.
fn redact_auth_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find("auth=") {
        let value_start = search + found + "auth=".len();
        let value_end = text[value_start..]
            .find(|c: char| c == '&' || c.is_whitespace() || c == '"' || c == '\'' || c == '<')
            .map_or(text.len(), |i| value_start + i);
        out.push_str(&text[rest..value_start]);
        if value_end > value_start {
            out.push_str(REDACTED);
        }
        rest = value_end;
        search = value_end.max(value_start);
    }
    out.push_str(&text[rest..]);
    out
}

/// Replaces runs of 128 or more hex digits.
fn redact_hex_runs(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_hexdigit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
                i += 1;
            }
            if i - start >= 128 {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                copied = i;
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// A short, one-line, scrubbed excerpt of a response body for an error message.
pub(crate) fn snippet(body: &[u8], secrets: &[&str]) -> String {
    // Scrub a generous prefix first so that a secret straddling the cut is still caught.
    let head = &body[..body.len().min(8 * 1024)];
    let text = String::from_utf8_lossy(head);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let clean = scrub(&one_line, secrets);
    if clean.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut cut: String = clean.chars().take(SNIPPET_CHARS).collect();
    if cut.len() < clean.len() || head.len() < body.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_every_form_are_removed() {
        let hash = "ab".repeat(64);
        let token = format!("1:2:3:{hash}");
        let key = "k+y/=";
        let text = format!(
            "url http://x/y?auth=1%3A2%3A3%3A{hash}&ChatID=5 key {key} enc {} tok {token} AUTH=zz",
            encode_component(key)
        );
        let clean = scrub(&text, &[key, &token]);
        assert!(!clean.contains(&hash), "{clean}");
        assert!(!clean.contains(key), "{clean}");
        assert!(!clean.contains("k%2By"), "{clean}");
        assert!(!clean.contains("zz"), "{clean}");
        assert!(clean.contains("ChatID=5"), "{clean}");
    }

    #[test]
    fn bare_hashes_are_removed_but_short_hex_is_kept() {
        let clean = scrub(&format!("x {} y deadbeef", "0".repeat(128)), &[]);
        assert_eq!(clean, "x [redacted] y deadbeef");
    }

    #[test]
    fn snippet_is_short_and_one_line() {
        let body = format!("<html>\n<body>{}</body></html>", "a ".repeat(500));
        let s = snippet(body.as_bytes(), &[]);
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
        assert!(!s.contains('\n'));
        assert!(s.ends_with('…'));
        assert_eq!(snippet(b"", &[]), "(empty body)");
        assert_eq!(
            snippet(b"500 Too many simultaneous requests", &[]),
            "500 Too many simultaneous requests"
        );
    }
}
