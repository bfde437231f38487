//! Whether a method reads or changes data, and the one rule that tells it from a name alone.

/// Whether a method reads or changes data. Decides which failures are safe to retry: a write
/// that may have reached the server is never sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodKind {
    /// Reads only; any transient failure may be retried.
    Read,
    /// Changes state; only refusals (the server did nothing) are retried.
    Write,
}

impl MethodKind {
    /// The kind of a method known only by its name: every Bold360 method whose name starts
    /// with `get` reads (`getDepartments`), anything else is taken as a write.
    ///
    /// ```
    /// use bold360_sdk::MethodKind;
    /// assert_eq!(MethodKind::from_name("getDepartments"), MethodKind::Read);
    /// assert_eq!(MethodKind::from_name("deleteChat"), MethodKind::Write);
    /// assert_eq!(MethodKind::from_name("getter"), MethodKind::Write);
    /// assert_eq!(MethodKind::from_name("getaway"), MethodKind::Write);
    /// ```
    pub fn from_name(method: &str) -> Self {
        let reads = method
            .strip_prefix("get")
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase());
        if reads {
            MethodKind::Read
        } else {
            MethodKind::Write
        }
    }

    /// `"read"` or `"write"`, as the manifest and the CLI write it.
    ///
    /// ```
    /// assert_eq!(bold360_sdk::MethodKind::Write.as_str(), "write");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            MethodKind::Read => "read",
            MethodKind::Write => "write",
        }
    }
}
