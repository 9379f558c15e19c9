//! CORS for the widget routes, per flow: the session in the path names the flow, whose
//! `allowed_origins` decide. A disallowed `Origin` gets `403 origin_not_allowed` and no
//! CORS headers at all; requests without `Origin` (not from a browser, or same-origin
//! GETs) pass. tower-http's `CorsLayer` cannot refuse with a status, hence this layer.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::own_origin;
use super::header_value;
use crate::domain::flows::origin_allowed;
use crate::error::{Error, Result};
use crate::state::AppState;

const PREFIX: &str = "/api/v1/widget/sessions/";

/// `OPTIONS` on a widget route: the answer to a preflight (headers added by the layer).
pub async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

pub async fn widget_cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let own = own_origin(&state, req.headers());
    let path = req.uri().path().to_owned();
    match check(&state, origin, &own, &path).await {
        Ok(None) => next.run(req).await,
        Ok(Some(origin)) => {
            let preflight = req.method() == Method::OPTIONS
                && req
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
            let mut response = if preflight {
                let mut r = StatusCode::NO_CONTENT.into_response();
                let h = r.headers_mut();
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, PUT, POST"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type, x-capture-meta"),
                );
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                );
                r
            } else {
                next.run(req).await
            };
            let h = response.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.append(header::VARY, HeaderValue::from_static("Origin"));
            response
        }
        Err(err) => err.into_response(),
    }
}

/// `Ok(None)`: no `Origin`, nothing to do; `Ok(Some(origin))`: allowed, echo it.
async fn check(
    state: &AppState,
    origin: Option<HeaderValue>,
    own: &str,
    path: &str,
) -> Result<Option<HeaderValue>> {
    let Some(origin) = origin else {
        return Ok(None);
    };
    let text = origin.to_str().map_err(|_| Error::OriginNotAllowed)?;
    let session = path
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse().ok());
    let flow = match session {
        Some(id) => match state.store.session(&id).await? {
            Some(row) => state.store.flow(&row.flow_id).await?,
            None => None,
        },
        None => None,
    };
    // An unknown session has no flow: the defaults decide, so that the widget can read
    // the 404 from a development page.
    let patterns = flow
        .as_ref()
        .and_then(|f| f.config.allowed_origins.as_deref());
    if origin_allowed(text, patterns, Some(own)) {
        Ok(Some(header_value(text)))
    } else {
        Err(Error::OriginNotAllowed)
    }
}
