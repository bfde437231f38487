//! A method's description, as the generated method table states it: its kind (read or
//! write), versions, paging and the rules on its parameters.

pub(crate) mod constraint;
pub(crate) mod info;
pub(crate) mod kind;
pub(crate) mod param;
pub(crate) mod undocumented;
