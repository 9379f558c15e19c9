//! Hosted pages, the widget's static files, and the JSON 404/405.

use flow_server::clock::MINUTE;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{assert_error, new_id, TestServer};

#[tokio::test]
async fn the_hosted_page_is_strict_csp_friendly() {
    let server = TestServer::start().await;
    let flow = server
        .flow(&["MRZ"], json!({"display_name": "Shop <KYC>"}))
        .await;
    let id = server.session(&flow).await;
    let page = server
        .client
        .get(server.url(&format!("/flow/{id}?locale=kz&web_view=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="/widget/flow-widget.js"></script>"#));
    assert!(html.contains(r#"<script type="module" src="/assets/flow-page.js"></script>"#));
    assert_eq!(html.matches("<script").count(), 2, "no inline script");
    assert!(!html.contains("style="), "no inline style");
    assert!(html.contains(&format!(r#"data-session-id="{id}""#)));
    assert!(html.contains(r#"data-locale="kz""#) && html.contains(r#"data-web-view="true""#));
    assert!(html.contains("Shop &lt;KYC&gt;"));

    let script = server
        .client
        .get(server.url("/assets/flow-page.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let js = script.text().await.unwrap();
    assert!(js.contains("FlowWidget.startSession({ id, selector: '#flow-widget', locale })"));
    assert!(js.contains("/finished") && js.contains("/done"));

    let missing = server
        .client
        .get(server.url(&format!("/flow/{}", new_id())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let finished = server
        .client
        .get(server.url("/finished"))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), StatusCode::OK);
    assert!(finished
        .text()
        .await
        .unwrap()
        .contains("Verification finished"));
}

#[tokio::test]
async fn done_redirects_by_outcome() {
    let server = TestServer::start().await;
    let flow = server
        .flow(
            &["MRZ"],
            json!({"success_redirect_url": "https://shop.example/kyc/ok",
                   "failure_redirect_url": "https://shop.example/kyc/failed?order=7",
                   "session_lifetime_minutes": 1}),
        )
        .await;
    let bare = server
        .flow(&["MRZ"], json!({"session_lifetime_minutes": 1}))
        .await;
    let a = server.started_session(&flow).await;
    let b = server.started_session(&bare).await;
    let done = |id: &str| {
        let request = server.client.get(server.url(&format!("/flow/{id}/done")));
        async move { request.send().await.unwrap() }
    };
    assert_eq!(
        done(&a).await.status(),
        StatusCode::CONFLICT,
        "not finished yet"
    );
    server.clock.advance(2 * MINUTE);
    let redirect = done(&a).await;
    assert_eq!(redirect.status(), StatusCode::FOUND);
    assert_eq!(
        redirect.headers()["location"],
        "https://shop.example/kyc/failed?order=7&outcome=failure"
    );
    let fallback = done(&b).await;
    assert_eq!(fallback.status(), StatusCode::FOUND);
    assert_eq!(fallback.headers()["location"], "/finished?outcome=failure");
}

#[tokio::test]
async fn the_widget_is_served_with_its_content_types() {
    let server = TestServer::start().await;
    for (file, content_type) in [
        ("flow-widget.js", "text/javascript"),
        ("flow-widget-core_bg.wasm", "application/wasm"),
        ("flow-widget.css", "text/css"),
    ] {
        let response = server
            .client
            .get(server.url(&format!("/widget/{file}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        let got = response.headers()["content-type"].to_str().unwrap();
        assert!(got.starts_with(content_type), "{file}: {got}");
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
    }
    let missing = server
        .client
        .get(server.url("/widget/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    assert_error(
        &server.get("/api/v1/nothing").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let wrong = crate::common::read(
        server
            .client
            .delete(server.url("/api/v1/flows/session/create/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&wrong, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    // Without --demo there is no demo host, and no flow was created implicitly.
    assert_eq!(
        server
            .client
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(server.flow_count().await, 0);
}
