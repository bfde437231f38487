//! `bold360`: the Bold360 API from the command line.
//!
//! Configuration comes from the environment (`BOLD360_ACCOUNT_ID`, `BOLD360_API_SETTING_ID`,
//! `BOLD360_API_KEY`, `BOLD360_REGION`, `BOLD360_ENDPOINT`, `BOLD360_API_VERSION`).
//! Exit codes: [`exit::CODES`].

use bold360_cli::{
    call, entry, exit, explore, export, logging, methods, relay, sandbox, send_trigger, spec, tap,
    verify,
};

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bold360",
    version,
    about = "Call, export and test the Bold360 REST API",
    after_help = top_level_help()
)]
struct Cli {
    /// Log to stderr: -v each call and retry, -vv the limiter too, -vvv every crate.
    /// `RUST_LOG` (e.g. `RUST_LOG=bold360_sdk=trace`) overrides it. Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the API's methods, or show one: parameters, types, versions, paging, read/write.
    #[command(after_help = "Examples:\n  bold360 methods\n  bold360 methods getInactiveChats")]
    Methods {
        /// A method name (or one of its aliases).
        method: Option<String>,
    },
    /// Call one method and print the response JSON on stdout.
    #[command(
        after_help = "Examples:\n  bold360 call getChat ChatID=9007199254740993\n  bold360 call getAllChatMessages FromDate=2024-05-01T00:00:00Z --api v2"
    )]
    Call {
        /// The method, e.g. getChat.
        method: String,
        /// Parameters as Name=Value.
        params: Vec<String>,
        /// The API version (default: BOLD360_API_VERSION, else v1).
        #[arg(long, value_parser = ["v1", "v2"])]
        api: Option<String>,
        /// Exit 0 even when a method that does not page answers Truncated (otherwise exit 5).
        #[arg(long)]
        accept_truncated: bool,
        /// For a method the manifest does not list: read (retried on transient failures) or
        /// write (never sent twice). Default: read for get… names, else write.
        #[arg(long, value_parser = ["read", "write"])]
        kind: Option<String>,
        /// Give up on a request after this many seconds (default 60).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// Send the method and parameter names as given, even where the manifest knows none
        /// such (a near-miss method name, a parameter the method does not document). Values
        /// of documented parameters are still checked.
        #[arg(long)]
        raw: bool,
    },
    /// Export every record of a paged or list method to JSON Lines, resumably.
    #[command(
        after_help = "One record per line, exactly as the server sent it. A checkpoint (<FILE>.checkpoint) is \
written after each page is on disk; after an interruption, the same command with --resume continues with no gap \
and no duplicate.\n\nExamples:\n  bold360 export getAllChatMessages FromDate=2024-05-01T00:00:00Z --api v2 --out messages.jsonl\n  \
bold360 export getAllChatMessages FromDate=2024-05-01T00:00:00Z --api v2 --out messages.jsonl --resume"
    )]
    Export {
        /// The method, e.g. getInactiveChats.
        method: String,
        /// Parameters as Name=Value (filters are sent with every page).
        params: Vec<String>,
        /// Where to write the records.
        #[arg(long)]
        out: PathBuf,
        /// The API version (default: BOLD360_API_VERSION, else v1).
        #[arg(long, value_parser = ["v1", "v2"])]
        api: Option<String>,
        /// Continue an interrupted export from its checkpoint.
        #[arg(long)]
        resume: bool,
        /// Exit 0 even when a method that does not page answers Truncated (otherwise exit 5).
        #[arg(long)]
        accept_truncated: bool,
        /// Give up on a request after this many seconds (default 60).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
    },
    /// Run the local sandbox and print its URL and credentials.
    #[command(
        after_help = "The printed variables point the SDK and this tool at the sandbox; its key is a \
throwaway made at start.\n\nExamples:\n  bold360 sandbox\n  bold360 sandbox --port 0 --no-limits\n  bold360 sandbox --latency 150ms"
    )]
    Sandbox {
        /// The loopback port (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Do not enforce the account limits.
        #[arg(long)]
        no_limits: bool,
        /// How many closed chats to seed (three messages each).
        #[arg(long, default_value_t = bold360_sdk::sandbox::DEFAULT_CHATS)]
        chats: u32,
        /// Time added to every response, as a distant server's round trip: `150ms`, `0.3s`.
        #[arg(long, value_parser = sandbox::parse_latency, default_value = "0ms")]
        latency: std::time::Duration,
        /// When the seeded chats start (RFC 3339), the same on every run; default: they end
        /// about an hour before the sandbox starts, so "the last day" finds records.
        #[arg(long, value_name = "TIME")]
        data_start: Option<bold360_sdk::chrono::DateTime<bold360_sdk::chrono::Utc>>,
        /// Minutes between seeded chats (3 to 1440): fewer make each day hold more messages.
        #[arg(long, value_name = "MINUTES", default_value_t = 37,
              value_parser = clap::value_parser!(u32).range(3..=1440))]
        chat_minutes: u32,
        #[command(flatten)]
        triggers: sandbox::TriggerArgs,
    },
    /// Run the Singer tap (the same program as `tap-bold360`).
    #[command(
        after_help = "Singer messages (SCHEMA, RECORD, STATE) on stdout, for any Singer target.\n\nExamples:\n  \
bold360 tap --about --format markdown\n  bold360 tap --config config.json --discover > catalog.json\n  \
bold360 tap --config config.json --catalog catalog.json --state state.json | target-csv"
    )]
    Tap {
        #[command(flatten)]
        args: tap::TapArgs,
    },
    /// Explore every method in your browser, through a local proxy that keeps the key.
    #[command(
        after_help = "Serves an interactive explorer (Swagger UI, embedded: nothing is loaded from the \
internet) on 127.0.0.1. \"Try it out\" calls go to a local proxy that signs them with your \
credentials and sends them through the SDK (limits, retries, paging guards); the browser never \
sees the key or a token. With no BOLD360_* credentials set it starts the sandbox and explores \
that. Requests addressed to another host name or from another site are refused (403).\n\n\
Examples:\n  bold360 explore --open\n  bold360 explore --port 8361"
    )]
    Explore {
        /// The loopback port (0 picks a free one).
        #[arg(long, default_value_t = 8361)]
        port: u16,
        /// Open the page in a browser (the command in BROWSER, else the desktop's opener).
        #[arg(long)]
        open: bool,
    },
    /// Print the API as an OpenAPI 3.1 document or a Postman collection that signs requests.
    #[command(
        after_help = "Both are generated from the manifest this binary ships. In Postman: Import the \
collection, then set the variables accountId, apiSettingId and apiKey (and baseUrl for EMEA or \
the sandbox); every request is signed by the collection's script.\n\nExamples:\n  \
bold360 spec openapi --out bold360.openapi.json\n  bold360 spec postman --out bold360.postman_collection.json"
    )]
    Spec {
        /// `openapi` or `postman`.
        #[arg(value_enum)]
        format: spec::Format,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Receive Bold360's triggers, keep every one, deliver each to your system with retries.
    #[command(
        after_help = "Triggers to <public-url>/<name> (chat-closed, chat-started, chat-answered, chat-unavailable, chat-message-added, agent-status-changed, and any --route) are verified (key from BOLD360_TRIGGER_KEY, else BOLD360_API_KEY), committed to the inbox, then acknowledged. Each event goes to --forward (JSON, Standard Webhooks headers, secret from --forward-secret or BOLD360_RELAY_SECRET) or --exec (stdin), at least once, in order per chat, retried with backoff; after --max-attempts it is a dead letter. --write-back sets chat fields from the answer with updateChat. Every --reconcile-every seconds, closed chats no trigger announced become events too (BOLD360_* credentials needed for both).

Examples:
  bold360 relay --public-url https://hooks.example.com/bold360 --forward http://127.0.0.1:9000/events \
    --write-back CustomFields.TicketID=/ticket_id
  bold360 relay --inbox postgres://relay@db/relay --exec ./on-event.sh
  bold360 relay status
  bold360 relay dead-letters
  bold360 relay replay evt_0123456789abcdef0123456789abcdef"
    )]
    Relay {
        #[command(flatten)]
        args: relay::RelayArgs,
    },
    /// Sign a trigger as Bold360 does and POST it (or print it): try a receiver without an account.
    #[command(
        after_help = "The key is BOLD360_TRIGGER_KEY, else BOLD360_API_KEY; every field given is signed, in the \
order given, for exactly --url.\n\nExamples:\n  \
bold360 send-trigger --url http://127.0.0.1:8362/chat-closed ChatID=42 \"ChatName=D'Arcy\" Ended=2024-05-01T10:00:00Z\n  \
bold360 send-trigger --url https://hooks.example.com/chat-closed ChatID=42 --print > body.txt"
    )]
    SendTrigger {
        /// The trigger URL (as it would be configured in Bold360).
        #[arg(long)]
        url: String,
        /// Fields as Name=Value.
        fields: Vec<String>,
        /// Print the signed form body instead of sending it.
        #[arg(long)]
        print: bool,
    },
    /// Verify a trigger's signature (key from BOLD360_TRIGGER_KEY, else BOLD360_API_KEY).
    #[command(
        after_help = "The body (JSON or form-encoded) is read from --body, else stdin. Exit 0 when valid, 1 when \
not, with the reason.\n\nExample:\n  bold360 verify-trigger --url https://hooks.example.com/chat-closed --body request.txt"
    )]
    VerifyTrigger {
        /// The trigger URL as configured in Bold360, query included.
        #[arg(long)]
        url: String,
        /// A file holding the request body (default: stdin).
        #[arg(long)]
        body: Option<PathBuf>,
    },
}

/// What `bold360 --help` prints after the subcommands (the exit codes from [`exit::CODES`]).
fn top_level_help() -> String {
    format!(
        "Configuration: BOLD360_ACCOUNT_ID, BOLD360_API_SETTING_ID, BOLD360_API_KEY, \
BOLD360_REGION (us|emea), BOLD360_ENDPOINT (a base URL), BOLD360_API_VERSION (v1|v2), \
BOLD360_LIMITER_URL (redis://…: one budget for every process on the account).\n\
{}\n\
Logging: -v/-vv/-vvv, or RUST_LOG (e.g. RUST_LOG=bold360_sdk=debug), to stderr.\n\n\
Try it offline:\n  bold360 sandbox --port 8080        (prints the variables to set)\n  bold360 call getOperators",
        exit::summary()
    )
}

fn main() -> ExitCode {
    let cli = match entry::parse::<Cli>() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    logging::install(cli.verbose);
    entry::run("bold360", async {
        match cli.command {
            Command::Methods { method } => methods::run(method.as_deref()),
            Command::Call {
                method,
                params,
                api,
                accept_truncated,
                kind,
                timeout,
                raw,
            } => {
                let options = call::Options {
                    api: api.as_deref(),
                    accept_truncated,
                    kind: kind.as_deref(),
                    timeout,
                    raw,
                };
                call::run(&method, &params, options).await
            }
            Command::Export {
                method,
                params,
                out,
                api,
                resume,
                accept_truncated,
                timeout,
            } => {
                let options = export::Options {
                    api: api.as_deref(),
                    resume,
                    accept_truncated,
                    timeout,
                };
                // Ctrl-C: the checkpoint is on disk after every page, so stopping anywhere
                // is safe; say how to go on.
                tokio::select! {
                    done = export::run(&method, &params, &out, options) => done,
                    _ = tokio::signal::ctrl_c() => Err(bold360_cli::fail::Failure {
                        code: 130,
                        message: format!(
                            "interrupted; the records up to the last checkpoint are in {}: run the same command with --resume to continue with no gap and no duplicate",
                            out.display()
                        ),
                    }),
                }
            }
            Command::Sandbox {
                port,
                no_limits,
                chats,
                latency,
                data_start,
                chat_minutes,
                triggers,
            } => {
                let data = sandbox::Data {
                    chats,
                    chat_minutes,
                    start: data_start,
                };
                sandbox::run(port, no_limits, data, latency, triggers).await
            }
            Command::Tap { args } => tap::run(args).await,
            Command::Explore { port, open } => explore::run(port, open).await,
            Command::Spec { format, out } => spec::run(format, out.as_deref()),
            Command::VerifyTrigger { url, body } => verify::run(&url, body.as_deref()),
            Command::Relay { args } => relay::run(args).await,
            Command::SendTrigger { url, fields, print } => {
                send_trigger::run(&url, &fields, print).await
            }
        }
    })
}
