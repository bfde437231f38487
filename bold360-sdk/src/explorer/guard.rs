//! What every explorer route checks first: the request is addressed to this server's own
//! loopback address (`Host`), and comes from no other site (`Origin`). Anything else is
//! answered 403 before a handler runs, the page included: a page read through a rebound DNS
//! name would hand out its token.

use std::net::SocketAddr;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The `Host` values that name a server on `addr`: its IP and port, and `localhost` with the
/// port when it is a loopback address.
pub fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![match addr {
        SocketAddr::V4(a) => format!("{}:{port}", a.ip()),
        SocketAddr::V6(a) => format!("[{}]:{port}", a.ip()),
    }];
    if addr.ip().is_loopback() {
        hosts.push(format!("localhost:{port}"));
    }
    hosts
}

/// Why a request is refused, or `None` when it may be served.
pub fn refusal(addr: SocketAddr, headers: &HeaderMap) -> Option<String> {
    let hosts = allowed_hosts(addr);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match host {
        Some(h) if hosts.iter().any(|a| a.eq_ignore_ascii_case(h)) => {}
        Some(h) => {
            return Some(format!(
                "Host {h:?} is not this server ({})",
                hosts.join(" or ")
            ))
        }
        None => return Some("a request without Host".to_owned()),
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        if !hosts
            .iter()
            .any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")))
        {
            return Some(format!("Origin {origin:?} is another site"));
        }
    }
    None
}

/// The middleware: 403 with the reason, or the handler's answer with headers that keep the
/// page to itself (no framing, no referrer, no caching, scripts only from this server).
pub async fn check(addr: SocketAddr, request: Request, next: Next) -> Response {
    if let Some(reason) = refusal(addr, request.headers()) {
        tracing::warn!(target: "bold360_sdk::explorer", %reason, "explorer request refused");
        return (StatusCode::FORBIDDEN, format!("403 Forbidden: {reason}\n")).into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: Option<&str>, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = host {
            h.insert(header::HOST, v.parse().unwrap());
        }
        if let Some(v) = origin {
            h.insert(header::ORIGIN, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_the_servers_own_name_and_origin_pass() {
        let addr: SocketAddr = "127.0.0.1:8361".parse().unwrap();
        assert_eq!(refusal(addr, &headers(Some("127.0.0.1:8361"), None)), None);
        assert_eq!(
            refusal(
                addr,
                &headers(Some("LOCALHOST:8361"), Some("http://localhost:8361"))
            ),
            None
        );
        assert_eq!(
            refusal(
                addr,
                &headers(Some("127.0.0.1:8361"), Some("http://127.0.0.1:8361"))
            ),
            None
        );
        for (host, origin) in [
            (Some("evil.example:8361"), None),
            (Some("127.0.0.1:8362"), None),
            (Some("127.0.0.1"), None),
            (None, None),
            (Some("127.0.0.1:8361"), Some("http://evil.example")),
            (Some("127.0.0.1:8361"), Some("http://127.0.0.1:8362")),
            (Some("127.0.0.1:8361"), Some("https://127.0.0.1:8361")),
            (Some("127.0.0.1:8361"), Some("null")),
        ] {
            assert!(
                refusal(addr, &headers(host, origin)).is_some(),
                "{host:?} {origin:?}"
            );
        }
        let v6: SocketAddr = "[::1]:9000".parse().unwrap();
        assert_eq!(allowed_hosts(v6), ["[::1]:9000", "localhost:9000"]);
        let public: SocketAddr = "192.0.2.1:80".parse().unwrap();
        assert_eq!(allowed_hosts(public), ["192.0.2.1:80"]);
    }
}
