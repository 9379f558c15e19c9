//! The HTTP edge: routes, thin handlers, per-route body limits, CORS for the widget
//! routes, request ids, tracing (path templates only: no ids, no bodies) and
//! compression. `app` builds the router; `serve` runs it with the background workers.

mod admin;
mod cors;
mod extract;
mod host;
mod media;
mod pages;
mod widget;

use std::future::Future;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::error::{Error, InternalDetail};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service but the demo host (which needs the bound address: see `serve`).
pub fn app(state: AppState) -> Router {
    // OPTIONS answers preflights; `cors::widget_cors` adds the headers or refuses.
    let widget_api = Router::new()
        .route(
            "/api/v1/widget/sessions/{session_id}",
            get(widget::bootstrap).options(cors::preflight),
        )
        .route(
            "/api/v1/widget/sessions/{session_id}/captures/{capture_id}",
            put(widget::capture).options(cors::preflight),
        )
        .route(
            "/api/v1/widget/sessions/{session_id}/events",
            post(widget::event).options(cors::preflight),
        )
        .route(
            "/api/v1/widget/sessions/{session_id}/finish",
            post(widget::finish).options(cors::preflight),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            cors::widget_cors,
        ));

    let host_api = Router::new()
        .route("/api/v1/flows/session/create/", post(host::create_session))
        .route(
            "/api/v1/flows/session/result/light/",
            get(host::result_light),
        )
        .route("/api/v1/flows/session/result/", get(host::result_full))
        .route(
            "/api/v1/flows/session/review/start/",
            post(host::review_start),
        )
        .route("/api/v1/flows/session/status/", post(host::status))
        .route(
            "/api/v1/flows/session/reviews/",
            get(host::reviews).post(host::post_review),
        )
        .route("/api/v1/admin/flows", post(admin::create_flow))
        .route("/api/v1/media/{token}", get(media::get));

    Router::new()
        .merge(widget_api)
        .merge(host_api)
        .merge(pages::routes(&state))
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .with_state(state)
        .layer(middleware::from_fn(log_internal_errors))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The route template, never the raw path: it would carry session ids.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("-", MatchedPath::as_str)
                .to_owned();
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_owned();
            tracing::info_span!("request", method = %req.method(), %route, request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Writes the detail of a 5xx to the log (the client got a generic body), inside the
/// request's span so that the request id goes with it.
async fn log_internal_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if let Some(InternalDetail(detail)) = response.extensions().get::<InternalDetail>() {
        tracing::error!(%detail, "internal error");
    }
    response
}

/// Serves until `shutdown` resolves, with the webhook worker and the sweeper; mounts
/// the demo host when the configuration asks for it.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> crate::Result<()> {
    let addr = listener.local_addr()?;
    let mut router = app(state.clone());
    if state.config.demo {
        let host = crate::demo::DemoHost::start(&state, addr).await?;
        router = router.merge(crate::demo::routes(host));
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let webhooks = tokio::spawn(crate::domain::webhooks::run(state.clone(), stop_rx.clone()));
    let sweeper = tokio::spawn(crate::domain::retention::run(state.clone(), stop_rx));
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    let _ = webhooks.await;
    let _ = sweeper.await;
    served?;
    Ok(())
}

/// The CSP header of the server's own pages.
pub fn page_csp() -> HeaderValue {
    HeaderValue::from_static(pages::PAGE_CSP)
}

/// A header value from trusted text (never fails for the ASCII we pass).
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Static text with its content type (the server's own page assets).
pub fn text(content_type: &'static str, body: &'static str) -> Response {
    ([(axum::http::header::CONTENT_TYPE, content_type)], body).into_response()
}
