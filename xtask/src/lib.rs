//! Maintenance commands of the bold360-rs workspace, as a library so they can be tested.
pub mod formats;
pub mod fuzz;
pub mod regen;
pub mod test_tools;
