//! Session create, bootstrap, expiry, CORS, events — and the bad-input matrix of the
//! host side, each a clear 4xx with no state change.

use flow_server::clock::MINUTE;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_error, new_id, TestServer};

#[tokio::test]
async fn create_answers_the_contract_shape() {
    let server = TestServer::start().await;
    let flow = server
        .flow(&["MRZ", "DOCUMENT_RECOGNITION"], json!({}))
        .await;
    let (status, body) = server
        .json(
            Method::POST,
            "/api/v1/flows/session/create/",
            json!({"api_key": flow.api_key, "vendor_data": "user-42", "locale": "kz"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["session_id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert_eq!(body["flow_id"], flow.id.as_str());
    assert_eq!(body["status"], "CREATED");
    assert_eq!(
        body["technologies"],
        json!([{"name": "MRZ", "code": "MRZ"},
               {"name": "Document Recognition", "code": "DOCUMENT_RECOGNITION"}])
    );
    let expires = body["expires_at"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");

    let result = server.result(id, &flow.api_key).await;
    assert_eq!(result["status"], "CREATED");
    assert_eq!(result["vendor_data"], "user-42");
    assert_eq!(result["overall_result"], json!(null));
    assert_eq!(result["failure_reasons"], json!([]));
    assert!(result.get("mrz_result").is_none() && result.get("doc_recognition_result").is_none());
}

#[tokio::test]
async fn create_refuses_bad_requests_without_creating_anything() {
    let server = TestServer::start().await;
    let flow = server.flow(&["MRZ"], json!({})).await;
    let path = "/api/v1/flows/session/create/";
    let cases = [
        (
            json!({"api_key": "flk_wrong"}),
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
        ),
        (json!({}), StatusCode::UNAUTHORIZED, "invalid_api_key"),
        (
            json!({"api_key": 42}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"api_key": flow.api_key, "vendor_data": "x".repeat(257)}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"api_key": flow.api_key, "vendor_data": {"id": 1}}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"api_key": flow.api_key, "locale": "<script>"}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (body, status, kind) in cases {
        assert_error(&server.json(Method::POST, path, body).await, status, kind);
    }
    assert_error(
        &server.raw(Method::POST, path, "{\"api_key\": ").await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
    );
    // Trailing slashes are part of the contract.
    let got = server
        .json(
            Method::POST,
            "/api/v1/flows/session/create",
            json!({"api_key": flow.api_key}),
        )
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found");
    let n = server
        .state
        .store
        .sessions_past_expiry(i64::MAX, 100)
        .await
        .unwrap()
        .len();
    assert_eq!(n, 0, "no session was created");
    // vendor_data of exactly 256 characters is fine.
    let ok = server
        .json(
            Method::POST,
            path,
            json!({"api_key": flow.api_key, "vendor_data": "é".repeat(256)}),
        )
        .await;
    assert_eq!(ok.0, StatusCode::OK, "{}", ok.1);
}

#[tokio::test]
async fn bootstrap_starts_the_session_once() {
    let server = TestServer::start().await;
    let flow = server
        .flow(
            &["MRZ", "DOCUMENT_RECOGNITION"],
            json!({"display_name": "Shop KYC"}),
        )
        .await;
    let id = server.session(&flow).await;
    let (status, boot) = server.get(&format!("/api/v1/widget/sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{boot}");
    assert_eq!(boot["status"], "PROGRESS");
    assert_eq!(boot["display_name"], "Shop KYC");
    assert_eq!(
        boot["limits"],
        json!({"max_capture_bytes": 10485760, "max_attempts": 3})
    );
    assert_eq!(
        boot["steps"],
        json!([
            {"id": "mrz_side", "kind": "document_mrz", "technologies": ["MRZ", "DOCUMENT_RECOGNITION"]},
            {"id": "other_side", "kind": "document_other_side", "technologies": ["DOCUMENT_RECOGNITION"], "when": "card"}
        ])
    );
    // A second bootstrap (a reload) answers the same and moves nothing.
    let (_, again) = server.get(&format!("/api/v1/widget/sessions/{id}")).await;
    assert_eq!(again, boot);
    let audit = server
        .state
        .store
        .audit_of(&id.parse().unwrap())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["session.created", "session.started"]);

    let mrz_only = server.flow(&["MRZ"], json!({})).await;
    let id = server.session(&mrz_only).await;
    let (_, boot) = server.get(&format!("/api/v1/widget/sessions/{id}")).await;
    assert_eq!(boot["steps"].as_array().unwrap().len(), 1);

    assert_error(
        &server
            .get(&format!("/api/v1/widget/sessions/{}", new_id()))
            .await,
        StatusCode::NOT_FOUND,
        "session_not_found",
    );
    assert_error(
        &server.get("/api/v1/widget/sessions/not-a-uuid").await,
        StatusCode::NOT_FOUND,
        "session_not_found",
    );
}

#[tokio::test]
async fn sessions_expire_lazily_and_by_the_sweeper() {
    let server = TestServer::start().await;
    let flow = server
        .flow(&["MRZ"], json!({"session_lifetime_minutes": 5}))
        .await;
    let looked_at = server.started_session(&flow).await;
    let untouched = server.session(&flow).await;
    let live = {
        server.clock.advance(4 * MINUTE);
        server.session(&flow).await
    };
    server.clock.advance(MINUTE + 1);

    // Lazy: the widget's next call finds it closed.
    assert_error(
        &server
            .get(&format!("/api/v1/widget/sessions/{looked_at}"))
            .await,
        StatusCode::GONE,
        "session_closed",
    );
    let result = server.result(&looked_at, &flow.api_key).await;
    assert_eq!(result["status"], "FAILED");
    assert_eq!(result["overall_result"], json!(null), "null until FINISHED");
    assert_eq!(
        result["failure_reasons"],
        json!([{"type": "session_expired", "detail": result["failure_reasons"][0]["detail"], "technology": "MRZ"}])
    );
    assert_eq!(result["mrz_result"]["result"], false);
    assert_eq!(
        result["mrz_result"]["failure_reason"]["type"],
        "session_expired"
    );
    assert!(result["finished_at"].is_string());
    // A finish after expiry is not a repeat of a finish: 410.
    let got = server
        .json(
            Method::POST,
            &format!("/api/v1/widget/sessions/{looked_at}/finish"),
            json!({}),
        )
        .await;
    assert_error(&got, StatusCode::GONE, "session_closed");

    // The sweeper: CREATED → FAILED for the one nobody looked at.
    let sweep = flow_server::domain::retention::sweep_once(&server.state)
        .await
        .unwrap();
    assert_eq!(sweep.expired, 1);
    let row = server
        .state
        .store
        .session(&untouched.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status.as_str(), "FAILED");
    assert_eq!(server.status_of(&live, &flow.api_key).await, "CREATED");
}

#[tokio::test]
async fn cors_follows_the_flow_and_refuses_without_cors_headers() {
    let server = TestServer::start().await;
    let default = server.flow(&["MRZ"], json!({})).await;
    let shop = server
        .flow(
            &["MRZ"],
            json!({"allowed_origins": ["https://shop.example"]}),
        )
        .await;
    let a = server.session(&default).await;
    let b = server.session(&shop).await;
    let get = |id: String, origin: &'static str| {
        let request = server
            .client
            .get(server.url(&format!("/api/v1/widget/sessions/{id}")))
            .header("origin", origin);
        async move { request.send().await.unwrap() }
    };

    let evil = get(b.clone(), "https://evil.example").await;
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let body: serde_json::Value = evil.json().await.unwrap();
    assert_eq!(body["error"]["type"], "origin_not_allowed");
    assert_eq!(
        server.status_of(&b, &shop.api_key).await,
        "CREATED",
        "no state change"
    );
    let localhost = get(b.clone(), "http://localhost:5173").await;
    assert_eq!(
        localhost.status(),
        StatusCode::FORBIDDEN,
        "the list replaces the defaults"
    );

    let ok = get(b.clone(), "https://shop.example").await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://shop.example"
    );

    let dev = get(a.clone(), "http://127.0.0.1:3000").await;
    assert_eq!(dev.status(), StatusCode::OK);
    assert_eq!(
        dev.headers()["access-control-allow-origin"],
        "http://127.0.0.1:3000"
    );
    let other = get(a.clone(), "https://example.com").await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN);

    // The server's own origin is always allowed (hosted pages).
    let own = server.base.clone();
    let own_origin: &'static str = Box::leak(own.into_boxed_str());
    assert_eq!(get(b.clone(), own_origin).await.status(), StatusCode::OK);

    // Preflight of a capture upload.
    let preflight = server
        .client
        .request(
            Method::OPTIONS,
            server.url(&format!(
                "/api/v1/widget/sessions/{b}/captures/{}",
                new_id()
            )),
        )
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "content-type, x-capture-meta",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(allowed.contains("x-capture-meta"));
    let refused = server
        .client
        .request(
            Method::OPTIONS,
            server.url(&format!("/api/v1/widget/sessions/{b}/finish")),
        )
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn widget_events_are_recorded_and_checked() {
    let server = TestServer::start().await;
    let flow = server
        .flow(&["MRZ"], json!({"session_lifetime_minutes": 1}))
        .await;
    let id = server.started_session(&flow).await;
    let path = format!("/api/v1/widget/sessions/{id}/events");
    let ok = server
        .json(
            Method::POST,
            &path,
            json!({"type": "step_started", "step": "mrz_side", "at": "2026-11-22T10:00:00Z"}),
        )
        .await;
    assert_eq!(ok.0, StatusCode::NO_CONTENT, "{}", ok.1);
    let ok = server
        .json(
            Method::POST,
            &path,
            json!({"type": "quality", "at": 1795341600000_i64, "data": {"blur": 0.3}}),
        )
        .await;
    assert_eq!(ok.0, StatusCode::NO_CONTENT);
    let sid = id.parse().unwrap();
    assert_eq!(
        server.state.store.widget_event_count(&sid).await.unwrap(),
        2
    );

    let bad = [
        (json!({"type": "dance", "at": "x"}), "invalid_request"),
        (json!({"type": "retake"}), "invalid_request"),
        (
            json!({"type": "retake", "step": "face", "at": "x"}),
            "unknown_step",
        ),
        (
            json!({"type": "retake", "step": "other_side", "at": "x"}),
            "unknown_step",
        ),
    ];
    for (body, kind) in bad {
        assert_error(
            &server.json(Method::POST, &path, body).await,
            StatusCode::BAD_REQUEST,
            kind,
        );
    }
    assert_error(
        &server.raw(Method::POST, &path, "[").await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
    );
    assert_error(
        &server
            .json(
                Method::POST,
                &format!("/api/v1/widget/sessions/{}/events", new_id()),
                json!({"type": "retake", "at": "x"}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "session_not_found",
    );
    assert_eq!(
        server.state.store.widget_event_count(&sid).await.unwrap(),
        2
    );
    server.clock.advance(2 * MINUTE);
    assert_error(
        &server
            .json(Method::POST, &path, json!({"type": "retake", "at": "x"}))
            .await,
        StatusCode::GONE,
        "session_closed",
    );
}

#[tokio::test]
async fn result_endpoints_check_the_key_and_the_flow() {
    let server = TestServer::start().await;
    let mine = server.flow(&["MRZ"], json!({})).await;
    let theirs = server.flow(&["MRZ"], json!({})).await;
    let id = server.session(&mine).await;
    for path in [
        "/api/v1/flows/session/result/light/",
        "/api/v1/flows/session/result/",
    ] {
        // Key in the query string, as the platform's integrations send it.
        let got = server
            .get(&format!(
                "{path}?session_id={id}&flow_api_key={}",
                mine.api_key
            ))
            .await;
        assert_eq!(got.0, StatusCode::OK, "{}", got.1);
        assert_eq!(got.1["id"], id.as_str());
        assert_error(
            &server.get(&format!("{path}?session_id={id}")).await,
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
        );
        assert_error(
            &server
                .get(&format!("{path}?session_id={id}&flow_api_key=flk_nope"))
                .await,
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
        );
        // Another flow's key: the session does not exist for it.
        assert_error(
            &server
                .keyed(
                    Method::GET,
                    &format!("{path}?session_id={id}"),
                    &theirs.api_key,
                    None,
                )
                .await,
            StatusCode::NOT_FOUND,
            "session_not_found",
        );
        assert_error(
            &server
                .keyed(
                    Method::GET,
                    &format!("{path}?session_id={}", new_id()),
                    &mine.api_key,
                    None,
                )
                .await,
            StatusCode::NOT_FOUND,
            "session_not_found",
        );
        assert_error(
            &server.keyed(Method::GET, path, &mine.api_key, None).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
        assert_error(
            &server
                .keyed(
                    Method::GET,
                    &format!("{path}?session_id=123"),
                    &mine.api_key,
                    None,
                )
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
}
