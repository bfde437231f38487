//! Methods the vendor has that no page documents, known by name from public clients (the
//! vendor's own demo calls `getDepartments` first). They are sent by name as undocumented
//! calls: read or write by the `get` rule, records untyped, parameters unchecked.

use super::kind::MethodKind;

/// A method known by name only (`bold360_sdk::methods::UNDOCUMENTED`): no page documents
/// it, so nothing but its name is checked and its records are untyped JSON.
///
/// ```
/// use bold360_sdk::{methods, MethodKind};
/// let m = methods::undocumented("getDepartments").unwrap();
/// assert_eq!(m.kind(), MethodKind::Read);
/// assert!(m.hint().contains("no parameters"));
/// assert!(methods::lookup("getDepartments").is_none(), "not documented");
/// assert!(methods::undocumented("getChat").is_none(), "documented");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndocumentedMethod {
    name: &'static str,
    hint: &'static str,
}

impl UndocumentedMethod {
    /// The one-line note every use of such a method carries.
    pub const NOTE: &'static str =
        "no page documents this method (known from public clients): sent as given, records untyped";

    /// A method known by `name`, with what its callers suggest about it.
    pub const fn new(name: &'static str, hint: &'static str) -> Self {
        Self { name, hint }
    }

    /// The wire name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What public clients send or what the name suggests (not documented).
    pub fn hint(&self) -> &'static str {
        self.hint
    }

    /// Read or write, by the SDK's rule for undocumented names (`get…` reads).
    pub fn kind(&self) -> MethodKind {
        MethodKind::from_name(self.name)
    }
}
