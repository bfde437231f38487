//! `bold360 relay` end to end: the sandbox simulates chats and sends their triggers as Bold360
//! does (some dropped, some duplicated, some late), forged triggers are mixed in, the
//! receiver (the ticketing example, verifying with the Standard Webhooks library) is down at
//! first, and the relay is killed with SIGKILL mid-run and restarted on the same inbox. Every
//! closed chat must reach the receiver under one event ID, with its ticket written back.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use bold360_sdk::sandbox::{signed_trigger_body, ChatSimulation, Sandbox};
use bold360_sdk::{ExposeSecret, Params};
use common::postgres::Postgres;
use common::{command, free_port, run, text, Running};
use serde_json::Value;

/// The Standard Webhooks specification's example secret.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bold360-relay-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The ticketing example, built by `cargo test` beside the test binaries.
fn ticketing(port: u16, unavailable_for: f64) -> Running {
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples/ticketing");
    assert!(
        example.exists(),
        "{} is missing: `cargo test -p bold360-cli` builds the examples",
        example.display()
    );
    let child = std::process::Command::new(example)
        .env("BOLD360_RELAY_SECRET", SECRET)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--unavailable-for", &unavailable_for.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    Running(child)
}

/// `bold360 relay` against the sandbox.
fn relay(sandbox: &Sandbox, port: u16, inbox: &str, forward: u16, extra: &[&str]) -> Running {
    let c = sandbox.credentials();
    let child = command()
        .env("BOLD360_ENDPOINT", sandbox.base_url())
        .env("BOLD360_ACCOUNT_ID", c.account_id())
        .env("BOLD360_API_SETTING_ID", c.api_setting_id())
        .env("BOLD360_API_KEY", c.api_key().expose_secret())
        .env("BOLD360_RELAY_SECRET", SECRET)
        .args(["relay", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--inbox", inbox])
        .args(["--forward", &format!("http://127.0.0.1:{forward}/events")])
        .args(["--write-back", "CustomFields.TicketID=/ticket_id"])
        .args(["--reconcile-first-window", "600"])
        .args(if extra.contains(&"--reconcile-every") {
            &[][..]
        } else {
            &["--reconcile-every", "2"][..]
        })
        .args([
            "--retry-delay",
            "0.2",
            "--max-retry-delay",
            "2",
            "--timeout",
            "5",
        ])
        .args(["--max-attempts", "100"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Running(child)
}

async fn wait_healthy(port: u16) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(answer) = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            if answer.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the relay on port {port} did not come up");
}

async fn wait_up(port: u16, path: &str) {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if http
            .get(format!("http://127.0.0.1:{port}{path}"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on port {port}");
}

async fn tickets(port: u16) -> Vec<Value> {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/tickets"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Waits until the receiver has a ticket for every chat in `chats` (or the time is up).
async fn all_ticketed(port: u16, chats: &BTreeSet<String>, limit: Duration) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let now = tickets(port).await;
        let have: BTreeSet<String> = now
            .iter()
            .map(|t| t["chat_id"].as_str().unwrap().to_owned())
            .collect();
        if chats.is_subset(&have) || started.elapsed() > limit {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// `bold360 relay status` as name → value.
async fn status(inbox: &str) -> BTreeMap<String, String> {
    let mut c = command();
    c.args(["relay", "status", "--inbox", inbox]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Checks that every chat has exactly one ticket, written back into the chat.
async fn check_tickets(sandbox: &Sandbox, chats: &BTreeSet<String>, tickets: &[Value]) {
    let mut by_chat: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for t in tickets {
        by_chat
            .entry(t["chat_id"].as_str().unwrap())
            .or_default()
            .push(t);
    }
    let missing: Vec<&String> = chats
        .iter()
        .filter(|c| !by_chat.contains_key(c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} chats never reached the receiver, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    for (chat, list) in &by_chat {
        assert!(
            chats.contains(*chat),
            "a ticket for a chat that was never simulated: {chat}"
        );
        assert_eq!(
            list.len(),
            1,
            "chat {chat} reached the receiver under several event IDs"
        );
    }
    // Every ticket is written back into its chat (the write-back goes after the delivery:
    // wait for the last few).
    let client = sandbox.client().unwrap();
    for chat in chats {
        let ticket = by_chat[chat.as_str()][0]["ticket_id"].as_str().unwrap();
        let mut seen = Value::Null;
        for _ in 0..100 {
            let answer = client
                .call_raw("getChat", Params::new().with("ChatID", chat.as_str()))
                .await
                .unwrap();
            seen = answer.data.unwrap()["CustomFields"]["TicketID"].clone();
            if seen == ticket {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(seen, ticket, "chat {chat}'s ticket is written back");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_closed_chat_reaches_the_receiver_once_through_loss_duplicates_forgery_downtime_and_sigkill(
) {
    let sandbox = Sandbox::builder().chats(20).start().await.unwrap();
    let dir = temp("sqlite");
    let inbox = format!("sqlite:{}", dir.join("inbox.db").display());
    let (relay_port, desk_port) = (free_port(), free_port());
    let _desk = ticketing(desk_port, 30.0);
    wait_up(desk_port, "/tickets").await;
    let mut first = relay(&sandbox, relay_port, &inbox, desk_port, &[]);
    wait_healthy(relay_port).await;

    let url = format!("http://127.0.0.1:{relay_port}/chat-closed");
    let run = sandbox
        .simulate_chats(
            ChatSimulation::new(500, 40.0)
                .subscribe(format!("chat-closed={url}").parse().unwrap())
                .drop_share(0.1)
                .duplicate_share(0.1)
                .delay_share(0.1),
        )
        .unwrap();

    // Forged triggers, mixed in: another key, a signature for another URL, a changed field.
    let http = reqwest::Client::new();
    let forged_chat = "9999999999999999";
    let fields = [
        ("ChatID", forged_chat.to_owned()),
        ("Ended", "2024-05-01T10:00:00Z".to_owned()),
    ];
    let key = sandbox.credentials().api_key().expose_secret().to_owned();
    let forgeries = [
        signed_trigger_body("not-the-key", &url, &fields),
        signed_trigger_body(&key, "http://127.0.0.1:1/chat-closed", &fields),
        signed_trigger_body(&key, &url, &fields).replace(forged_chat, "9999999999999998"),
    ];
    let mut refused = 0;
    for body in &forgeries {
        let answer = http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401);
        refused += 1;
    }

    // SIGKILL mid-run, then a new relay on the same inbox.
    tokio::time::sleep(Duration::from_secs(5)).await;
    first.0.kill().unwrap();
    let _ = first.0.wait();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let _second = relay(&sandbox, relay_port, &inbox, desk_port, &[]);
    wait_healthy(relay_port).await;

    let report = run.finished().await;
    let chats: BTreeSet<String> = report.chats.iter().cloned().collect();
    assert_eq!(chats.len(), 500);
    let tickets = all_ticketed(desk_port, &chats, Duration::from_secs(150)).await;
    check_tickets(&sandbox, &chats, &tickets).await;
    assert!(
        tickets
            .iter()
            .all(|t| !t["chat_id"].as_str().unwrap().starts_with("99999999999999")),
        "no forged event"
    );
    let reconciled = tickets
        .iter()
        .filter(|t| t["source"] == "reconciled")
        .count();
    let status = status(&inbox).await;
    eprintln!(
        "relay e2e: {} chats; triggers: {} answered 2xx, {} failed (relay down), {} dropped, {} duplicated, {} late; {} forged refused; tickets {} ({} reconciled); relay status {:?}",
        chats.len(), report.delivered, report.failed, report.dropped, report.duplicated, report.delayed,
        refused, tickets.len(), reconciled, status
    );
    assert!(
        report.dropped > 0 && reconciled > 0,
        "dropped triggers are found by reconciliation"
    );
    assert_eq!(status["dead"], "0");
    assert!(status["duplicates suppressed"].parse::<u64>().unwrap() > 0);
    assert_eq!(status["delivered"], "500");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_relays_share_a_postgres_inbox_through_loss_duplicates_forgery_downtime_and_sigkill() {
    let pg = Postgres::start("relay");
    let inbox = pg.url();
    let sandbox = Sandbox::builder().chats(20).start().await.unwrap();
    let (a, b, desk_port) = (free_port(), free_port(), free_port());
    // The receiver is down for its first 30 s: every early event is retried.
    let _desk = ticketing(desk_port, 30.0);
    wait_up(desk_port, "/tickets").await;
    let mut one = relay(&sandbox, a, &inbox, desk_port, &["--concurrency", "3"]);
    let _two = relay(&sandbox, b, &inbox, desk_port, &["--concurrency", "3"]);
    wait_healthy(a).await;
    wait_healthy(b).await;
    // Behind a load balancer both relays receive triggers; here every trigger goes to both.
    let run = sandbox
        .simulate_chats(
            ChatSimulation::new(200, 40.0)
                .subscribe(
                    format!("chat-closed=http://127.0.0.1:{a}/chat-closed")
                        .parse()
                        .unwrap(),
                )
                .subscribe(
                    format!("chat-closed=http://127.0.0.1:{b}/chat-closed")
                        .parse()
                        .unwrap(),
                )
                .drop_share(0.1)
                .duplicate_share(0.1),
        )
        .unwrap();
    // A forged trigger at each relay: refused, never stored.
    let key = sandbox.credentials().api_key().expose_secret().to_owned();
    for port in [a, b] {
        let url = format!("http://127.0.0.1:{port}/chat-closed");
        let forged = signed_trigger_body(&key, &url, &[("ChatID", "9999999999999999".to_owned())])
            .replace("9999999999999999", "9999999999999998");
        let answer = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(forged)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401);
    }
    // One relay is killed with SIGKILL mid-run and restarted on the shared inbox.
    tokio::time::sleep(Duration::from_secs(2)).await;
    one.0.kill().unwrap();
    let _ = one.0.wait();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _one_again = relay(&sandbox, a, &inbox, desk_port, &["--concurrency", "3"]);
    wait_healthy(a).await;
    let report = run.finished().await;
    let chats: BTreeSet<String> = report.chats.iter().cloned().collect();
    let tickets = all_ticketed(desk_port, &chats, Duration::from_secs(120)).await;
    check_tickets(&sandbox, &chats, &tickets).await;
    // At least once: only a delivery in flight at the killed relay (at most its 3) may come
    // again; with the claims and leases, no event goes out from both relays.
    let again: u64 = tickets
        .iter()
        .map(|t| t["deliveries"].as_u64().unwrap() - 1)
        .sum();
    assert!(again <= 3, "{again} deliveries beyond one per event");
    let status = status(&inbox).await;
    eprintln!(
        "relay postgres: {} chats, {} tickets, {again} delivered again, status {status:?}",
        chats.len(),
        tickets.len()
    );
    assert_eq!(status["delivered"], "200");
    assert!(status["duplicates suppressed"].parse::<u64>().unwrap() >= 190);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_at_the_door_is_refused_and_nothing_is_stored() {
    let sandbox = Sandbox::builder().chats(5).start().await.unwrap();
    let dir = temp("door");
    let inbox = format!("sqlite:{}", dir.join("inbox.db").display());
    let port = free_port();
    let _relay = relay(
        &sandbox,
        port,
        &inbox,
        free_port(),
        &["--reconcile-every", "0"],
    );
    wait_healthy(port).await;
    let url = format!("http://127.0.0.1:{port}/chat-closed");
    let key = sandbox.credentials().api_key().expose_secret().to_owned();
    let good = signed_trigger_body(&key, &url, &[("ChatID", "42".to_owned())]);
    let http = reqwest::Client::new();
    let post = |path: &str, content_type: &str, body: Vec<u8>| {
        http.post(format!("http://127.0.0.1:{port}{path}"))
            .header("content-type", content_type.to_owned())
            .body(body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, &str, Vec<u8>, u16)> = vec![
        ("/chat-closed", "text/plain", good.clone().into_bytes(), 415),
        (
            "/chat-closed",
            form,
            [good.as_bytes(), b"&X=\xff"].concat(),
            400,
        ),
        (
            "/chat-closed",
            form,
            format!("{good}&X=%FF").into_bytes(),
            400,
        ),
        (
            "/chat-closed",
            form,
            format!("{good}&ChatID=43").into_bytes(),
            400,
        ),
        (
            "/chat-closed",
            form,
            b"ChatID=42&signed=ChatID%26Absent&signature=00".to_vec(),
            401,
        ),
        ("/chat-closed", form, b"ChatID=42".to_vec(), 401),
        (
            "/chat-closed",
            "application/json",
            b"{not json".to_vec(),
            400,
        ),
        ("/no-such-trigger", form, good.clone().into_bytes(), 404),
    ];
    for (path, content_type, body, want) in cases {
        let answer = post(path, content_type, body).await.unwrap();
        assert_eq!(answer.status().as_u16(), want, "{path} {content_type}");
    }
    // An oversized body is refused from its declared length, before it is read: the answer
    // comes while the sender still has the body to send (read here from a raw socket).
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let head = format!(
            "POST /chat-closed HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {form}\r\ncontent-length: {}\r\n\r\n",
            5 * 1024 * 1024
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 512];
        let n = socket.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }
    let status = status(&inbox).await;
    assert_eq!(status["queued"], "0", "{status:?}");
    assert_eq!(status["delivered"], "0");
    assert_eq!(status["dead"], "0");
    // The genuine trigger is stored (and acknowledged with its event ID).
    let answer = post("/chat-closed", form, good.into_bytes()).await.unwrap();
    assert_eq!(answer.status(), 200);
    let ack: Value = serde_json::from_str(&answer.text().await.unwrap()).unwrap();
    assert!(ack["id"].as_str().unwrap().starts_with("evt_"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_makes_a_dead_letter_that_replay_delivers() {
    let sandbox = Sandbox::builder().chats(5).start().await.unwrap();
    let dir = temp("dead");
    let inbox = format!("sqlite:{}", dir.join("inbox.db").display());
    let marker = dir.join("up");
    let out = dir.join("events");
    let port = free_port();
    let exec = format!(
        "test -f {} && cat >> {} && echo '{{\"ticket_id\":\"T-9\"}}'",
        marker.display(),
        out.display()
    );
    let c = sandbox.credentials();
    let log = dir.join("relay.log");
    let mut relay = Running(
        command()
            .env("BOLD360_API_KEY", c.api_key().expose_secret())
            .args([
                "-vv",
                "relay",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--inbox",
                &inbox,
            ])
            .args([
                "--exec",
                &exec,
                "--max-attempts",
                "2",
                "--retry-delay",
                "0.1",
            ])
            .args(["--reconcile-every", "0"])
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    wait_healthy(port).await;
    let url = format!("http://127.0.0.1:{port}/chat-closed");
    let body = signed_trigger_body(
        c.api_key().expose_secret(),
        &url,
        &[("ChatID", "77".to_owned())],
    );
    let ack = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ack: Value = serde_json::from_str(&ack).unwrap();
    let id = ack["id"].as_str().unwrap().to_owned();
    let mut dead = String::new();
    for _ in 0..100 {
        let mut c = command();
        c.args(["relay", "dead-letters", "--inbox", &inbox]);
        dead = text(&run(c).await.stdout);
        if dead.contains(&id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(dead.contains(&id) && dead.contains("2 attempts"), "{dead}");
    std::fs::write(&marker, "").unwrap();
    let mut c = command();
    c.args(["relay", "replay", &id, "--inbox", &inbox]);
    assert_eq!(run(c).await.status.code(), Some(0));
    for _ in 0..100 {
        if status(&inbox).await["delivered"] == "1" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status(&inbox).await["delivered"], "1");
    let delivered: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(delivered["id"], id);
    assert_eq!(delivered["chat_id"], "77");
    assert_eq!(delivered["source"], "trigger");
    let mut c = command();
    c.args(["relay", "replay", "evt_unknown", "--inbox", &inbox]);
    assert_eq!(run(c).await.status.code(), Some(2));

    // SIGTERM: a graceful stop, exit 0; the traces name events, never the key.
    let pid = relay.0.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = tokio::task::spawn_blocking(move || relay.0.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains(&id), "the traces name the event: {log}");
    assert!(log.contains("stopping"), "{log}");
    let key = sandbox.credentials().api_key().expose_secret().to_owned();
    assert!(!log.contains(&key), "the key is never logged");
}
