//! Host backend → server: the platform's REST contract. Each handler checks the key,
//! hands over to the domain, and shapes the answer.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use flow_protocol::{
    CreateSessionRequest, CreateSessionResponse, ResultDocument, Review, ReviewList,
    ReviewPostRequest, ReviewStartRequest, SessionStatusResponse, StatusUpdateRequest,
};

use super::extract::{key_header, parse_json, public_base, query_param, SmallBody};
use crate::domain::results::{self, ImageMode};
use crate::domain::{flows, sessions};
use crate::error::Result;
use crate::state::AppState;
use crate::store::FlowRow;

/// `POST /api/v1/flows/session/create/` (the key is the body's `api_key`).
pub async fn create_session(
    State(state): State<AppState>,
    SmallBody(body): SmallBody,
) -> Result<Json<CreateSessionResponse>> {
    let req: CreateSessionRequest = parse_json(&body)?;
    let flow = flows::authenticate(&state.store, req.api_key.as_deref()).await?;
    Ok(Json(
        sessions::create(&state, &flow, req.vendor_data, req.locale).await?,
    ))
}

/// The key of a result call: the header, else the `flow_api_key` query parameter.
async fn result_flow(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<FlowRow> {
    let from_query = query_param(query, "flow_api_key");
    let key = key_header(headers).or(from_query.as_deref());
    flows::authenticate(&state.store, key).await
}

async fn result(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    inline: bool,
) -> Result<Json<ResultDocument>> {
    let flow = result_flow(state, headers, query).await?;
    let session_id = query_param(query, "session_id");
    let session = sessions::load_for_host(state, &flow, session_id.as_deref()).await?;
    let base = public_base(state, headers);
    let mode = if inline {
        ImageMode::Inline
    } else {
        ImageMode::Links { base: &base }
    };
    Ok(Json(results::document(state, &flow, &session, mode).await?))
}

/// `GET /api/v1/flows/session/result/light/`: images as signed links.
pub async fn result_light(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<ResultDocument>> {
    result(&state, &headers, query.as_deref(), false).await
}

/// `GET /api/v1/flows/session/result/`: images inline.
pub async fn result_full(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<ResultDocument>> {
    result(&state, &headers, query.as_deref(), true).await
}

async fn header_flow(state: &AppState, headers: &HeaderMap) -> Result<FlowRow> {
    flows::authenticate(&state.store, key_header(headers)).await
}

/// `POST /api/v1/flows/session/review/start/`.
pub async fn review_start(
    State(state): State<AppState>,
    headers: HeaderMap,
    SmallBody(body): SmallBody,
) -> Result<Json<SessionStatusResponse>> {
    let flow = header_flow(&state, &headers).await?;
    let req: ReviewStartRequest = parse_json(&body)?;
    Ok(Json(
        sessions::start_review(&state, &flow, Some(&req.session_id)).await?,
    ))
}

/// `POST /api/v1/flows/session/status/`.
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    SmallBody(body): SmallBody,
) -> Result<Json<SessionStatusResponse>> {
    let flow = header_flow(&state, &headers).await?;
    let req: StatusUpdateRequest = parse_json(&body)?;
    Ok(Json(
        sessions::decide(
            &state,
            &flow,
            Some(&req.session_id),
            &req.status,
            req.content,
        )
        .await?,
    ))
}

/// `GET /api/v1/flows/session/reviews/`.
pub async fn reviews(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<ReviewList>> {
    let flow = header_flow(&state, &headers).await?;
    let session_id = query_param(query.as_deref(), "session_id");
    Ok(Json(
        sessions::reviews(&state, &flow, session_id.as_deref()).await?,
    ))
}

/// `POST /api/v1/flows/session/reviews/`.
pub async fn post_review(
    State(state): State<AppState>,
    headers: HeaderMap,
    SmallBody(body): SmallBody,
) -> Result<(StatusCode, Json<Review>)> {
    let flow = header_flow(&state, &headers).await?;
    let req: ReviewPostRequest = parse_json(&body)?;
    let review = sessions::post_review(&state, &flow, Some(&req.session_id), req.text).await?;
    Ok((StatusCode::CREATED, Json(review)))
}
