//! The demo host: what an integrator's site would be, living in the same process only
//! for convenience. Its backend routes (`/kyc/start`, `/kyc/return`) call this server's
//! REST API over HTTP with the demo flow's key, exactly as a separate backend would;
//! the page (`/`) mounts the widget with the session id `/kyc/start` returned and, on
//! the widget's `finish`, shows what the backend decided from `result/light/`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use flow_protocol::{
    CreateSessionRequest, CreateSessionResponse, FlowConfig, FlowCreated, ResultDocument, Status,
};
use serde::Serialize;

use crate::domain::flows;
use crate::error::{Error, Result};
use crate::http::{page_csp, text};
use crate::state::AppState;

pub const DEMO_FLOW_FILE: &str = "demo-flow.json";
const COOKIE: &str = "demo_session";

/// The demo's backend: its API base, the flow key (read from `demo-flow.json`), and an
/// HTTP client, as an integrator's backend would hold them.
pub struct DemoHost {
    api_base: String,
    flow: FlowCreated,
    client: reqwest::Client,
}

impl DemoHost {
    /// Makes sure the demo flow exists, then points the demo backend at `addr`.
    pub async fn start(state: &AppState, addr: SocketAddr) -> Result<DemoHost> {
        let flow = ensure_flow(state).await?;
        let host = match addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
            ip if ip.is_unspecified() => "[::1]".to_owned(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            std::net::IpAddr::V4(ip) => ip.to_string(),
        };
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(Error::internal)?;
        Ok(DemoHost {
            api_base: format!("http://{host}:{}", addr.port()),
            flow,
            client,
        })
    }
}

/// Creates the demo flow unless `<data-dir>/demo-flow.json` names one that exists, and
/// writes `{"id","api_key"}` there (mode 0600).
pub async fn ensure_flow(state: &AppState) -> Result<FlowCreated> {
    let path = state.config.data_dir.join(DEMO_FLOW_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Ok(existing) = serde_json::from_str::<FlowCreated>(&text) {
            let valid = flows::authenticate(&state.store, Some(&existing.api_key))
                .await
                .is_ok_and(|f| f.id == existing.id);
            if valid {
                return Ok(existing);
            }
        }
        tracing::warn!(path = %path.display(), "demo flow file is stale; creating a new demo flow");
    }
    let config = FlowConfig {
        display_name: Some("Demo verification".to_owned()),
        allowed_origins: Some(
            flows::DEFAULT_ALLOWED_ORIGINS
                .iter()
                .map(|o| (*o).to_owned())
                .collect(),
        ),
        ..FlowConfig::default()
    };
    let technologies = ["MRZ".to_owned(), "DOCUMENT_RECOGNITION".to_owned()];
    let created =
        flows::create_flow(&state.store, state.clock.as_ref(), &technologies, config).await?;
    write_private(&path, &serde_json::to_vec_pretty(&created)?)?;
    tracing::info!(flow = %created.id, path = %path.display(), "demo flow created");
    Ok(created)
}

/// Writes a secret file readable by its owner only (via a temporary file and rename,
/// so a reader never sees half a file).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

pub fn routes(host: DemoHost) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/demo/demo.js",
            get(|| async {
                text(
                    "text/javascript; charset=utf-8",
                    include_str!("../../assets/demo.js"),
                )
            }),
        )
        .route("/kyc/start", post(start))
        .route("/kyc/return", post(finish))
        .with_state(Arc::new(host))
}

async fn index() -> Response {
    let mut response = Html(include_str!("../../assets/demo.html")).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, page_csp());
    response
}

#[derive(Serialize)]
struct Started {
    session_id: String,
}

/// `POST /kyc/start`: create a session for this visitor (server-side, with the key)
/// and remember it in the visitor's cookie.
async fn start(State(host): State<Arc<DemoHost>>) -> Result<Response> {
    let request = CreateSessionRequest {
        api_key: Some(host.flow.api_key.clone()),
        vendor_data: Some(format!("demo-user-{}", uuid::Uuid::new_v4().simple())),
        locale: None,
    };
    let response = host
        .client
        .post(format!("{}/api/v1/flows/session/create/", host.api_base))
        .json(&request)
        .send()
        .await
        .map_err(upstream)?;
    if !response.status().is_success() {
        return Err(Error::Internal(format!(
            "session create answered {}",
            response.status()
        )));
    }
    let created: CreateSessionResponse = response.json().await.map_err(upstream)?;
    let id = created.session_id.to_string();
    let cookie = format!("{COOKIE}={id}; Path=/kyc; HttpOnly; SameSite=Strict");
    let mut reply = Json(Started { session_id: id }).into_response();
    reply.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(Error::internal)?,
    );
    Ok(reply)
}

#[derive(Serialize)]
struct Decision {
    session_id: String,
    status: Status,
    overall_result: Option<bool>,
    /// The host's own decision: `approved`, `rejected` or `pending`.
    decision: &'static str,
    failure_reasons: Vec<String>,
}

/// `POST /kyc/return`: the widget said `finish` — a signal, not proof. Read the
/// verdict from `result/light/` (key in the query string, as the platform's
/// integrations do) and decide.
async fn finish(State(host): State<Arc<DemoHost>>, headers: HeaderMap) -> Result<Response> {
    let session_id = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            pair.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_owned)
        })
        .next()
        .ok_or_else(|| {
            Error::InvalidRequest("no verification was started in this browser".to_owned())
        })?;
    let response = host
        .client
        .get(format!(
            "{}/api/v1/flows/session/result/light/",
            host.api_base
        ))
        .query(&[
            ("session_id", session_id.as_str()),
            ("flow_api_key", host.flow.api_key.as_str()),
        ])
        .send()
        .await
        .map_err(upstream)?;
    if response.status() == StatusCode::NOT_FOUND {
        return Err(Error::SessionNotFound);
    }
    if !response.status().is_success() {
        return Err(Error::Internal(format!(
            "result/light answered {}",
            response.status()
        )));
    }
    let result: ResultDocument = response.json().await.map_err(upstream)?;
    let decision = match (result.status, result.overall_result) {
        (Status::Finished | Status::Approved, Some(true)) => "approved",
        (Status::Finished | Status::Failed | Status::Declined, _) => "rejected",
        _ => "pending",
    };
    Ok(Json(Decision {
        session_id,
        status: result.status,
        overall_result: result.overall_result,
        decision,
        failure_reasons: result
            .failure_reasons
            .iter()
            .map(|r| format!("{}: {} ({})", r.technology, r.kind, r.detail))
            .collect(),
    })
    .into_response())
}

fn upstream(err: reqwest::Error) -> Error {
    Error::Internal(format!("demo host → API: {err}"))
}
