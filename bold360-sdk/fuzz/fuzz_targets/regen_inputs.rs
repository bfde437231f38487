//! `cargo xtask regen`'s inputs: a vendor reference page (HTML) through the page parser and
//! the generator, and `overrides.json` through its parser. Beyond "no panic": a page's text
//! cleaned twice is cleaned once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::regen::{overrides::Overrides, page};

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(body);
    if which % 2 == 0 {
        let cleaned = page::clean(&text);
        assert_eq!(page::clean(&cleaned), cleaned, "clean is not idempotent");
        let (_page, _notes) = page::parse("c_data_extraction_fuzz_getFuzz.html", &text);
    } else if let Ok(overrides) = Overrides::parse(&text) {
        let _ = overrides;
    }
});
