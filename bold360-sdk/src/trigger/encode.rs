//! How the signed text of a trigger is encoded: JavaScript's `encodeURIComponent`, and the
//! other forms real integrations show ([`SignatureForm`]).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What `encodeURIComponent` escapes: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// `encodeURIComponent` with `'` escaped as well (`%27`).
const URI_COMPONENT_APOSTROPHE: &AsciiSet = &URI_COMPONENT.add(b'\'');

/// What Java's `URLEncoder` escapes: everything but `A-Z a-z 0-9 . - * _` (and the space,
/// which it writes as `+`; written here as `%20` and turned into `+` with the others).
const URL_ENCODER: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'*')
    .remove(b'_');

/// The characters on which the forms disagree: a signed text without any of them is the same
/// in every form, so only one signature needs computing.
const FORM_SENSITIVE: [char; 5] = ['\'', '!', '(', ')', '~'];

/// A canonical form of a trigger's signed text. Every form writes a space as `+` and escapes
/// as UTF-8 with upper-case hex; they differ only on `' ! ( ) ~`.
///
/// Which one Bold360 uses is not documented on the pages we have; public integrations show
/// two, and [`TriggerVerifier`](super::TriggerVerifier) accepts a signature made under any of
/// them (each is a keyed SHA-512, so accepting several gives a forger nothing):
///
/// - [`UriComponent`](Self::UriComponent): `encodeURIComponent`, as the vendor author's first
///   Node demo (github.com/mmkerai/boldchat-demo) rebuilt it;
/// - [`Apostrophe`](Self::Apostrophe): the same with `'` as `%27`, the rule the same author's
///   later integration added while counting signature failures (github.com/mmkerai/dashboard2,
///   `server.js`, commit f4e5661, "' should be encoded (old style)"). This is the form
///   [`TriggerVerifier::sign`](super::TriggerVerifier::sign) produces: the one real Bold360
///   most likely uses;
/// - [`UrlEncoder`](Self::UrlEncoder): Java's `URLEncoder` (BoldChat's older API reference is
///   served by a Java stack), which also escapes `! ( ) ~`.
///
/// ```
/// use bold360_sdk::trigger::SignatureForm;
/// let text = "it's (ok)! ~";
/// assert_eq!(SignatureForm::UriComponent.encode(text), "it's+(ok)!+~");
/// assert_eq!(SignatureForm::Apostrophe.encode(text), "it%27s+(ok)!+~");
/// assert_eq!(SignatureForm::UrlEncoder.encode(text), "it%27s+%28ok%29%21+%7E");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureForm {
    /// `encodeURIComponent`, then `%20` as `+`.
    UriComponent,
    /// `encodeURIComponent` with `'` as `%27`, then `%20` as `+` (what `sign` produces).
    Apostrophe,
    /// Java's `URLEncoder`: `A-Z a-z 0-9 . - * _` kept, space as `+`, everything else `%XX`.
    UrlEncoder,
}

impl SignatureForm {
    /// Every form, the one signing uses first.
    pub const ALL: [SignatureForm; 3] = [Self::Apostrophe, Self::UriComponent, Self::UrlEncoder];

    /// The form [`TriggerVerifier::sign`](super::TriggerVerifier::sign) uses.
    pub const SIGNING: SignatureForm = Self::Apostrophe;

    /// A name or value of the signed text in this form (space as `+`).
    pub fn encode(self, text: &str) -> String {
        self.percent_encode(text).replace("%20", "+")
    }

    /// The percent-encoding alone (space still `%20`): the signed text turns every `%20` into
    /// `+` once it is whole, the trigger URL included.
    pub(super) fn percent_encode(self, text: &str) -> String {
        let set = match self {
            Self::UriComponent => URI_COMPONENT,
            Self::Apostrophe => URI_COMPONENT_APOSTROPHE,
            Self::UrlEncoder => URL_ENCODER,
        };
        utf8_percent_encode(text, set).to_string()
    }

    /// True when `text` reads differently in some form (it holds one of `' ! ( ) ~`).
    pub fn differs_on(text: &str) -> bool {
        text.contains(FORM_SENSITIVE)
    }
}

/// Encodes `text` exactly as JavaScript's `encodeURIComponent` does (UTF-8, upper-case hex).
///
/// ```
/// use bold360_sdk::trigger::encode_uri_component;
/// assert_eq!(encode_uri_component("Où? 100% & (now)!"), "O%C3%B9%3F%20100%25%20%26%20(now)!");
/// ```
pub fn encode_uri_component(text: &str) -> String {
    utf8_percent_encode(text, URI_COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_javascript() {
        // Expected values as a browser's encodeURIComponent gives them.
        let cases = [
            ("abcXYZ019", "abcXYZ019"),
            ("-_.!~*'()", "-_.!~*'()"),
            (" ", "%20"),
            ("+/=?&#:;,@$", "%2B%2F%3D%3F%26%23%3A%3B%2C%40%24"),
            ("[]{}\"<>\\^`|", "%5B%5D%7B%7D%22%3C%3E%5C%5E%60%7C"),
            ("é", "%C3%A9"),
            ("鍵", "%E9%8D%B5"),
            ("😀", "%F0%9F%98%80"),
            ("%", "%25"),
            ("\n", "%0A"),
        ];
        for (input, want) in cases {
            assert_eq!(encode_uri_component(input), want, "{input:?}");
        }
    }

    #[test]
    fn url_encoder_matches_java() {
        // Expected values as java.net.URLEncoder.encode(s, "UTF-8") gives them.
        let cases = [
            ("abcXYZ019", "abcXYZ019"),
            (".-*_", ".-*_"),
            ("!'()~", "%21%27%28%29%7E"),
            ("a b+c", "a+b%2Bc"),
            ("%&=?/:", "%25%26%3D%3F%2F%3A"),
            ("é鍵😀", "%C3%A9%E9%8D%B5%F0%9F%98%80"),
        ];
        for (input, want) in cases {
            assert_eq!(SignatureForm::UrlEncoder.encode(input), want, "{input:?}");
        }
    }

    #[test]
    fn the_forms_differ_only_on_five_characters() {
        for byte in 0u8..128 {
            let text = (byte as char).to_string();
            let encoded: Vec<String> = SignatureForm::ALL.iter().map(|f| f.encode(&text)).collect();
            let same = encoded.iter().all(|e| e == &encoded[0]);
            assert_eq!(
                same,
                !SignatureForm::differs_on(&text),
                "{text:?} encodes as {encoded:?}"
            );
        }
        assert_eq!(SignatureForm::Apostrophe.encode("'"), "%27");
        assert_eq!(SignatureForm::UriComponent.encode("'"), "'");
    }
}
