//! The exit codes of `bold360`, in one table: the code, the top-level help and the README's
//! line are all made from it (a test holds the README and `--help` to it).

/// The command did what was asked.
pub const OK: u8 = 0;
/// `verify-trigger`: the trigger's signature does not match.
pub const INVALID: u8 = 1;
/// A usage or configuration error, or a call the manifest refuses: nothing was sent.
pub const USAGE: u8 = 2;
/// The API answered with an error (including paging that cannot go on safely).
pub const API: u8 = 3;
/// The network, a timeout, or the rate limiter's store failed.
pub const NETWORK: u8 = 4;
/// A method that does not page answered `Truncated`: records are missing (narrow the filter).
pub const TRUNCATED: u8 = 5;

/// Every exit code with its meaning, in order.
pub const CODES: [(u8, &str); 6] = [
    (OK, "success"),
    (INVALID, "invalid (verify-trigger)"),
    (USAGE, "usage or configuration"),
    (API, "API error (including paging that cannot go on safely)"),
    (NETWORK, "network error"),
    (
        TRUNCATED,
        "a list that does not page answered `Truncated` (records are missing: narrow the filter, or pass `--accept-truncated`)",
    ),
];

/// The sentence `--help` and the README print: `Exit codes: 0 success, 1 …`.
pub fn summary() -> String {
    let codes: Vec<String> = CODES
        .iter()
        .map(|(code, meaning)| format!("{code} {meaning}"))
        .collect();
    format!("Exit codes: {}.", codes.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_in_order() {
        for (i, (code, _)) in CODES.iter().enumerate() {
            assert_eq!(usize::from(*code), i);
        }
    }

    #[test]
    fn the_summary_names_every_code() {
        let s = summary();
        assert!(s.starts_with("Exit codes: 0 success, 1 invalid"));
        assert!(s.contains("5 a list that does not page"), "{s}");
        assert!(s.ends_with("`--accept-truncated`)."), "{s}");
    }

    /// The README documents the same codes, word for word (folded over lines).
    #[test]
    fn the_readme_prints_the_same_summary() {
        let readme = include_str!("../../../README.md");
        let folded = readme.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            folded.contains(&summary()),
            "README.md must contain, folded over lines: {}",
            summary()
        );
    }
}
