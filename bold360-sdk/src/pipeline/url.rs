//! Stage 4, url: `{base}/aid/{AccountID}/data/rest/json/{v1|v2}/{method}?auth=…&…`.
//!
//! Every name and value is percent-encoded as RFC 3986 requires of query components, leaving only
//! the unreserved characters `A-Z a-z 0-9 - . _ ~` as they are. That is stricter than form
//! encoding on purpose: `+` must reach the server as `%2B` (a literal plus), a space as `%20`,
//! and `&`, `=`, `:` and non-ASCII text must never be read as structure.

use reqwest::Url;

use crate::auth::signing::AuthToken;
use crate::config::endpoint::{ApiVersion, Endpoint};
use crate::encoding::encode_component;
use crate::error::Error;
use crate::params::Params;

/// Builds the full URL of one call. Names and parameters must have been validated.
pub(crate) fn build(
    endpoint: &Endpoint,
    account_id: &str,
    version: ApiVersion,
    method: &str,
    token: &AuthToken,
    params: &Params,
) -> Result<Url, Error> {
    use std::fmt::Write;
    let mut url = String::with_capacity(160 + params.len() * 24);
    let _ = write!(
        url,
        "{}/aid/{}/data/rest/json/{}/{}?auth={}",
        endpoint.as_str(),
        account_id,
        version.as_str(),
        method,
        encode_component(token.expose_secret())
    );
    for (name, value) in params.iter() {
        let _ = write!(
            url,
            "&{}={}",
            encode_component(name),
            encode_component(value)
        );
    }
    if url.len() > MAX_URL_LEN {
        // Named after the parameter that takes the most room: usually the one to shorten.
        let longest = params
            .iter()
            .max_by_key(|(name, value)| name.len() + value.len())
            .map(|(name, _)| name);
        return Err(Error::invalid_request(
            method,
            longest,
            format!(
                "the request URL would be {} bytes, over the {MAX_URL_LEN} an HTTP client can send; send less in one call",
                url.len()
            ),
        ));
    }
    // The parse cannot fail for a valid endpoint and encoded components; the error is kept
    // generic so the URL (which holds the token) never reaches a message.
    Url::parse(&url).map_err(|_| Error::invalid_request(method, None, "could not form a URL"))
}

/// The longest URL the HTTP stack accepts (`http::Uri` stops at `u16::MAX - 1` bytes).
pub(crate) const MAX_URL_LEN: usize = u16::MAX as usize - 1;

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Any text encodes to unreserved characters and `%XX` only, and decodes back to itself.
        #[test]
        fn any_component_round_trips(text in ".*") {
            let encoded = encode_component(&text).to_string();
            proptest::prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%')));
            let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().unwrap();
            proptest::prop_assert_eq!(decoded, text.as_str());
        }

        /// Any parameters build a URL whose query holds exactly them, in order, or a typed error.
        #[test]
        fn any_parameters_build_a_url_or_an_error(
            pairs in proptest::collection::vec(("[A-Za-z][A-Za-z0-9]{0,8}", ".{0,40}"), 0..6)
        ) {
            let creds = crate::auth::credentials::Credentials::new("1", "2", "k").unwrap();
            let token = crate::auth::signing::sign(&creds, 0);
            let endpoint = Endpoint::custom("http://127.0.0.1:9").unwrap();
            let mut params = Params::new();
            for (n, v) in &pairs {
                params.set(n.clone(), v.as_str());
            }
            let url = build(&endpoint, "1", ApiVersion::V1, "getChat", &token, &params).unwrap();
            let query: Vec<(String, String)> = url.query_pairs().into_owned().skip(1).collect();
            let expected: Vec<(String, String)> =
                params.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
            proptest::prop_assert_eq!(query, expected);
        }
    }
    use crate::auth::{credentials::Credentials, signing};

    fn url_for(params: &Params) -> Url {
        let creds = Credentials::new("100001", "2000001", "k").unwrap();
        let token = signing::sign(&creds, 1_700_000_000_000);
        let endpoint = Endpoint::custom("http://127.0.0.1:9/prefix/").unwrap();
        build(
            &endpoint,
            "100001",
            ApiVersion::V2,
            "getChat",
            &token,
            params,
        )
        .unwrap()
    }

    #[test]
    fn shape_of_the_url() {
        let url = url_for(&Params::new().with("ChatID", "5"));
        assert_eq!(url.path(), "/prefix/aid/100001/data/rest/json/v2/getChat");
        let q = url.query().unwrap();
        assert!(
            q.starts_with("auth=100001%3A2000001%3A1700000000000%3A"),
            "{q}"
        );
        assert!(q.ends_with("&ChatID=5"));
    }

    #[test]
    fn special_characters_are_encoded() {
        let json = r#"[{"DepartmentID":"1","Priority":2}]"#;
        let params = Params::new()
            .with("Name", "a b+c&d=e:f/g?h#i%j")
            .with("Message", "Grüße, 世界 😀")
            .with("Departments", json)
            .with("CustomFields.my field", "x");
        let url = url_for(&params);
        let q = url.query().unwrap();
        assert!(
            q.contains("&Name=a%20b%2Bc%26d%3De%3Af%2Fg%3Fh%23i%25j"),
            "{q}"
        );
        assert!(q.contains("&Message=Gr%C3%BC%C3%9Fe%2C%20%E4%B8%96%E7%95%8C%20%F0%9F%98%80"));
        assert!(q.contains("&CustomFields.my%20field=x"));
        // Decoding gives back exactly what was set.
        let decoded: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(decoded[1], ("Name".into(), "a b+c&d=e:f/g?h#i%j".into()));
        assert_eq!(decoded[2], ("Message".into(), "Grüße, 世界 😀".into()));
        assert_eq!(decoded[3], ("Departments".into(), json.into()));
        assert_eq!(decoded[4], ("CustomFields.my field".into(), "x".into()));
    }
}
