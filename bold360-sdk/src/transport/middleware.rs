//! [`HttpTransport`] over `reqwest_middleware::ClientWithMiddleware` (feature
//! `reqwest-middleware`): your own tracing, auth or caching layers around every request the
//! SDK sends. Leave retries to the SDK (its policy knows which methods are safe to resend and
//! tells the rate limiter about refusals); a retry middleware would resend writes.

use futures_util::future::BoxFuture;

use super::reqwest_client::from_reqwest;
use super::{HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind};

impl HttpTransport for reqwest_middleware::ClientWithMiddleware {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let timeout = request.timeout();
        let pending = self.get(request.into_url()).timeout(timeout).send();
        Box::pin(async move {
            match pending.await {
                Ok(response) => Ok(from_reqwest(response)),
                Err(reqwest_middleware::Error::Reqwest(err)) => Err(TransportError::from(err)),
                Err(reqwest_middleware::Error::Middleware(err)) => {
                    let err: Box<dyn std::error::Error + Send + Sync> = err.into();
                    Err(TransportError::new(TransportErrorKind::Other, err))
                }
            }
        })
    }
}
