//! Compile tests: what the generated API accepts, and the errors it gives for what it must not.
//!
//! Manifest paths in `ui/` are relative to trybuild's project directory
//! (`target/tests/trybuild/bold360-tests`), four levels below the workspace root.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
