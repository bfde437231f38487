//! When a value is there in form only.

/// The one rule for a value that is there in form only: an empty or blank string means "no
/// value", as `null` and absence do. Record fields (here and in [`lenient`](crate::lenient))
/// read such text as `None`, and a request parameter with such a value is not set
/// ([`Params::is_set`](crate::Params::is_set)), in the SDK and in the sandbox alike. The
/// vendor's pages give an empty value no meaning of its own: where a parameter's presence
/// matters they speak of a value or of leaving it out ("omitted = ignore hierarchy",
/// getSetupFolders), never of an empty one.
///
/// ```
/// use bold360_sdk::wire::is_blank;
/// assert!(is_blank("") && is_blank("  "));
/// assert!(!is_blank("null"), "the text null is a value (getSetupFolders gives it a meaning)");
/// assert!(!is_blank("0"));
/// ```
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}
