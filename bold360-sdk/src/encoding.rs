//! Percent-encoding of one query component, as RFC 3986 requires: only the unreserved
//! characters `A-Z a-z 0-9 - . _ ~` stay as they are. The URL stage encodes every name and
//! value with it, and redaction uses it to find a secret in its encoded form.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but the unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one query component.
#[inline]
pub(crate) fn encode_component(text: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(text, COMPONENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(encode_component("aZ09-._~").to_string(), "aZ09-._~");
        assert_eq!(
            encode_component("a+b c&d=e:é/").to_string(),
            "a%2Bb%20c%26d%3De%3A%C3%A9%2F"
        );
    }
}
