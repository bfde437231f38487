//! The `bold360` command line and the `tap-bold360` Singer tap, as a library both binaries
//! share. It is the command line's own code, not an API: use `bold360-sdk`.
#![doc(hidden)]

pub mod args;
pub mod call;
pub mod entry;
pub mod exit;
pub mod explore;
pub mod export;
pub mod fail;
pub mod logging;
pub mod methods;
pub mod out;
pub mod raw;
pub mod relay;
pub mod sandbox;
pub mod send_trigger;
pub mod spec;
pub mod tap;
pub mod verify;
