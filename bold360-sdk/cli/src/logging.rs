//! Log output to stderr: `-v` (each call and retry), `-vv` (the limiter too), `-vvv` (every
//! crate, HTTP included), or
//! `RUST_LOG` when set. The SDK never puts a secret in an event, so nothing here filters.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; without `-v` or `RUST_LOG` only errors are shown (the command
/// prints its own one-line failure, so a retry's warning would only be noise).
pub fn install(verbose: u8) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::new(spec),
        _ => EnvFilter::new(match verbose {
            0 => "error",
            1 => "warn,bold360_sdk=debug",
            2 => "warn,bold360_sdk=trace",
            _ => "trace",
        }),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(true)
        .try_init();
}
