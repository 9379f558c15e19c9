//! Hosted pages (Flow Remote and Flow Webview modes), their assets, and the built
//! widget under `/widget/`. The pages are strict-CSP friendly: no inline script or
//! style; their code is `/assets/flow-page.js`, served here.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use flow_protocol::Status;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use super::extract::query_param;
use super::text;
use crate::domain::sessions;
use crate::error::Error;
use crate::state::AppState;

/// The CSP of the server's own pages (the widget needs `wasm-unsafe-eval` and the
/// camera's `blob:`/`mediastream:` sources, nothing inline).
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; \
     media-src blob: mediastream:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'";

pub fn routes(state: &AppState) -> Router<AppState> {
    let widget = ServeDir::new(&state.config.widget_dir);
    Router::new()
        .route("/flow/{session_id}", get(flow_page))
        .route("/flow/{session_id}/done", get(done))
        .route("/finished", get(finished))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/assets/flow-page.js",
            get(|| async {
                text(
                    "text/javascript; charset=utf-8",
                    include_str!("../../assets/flow-page.js"),
                )
            }),
        )
        .route(
            "/assets/pages.css",
            get(|| async {
                text(
                    "text/css; charset=utf-8",
                    include_str!("../../assets/pages.css"),
                )
            }),
        )
        .nest_service(
            "/widget",
            tower::ServiceBuilder::new()
                // Host pages on other origins load the widget as a module script and
                // fetch its .wasm: both are CORS requests.
                .layer(SetResponseHeaderLayer::overriding(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::HeaderName::from_static("cross-origin-resource-policy"),
                    HeaderValue::from_static("cross-origin"),
                ))
                .service(widget),
        )
}

/// A page of ours, with the CSP and no caching of per-session content.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"/assets/pages.css\">\n</head>\n\
         <body>\n<main class=\"page\">\n{body}\n</main>\n</body>\n</html>\n",
        escape(title)
    );
    with_csp((status, Html(html)).into_response())
}

fn with_csp(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

pub fn escape(text: &str) -> String {
    text.chars()
        .fold(String::with_capacity(text.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
            out
        })
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        "<h1>Verification not found</h1>\n<p>This link is not valid. Ask for a new one.</p>",
    )
}

/// `GET /flow/{session_id}[?locale=xx][&web_view=true]`.
async fn flow_page(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (session, flow) = match sessions::load_for_widget(&state, &session_id).await {
        Ok(found) => found,
        Err(Error::SessionNotFound) => return not_found(),
        Err(err) => return err.into_response(),
    };
    let locale = query_param(query.as_deref(), "locale")
        .filter(|l| l.len() <= 35 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .unwrap_or_default();
    let web_view = query_param(query.as_deref(), "web_view").is_some_and(|v| v == "true");
    let title = flow
        .config
        .display_name
        .clone()
        .unwrap_or_else(|| "Identity verification".to_owned());
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/assets/pages.css\">\n\
         <script type=\"module\" src=\"/widget/flow-widget.js\"></script>\n\
         <script type=\"module\" src=\"/assets/flow-page.js\"></script>\n</head>\n<body>\n\
         <main class=\"flow\">\n<div id=\"flow-widget\" data-session-id=\"{id}\" \
         data-locale=\"{locale}\" data-web-view=\"{web_view}\"></div>\n\
         <p id=\"flow-page-error\" class=\"error\" hidden></p>\n\
         <noscript><p>This verification needs JavaScript.</p></noscript>\n</main>\n</body>\n</html>\n",
        title = escape(&title),
        id = session.id,
        locale = escape(&locale),
    );
    with_csp(Html(html).into_response())
}

/// `GET /flow/{session_id}/done` → 302 to the flow's success or failure URL with
/// `?outcome=`; a hint for the user's browser, never proof (the host reads the result).
async fn done(State(state): State<AppState>, Path(session_id): Path<String>) -> Response {
    let (session, flow) = match sessions::load_for_widget(&state, &session_id).await {
        Ok(found) => found,
        Err(Error::SessionNotFound) => return not_found(),
        Err(err) => return err.into_response(),
    };
    let outcome = match session.finish_status {
        Some(Status::Finished) => "success",
        Some(_) => "failure",
        None => {
            return page(
                StatusCode::CONFLICT,
                "Not finished",
                "<h1>Not finished yet</h1>\n<p>Go back and complete the verification.</p>",
            )
        }
    };
    let target = if outcome == "success" {
        &flow.config.success_redirect_url
    } else {
        &flow.config.failure_redirect_url
    };
    let location = match target.as_deref().map(url::Url::parse) {
        Some(Ok(mut url)) => {
            url.query_pairs_mut().append_pair("outcome", outcome);
            url.to_string()
        }
        _ => format!("/finished?outcome={outcome}"),
    };
    let mut response = Redirect::to(&location).into_response();
    *response.status_mut() = StatusCode::FOUND;
    response
}

/// `GET /finished`: the plain page native apps watch for.
async fn finished() -> Response {
    page(
        StatusCode::OK,
        "Verification finished",
        "<h1>Verification finished</h1>\n<p>You can close this window.</p>",
    )
}
