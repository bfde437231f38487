//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::{Client, RetryPolicy};

/// A sandbox and a client for it that does not retry (so each error path is seen as is).
/// Closed chats in the tests' sandbox: a small, fixed data set whose counts the tests state
/// (150 chats, 75 per folder, 450 messages), not the larger default that shows paging.
pub const CHATS: u32 = 150;

pub async fn sandbox_and_client() -> (Sandbox, Client) {
    let sandbox = Sandbox::builder()
        .chats(CHATS)
        .start()
        .await
        .expect("sandbox starts");
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds");
    (sandbox, client)
}

/// A `tracing` writer that keeps everything written to it.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs, for the current thread, a subscriber that records every event and span (all
/// levels, all targets, `log` records of dependencies included) into the returned buffer.
pub fn capture_traces() -> (Captured, tracing::subscriber::DefaultGuard) {
    let _ = tracing_log::LogTracer::init();
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

/// The ID of the sandbox's first chat folder.
pub async fn first_chat_folder(client: &Client) -> bold360_sdk::ids::FolderId {
    use bold360_sdk::methods::get_folders::FolderType;
    let folders = client
        .v1()
        .get_folders()
        .folder_type(FolderType::Chats)
        .send()
        .await
        .unwrap();
    folders.data.unwrap()[0].folder_id.clone().unwrap()
}

/// Starts a report of `kind` and returns its ID.
pub async fn start_report(client: &Client, kind: i64) -> bold360_sdk::ids::ReportId {
    client
        .v1()
        .run_report(kind)
        .send()
        .await
        .unwrap()
        .data
        .unwrap()
        .report_id
        .unwrap()
}
