//! Decoding one field's value as the server sends it: the wire rules (IDs exact, dates in
//! every documented form, numbers as strings), the lenient record visitor, and ID types.

pub(crate) mod blank;
pub(crate) mod id;
mod id_type;
pub mod lenient;
pub mod wire;
