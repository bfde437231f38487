//! Configuration from the `BOLD360_*` variables, read through a lookup so tests never touch the
//! process environment.

use bold360_sdk::{ApiVersion, ClientBuilder, Credentials, Error};

fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }
}

const GOOD: [(&str, &str); 3] = [
    ("BOLD360_ACCOUNT_ID", "100001"),
    ("BOLD360_API_SETTING_ID", "2000001"),
    ("BOLD360_API_KEY", " key with spaces "),
];

fn setting_of(err: Error) -> String {
    match err {
        Error::Config { setting, .. } => setting,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn each_missing_variable_is_named() {
    for (missing, _) in GOOD {
        let vars: Vec<_> = GOOD
            .iter()
            .copied()
            .filter(|(name, _)| *name != missing)
            .collect();
        let err = Credentials::from_lookup(lookup(&vars)).unwrap_err();
        assert_eq!(setting_of(err), missing);
    }
}

#[test]
fn malformed_values_are_named_without_echoing_them() {
    let cases = [
        ("BOLD360_ACCOUNT_ID", "12a4"),
        ("BOLD360_ACCOUNT_ID", ""),
        ("BOLD360_API_SETTING_ID", "super-secret-looking"),
        ("BOLD360_API_KEY", ""),
    ];
    for (name, value) in cases {
        let mut vars = GOOD.to_vec();
        vars.retain(|(n, _)| *n != name);
        vars.push((name, value));
        let err = Credentials::from_lookup(lookup(&vars)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(name), "{text}");
        if !value.is_empty() {
            assert!(
                !text.contains(value),
                "the value must not be echoed: {text}"
            );
        }
    }
}

#[test]
fn region_endpoint_and_version() {
    let mut vars = GOOD.to_vec();
    vars.push(("BOLD360_REGION", "emea"));
    vars.push(("BOLD360_API_VERSION", "v2"));
    let client = ClientBuilder::from_lookup(lookup(&vars))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.endpoint().as_str(), "https://api-eu.boldchat.com");
    assert_eq!(client.api_version(), ApiVersion::V2);

    vars.push(("BOLD360_ENDPOINT", "http://127.0.0.1:8080/"));
    let client = ClientBuilder::from_lookup(lookup(&vars))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        client.endpoint().as_str(),
        "http://127.0.0.1:8080",
        "the endpoint overrides the region"
    );

    let client = ClientBuilder::from_lookup(lookup(&GOOD))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.endpoint().as_str(), "https://api.boldchat.com");
    assert_eq!(client.api_version(), ApiVersion::V1);

    for (name, value) in [
        ("BOLD360_REGION", "mars"),
        ("BOLD360_API_VERSION", "v9"),
        ("BOLD360_ENDPOINT", "not a url"),
        ("BOLD360_ENDPOINT", "ftp://example.com"),
        ("BOLD360_ENDPOINT", "http://example.com/?q=1"),
    ] {
        let mut vars = GOOD.to_vec();
        vars.push((name, value));
        let err = ClientBuilder::from_lookup(lookup(&vars)).unwrap_err();
        assert_eq!(setting_of(err), name, "{name}={value}");
    }
}

#[test]
fn the_key_is_used_verbatim() {
    let creds = Credentials::from_lookup(lookup(&GOOD)).unwrap();
    use bold360_sdk::ExposeSecret;
    assert_eq!(creds.api_key().expose_secret(), " key with spaces ");
}
