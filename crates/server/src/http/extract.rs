//! Request pieces read the same way by every handler: bounded bodies, JSON with the
//! spec's two error types, the flow key, the server's own origin.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::state::AppState;

/// A request body of at most `max_json_bytes`, read as bytes (413 `too_large` above).
pub struct SmallBody(pub Bytes);

impl FromRequest<AppState> for SmallBody {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self> {
        let limit = u64::try_from(state.config.limits.max_json_bytes).unwrap_or(u64::MAX);
        let declared = content_length(req.headers());
        read_limited(req.into_body(), declared, limit)
            .await
            .map(SmallBody)
    }
}

/// Reads a body, refusing it as soon as it passes `limit` bytes; a declared
/// `Content-Length` over the limit is refused before a byte is read.
pub async fn read_limited(
    body: axum::body::Body,
    declared: Option<u64>,
    limit: u64,
) -> Result<Bytes> {
    if declared.is_some_and(|n| n > limit) {
        return Err(Error::TooLarge { limit });
    }
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, limit_usize).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Error::TooLarge { limit })
        }
        Err(err) => Err(Error::InvalidRequest(format!(
            "the body could not be read: {err}"
        ))),
    }
}

/// The declared body length, if any.
pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// JSON → `T`: a syntax error is `invalid_json`, a well-formed body of the wrong shape
/// is `invalid_request`.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Error::InvalidRequest(e.to_string()),
        _ => Error::InvalidJson(e.to_string()),
    })
}

/// The flow key from `X-Flow-Api-Key`.
pub fn key_header(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("x-flow-api-key")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
}

/// Query parameters as pairs (the last of a repeated name wins).
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .last()
}

/// The server's own origin: `--public-url`, else the request's `Host` over http.
pub fn own_origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.origin().ascii_serialization();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| state.config.addr.to_string());
    format!("http://{host}")
}

/// The base of absolute links: `--public-url` (without trailing slash) or the origin.
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    match &state.config.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => own_origin(state, headers),
    }
}
