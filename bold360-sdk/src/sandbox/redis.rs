//! A throwaway `redis-server` for testing the shared limiter offline (features `sandbox` and
//! `redis`): a real server on a free loopback port, persistence off, stopped when dropped.

use std::io;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The variable that names the `redis-server` binary when it is not on `PATH`.
pub const REDIS_SERVER_VAR: &str = "BOLD360_REDIS_SERVER";

/// A `redis-server` process of its own, on a free loopback port. Stops when dropped.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use bold360_sdk::sandbox::{LocalRedis, Sandbox};
/// let redis = LocalRedis::start().await?;
/// let sandbox = Sandbox::start().await?;
/// let client = sandbox.client_builder().shared_limiter(redis.url()).build().unwrap();
/// # let _ = client; Ok(()) }
/// ```
#[derive(Debug)]
pub struct LocalRedis {
    child: Child,
    port: u16,
}

impl LocalRedis {
    /// Starts `redis-server` (from `BOLD360_REDIS_SERVER`, else `PATH`) and waits until it
    /// answers `PING`. A missing binary is an error that says how to install one.
    pub async fn start() -> io::Result<Self> {
        let binary = std::env::var(REDIS_SERVER_VAR).unwrap_or_else(|_| "redis-server".into());
        let mut last = None;
        for _ in 0..5 {
            let port = free_port()?;
            let child = Command::new(&binary)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .args(["--protected-mode", "yes", "--loglevel", "warning"])
                .arg("--dir")
                .arg(std::env::temp_dir())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!(
                            "cannot start {binary:?} ({e}): install Redis (Debian: apt-get install \
                             redis-server) or point {REDIS_SERVER_VAR} at its redis-server"
                        ),
                    )
                })?;
            let mut server = Self { child, port };
            match server.wait_ready().await {
                Ok(()) => return Ok(server),
                // The port may have been taken between the probe and the start: try another.
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    async fn wait_ready(&mut self) -> io::Result<()> {
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait()? {
                return Err(io::Error::other(format!("redis-server exited: {status}")));
            }
            if ping(self.port).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "redis-server did not answer PING within 5 s",
        ))
    }
}

impl Drop for LocalRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn ping(port: u16) -> io::Result<()> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.write_all(b"PING\r\n").await?;
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).await?;
    if &reply == b"+PONG\r\n" {
        Ok(())
    } else {
        Err(io::Error::other("unexpected reply to PING"))
    }
}
