//! Widget → server. The session id in the path is the only credential.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flow_protocol::{Bootstrap, CaptureResponse, FinishResponse, WidgetEvent};

use super::extract::{content_length, parse_json, read_limited, SmallBody};
use crate::domain::{capture, sessions};
use crate::error::{Error, Result};
use crate::state::AppState;

/// `GET /api/v1/widget/sessions/{session_id}`.
pub async fn bootstrap(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
) -> Result<Json<Bootstrap>> {
    Ok(Json(sessions::bootstrap(&state, &session_id).await?))
}

/// `PUT /api/v1/widget/sessions/{session_id}/captures/{capture_id}`: the session and
/// the meta header are checked, then the declared size, and only then is the body read
/// (and cut off at the limit, whatever it declared).
pub async fn capture(
    State(state): State<AppState>,
    Path((session_id, capture_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match upload(&state, &session_id, &capture_id, &headers, body).await {
        Ok(answer) => answer.into_response(),
        // Refused, possibly before the body was read: close the connection rather than
        // read the rest, so that the client does not reuse a half-read connection.
        Err(err) => {
            let mut response = err.into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

async fn upload(
    state: &AppState,
    session_id: &str,
    capture_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<CaptureResponse>)> {
    let meta = headers.get("x-capture-meta").map(|v| v.as_bytes());
    let ctx = capture::begin_upload(state, session_id, capture_id, meta).await?;
    let limit = state.config.limits.max_capture_bytes;
    let bytes = read_limited(body, content_length(headers), limit).await?;
    if bytes.is_empty() {
        return Err(Error::UnsupportedImage("the body is empty".to_owned()));
    }
    let (created, response) = capture::finish_upload(state, ctx, bytes).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(response)))
}

/// `POST /api/v1/widget/sessions/{session_id}/events` → 204.
pub async fn event(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    SmallBody(body): SmallBody,
) -> Result<StatusCode> {
    let event: WidgetEvent = parse_json(&body)?;
    sessions::record_event(&state, &session_id, event).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/widget/sessions/{session_id}/finish`; the body (`{}`) carries nothing.
pub async fn finish(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    SmallBody(_body): SmallBody,
) -> Result<Json<FinishResponse>> {
    Ok(Json(sessions::finish(&state, &session_id).await?))
}
