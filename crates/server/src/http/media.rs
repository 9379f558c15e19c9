//! `GET /api/v1/media/{token}`: a capture's stored copy, for a valid signed link only.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};
use crate::state::AppState;

pub async fn get(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let (session, capture) = state.media_key.verify(&token, state.clock.now())?;
    let row = state
        .store
        .capture(&session, &capture)
        .await?
        .ok_or(Error::MediaNotFound)?;
    let key = row.object_key.ok_or(Error::MediaNotFound)?;
    let bytes = state.blobs.get(&key).await?.ok_or(Error::MediaNotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}
