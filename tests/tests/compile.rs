//! Compile tests: what the generated API accepts, and the errors it gives for what it must not.
//!
//! Manifest paths in `ui/` name `${BOLD360_UI_MANIFESTS}`, set here to `tests/ui/manifests`, so
//! they hold wherever trybuild builds its project (`CARGO_TARGET_DIR` may be anywhere).

#[test]
fn ui() {
    // The one test of this binary: no other thread reads the environment meanwhile.
    std::env::set_var(
        "BOLD360_UI_MANIFESTS",
        concat!(env!("CARGO_MANIFEST_DIR"), "/ui/manifests"),
    );
    // trybuild's project has no profile of its own: no debug info (only compiler messages are
    // compared), so its build directory stays small.
    std::env::set_var("CARGO_PROFILE_DEV_DEBUG", "false");
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
