// Shared by the HTTP targets: one runtime, a request built from fuzz bytes, and the body read
// back. Included with `include!` (each target is its own crate).

/// A folder for files a target writes: in memory (`/dev/shm`) where the machine has it.
#[allow(dead_code)]
fn scratch(name: &str) -> std::path::PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("bold360-fuzz-{name}-{}", std::process::id()))
}

#[allow(dead_code)]
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

/// An HTTP request from fuzz bytes: a method, then lines `target`, `header: value`…, an empty
/// line and the body (what is not valid is replaced, so every input is some request).
#[allow(dead_code)]
fn request_from(data: &[u8], default_host: &str) -> Option<axum::http::Request<axum::body::Body>> {
    let (&method, rest) = data.split_first()?;
    let method =
        ["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"][usize::from(method) % 7];
    let text = String::from_utf8_lossy(rest);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let target = lines.next().unwrap_or("/");
    let uri: axum::http::Uri = target.parse().ok()?;
    let mut builder = axum::http::Request::builder().method(method).uri(uri);
    let mut host = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.trim().as_bytes()),
            axum::http::HeaderValue::from_str(value.trim()),
        ) else {
            continue;
        };
        host |= name == axum::http::header::HOST;
        builder = builder.header(name, value);
    }
    if !host {
        builder = builder.header(axum::http::header::HOST, default_host);
    }
    builder.body(axum::body::Body::from(body.to_owned())).ok()
}

/// Sends a request to a router; the status and the body.
#[allow(dead_code)]
async fn send(
    router: &axum::Router,
    request: axum::http::Request<axum::body::Body>,
) -> (u16, Vec<u8>) {
    use tower::ServiceExt;
    let response = router
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body the server wrote can be read");
    (status, body.to_vec())
}
