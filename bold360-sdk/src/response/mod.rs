//! What a call answers: the envelope (`Status`, `Message`, `Data`, paging fields) and the
//! list of records it carries.

pub(crate) mod envelope;
pub(crate) mod records;
