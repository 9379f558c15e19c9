//! The operator's HTTP door: flow creation behind `FLOW_OPERATOR_KEY`. Without that
//! variable the route answers 404, as if it did not exist.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use flow_protocol::{FlowConfig, FlowCreated};
use sha2::{Digest, Sha256};

use super::extract::{parse_json, SmallBody};
use crate::domain::flows;
use crate::error::{Error, Result};
use crate::state::AppState;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateFlow {
    technologies: Vec<String>,
    #[serde(default)]
    config: Option<serde_json::Value>,
}

/// `POST /api/v1/admin/flows` → `201 {"id", "api_key"}`.
pub async fn create_flow(
    State(state): State<AppState>,
    headers: HeaderMap,
    SmallBody(body): SmallBody,
) -> Result<(StatusCode, Json<FlowCreated>)> {
    let expected = state
        .config
        .operator_key
        .as_deref()
        .ok_or(Error::NotFound)?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(given, expected) {
        return Err(Error::InvalidOperatorKey);
    }
    let req: CreateFlow = parse_json(&body)?;
    let config: FlowConfig = match req.config {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| Error::InvalidConfig(format!("config: {e}")))?,
        None => FlowConfig::default(),
    };
    let created = flows::create_flow(
        &state.store,
        state.clock.as_ref(),
        &req.technologies,
        config,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Compares digests in constant time, so the key's length and prefix do not leak.
fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
