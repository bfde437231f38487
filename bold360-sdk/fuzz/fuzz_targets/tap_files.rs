//! The tap's config, state and catalog files, and the export's checkpoint file. Beyond "no
//! panic": a state that loads is written back as a state that loads to the same value; a
//! checkpoint that parses serializes and parses to itself.
#![no_main]

use std::sync::OnceLock;

use bold360_cli::export::Checkpoint;
use bold360_cli::tap::streams::{plan, StreamPlan};
use bold360_cli::tap::{catalog, config, state::State};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn plans() -> &'static Vec<StreamPlan> {
    static PLANS: OnceLock<Vec<StreamPlan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        let manifest = bold360_api_spec::Manifest::embedded().unwrap();
        plan(&manifest, bold360_api_spec::Version::V1).0
    })
}

include!("common.rs");

fn scratch_dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("tap");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let plans = plans();
    let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    match which % 4 {
        0 => {
            // The config file, the environment empty: refused with a message, or a client.
            let path = scratch_dir().join("config.json");
            std::fs::write(&path, body).unwrap();
            let _ = config::load(Some(&path), |_| None);
        }
        1 => {
            let Ok(value) = serde_json::from_slice::<Value>(body) else {
                return;
            };
            if let Ok(state) = State::from_value(&value, &names) {
                let written = state.to_value();
                let again = State::from_value(&written, &names).unwrap_or_else(|e| {
                    panic!("a state's own output is refused: {}\n{written}", e.message)
                });
                assert_eq!(again.to_value(), written, "state → value → state differs");
            }
        }
        2 => {
            let Ok(value) = serde_json::from_slice::<Value>(body) else {
                return;
            };
            let _ = catalog::selection(&value, plans);
        }
        _ => {
            if let Ok(checkpoint) = Checkpoint::parse(body) {
                let text = serde_json::to_vec(&checkpoint).unwrap();
                assert_eq!(Checkpoint::parse(&text).unwrap(), checkpoint);
            }
        }
    }
});
