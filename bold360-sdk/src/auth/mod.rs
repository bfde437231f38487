//! Who is calling: the account's credentials and the SHA-512 token signed from them.

pub(crate) mod credentials;
pub mod signing;
