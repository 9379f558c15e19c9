//! Back office: review start, approve/decline, review messages, and the audit log that
//! the database itself keeps append-only.

use flow_server::clock::MINUTE;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_error, new_id, TestServer};

#[tokio::test]
async fn reviews_follow_the_transition_table() {
    let server = TestServer::start().await;
    let flow = server
        .flow(&["MRZ"], json!({"session_lifetime_minutes": 1}))
        .await;
    let other = server.flow(&["MRZ"], json!({})).await;
    let id = server.started_session(&flow).await;
    let key = flow.api_key.as_str();
    let start = "/api/v1/flows/session/review/start/";
    let status = "/api/v1/flows/session/status/";
    let reviews = "/api/v1/flows/session/reviews/";

    // Still in PROGRESS: nothing to review yet.
    let got = server
        .keyed(Method::POST, start, key, Some(json!({"session_id": id})))
        .await;
    assert_error(&got, StatusCode::CONFLICT, "invalid_transition");
    let got = server
        .keyed(
            Method::POST,
            status,
            key,
            Some(json!({"session_id": id, "status": "APPROVED"})),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "invalid_transition");
    assert_eq!(server.status_of(&id, key).await, "PROGRESS");

    server.clock.advance(2 * MINUTE); // expires: FAILED
    assert_eq!(server.status_of(&id, key).await, "FAILED");

    // Bad requests change nothing.
    let bad = [
        (
            None,
            json!({"session_id": id}),
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
        ),
        (
            Some(other.api_key.as_str()),
            json!({"session_id": id}),
            StatusCode::NOT_FOUND,
            "session_not_found",
        ),
        (
            Some(key),
            json!({"session_id": new_id()}),
            StatusCode::NOT_FOUND,
            "session_not_found",
        ),
        (
            Some(key),
            json!({}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (k, body, code, kind) in bad {
        let mut request = server.client.post(server.url(start)).json(&body);
        if let Some(k) = k {
            request = request.header("X-Flow-Api-Key", k);
        }
        assert_error(
            &crate::common::read(request.send().await.unwrap()).await,
            code,
            kind,
        );
    }
    for target in ["FINISHED", "approved", "IN_REVIEW", "QR"] {
        let got = server
            .keyed(
                Method::POST,
                status,
                key,
                Some(json!({"session_id": id, "status": target})),
            )
            .await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_status");
    }
    assert_eq!(server.status_of(&id, key).await, "FAILED");

    let (code, body) = server
        .keyed(Method::POST, start, key, Some(json!({"session_id": id})))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"session_id": id, "status": "IN_REVIEW"}));
    let again = server
        .keyed(Method::POST, start, key, Some(json!({"session_id": id})))
        .await;
    assert_error(&again, StatusCode::CONFLICT, "invalid_transition");

    let (code, body) = server
        .keyed(Method::POST, status, key, Some(json!({"session_id": id, "status": "APPROVED", "content": "documents checked by hand"})))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"session_id": id, "status": "APPROVED"}));
    let result = server.result(&id, key).await;
    assert_eq!(result["status"], "APPROVED");
    assert_eq!(
        result["overall_result"],
        json!(null),
        "FAILED before review: no evaluated value to keep"
    );
    let got = server
        .keyed(
            Method::POST,
            status,
            key,
            Some(json!({"session_id": id, "status": "DECLINED"})),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "invalid_transition");

    // Review messages.
    let (code, posted) = server
        .keyed(
            Method::POST,
            reviews,
            key,
            Some(json!({"session_id": id, "text": "called the customer"})),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{posted}");
    assert_eq!(posted["kind"], "MESSAGE");
    assert_eq!(posted["text"], "called the customer");
    assert!(posted.get("status").is_none());
    let got = server
        .keyed(
            Method::POST,
            reviews,
            key,
            Some(json!({"session_id": id, "text": ""})),
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_request");
    let got = server
        .keyed(
            Method::POST,
            reviews,
            &other.api_key,
            Some(json!({"session_id": id, "text": "x"})),
        )
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "session_not_found");
    let (code, list) = server
        .keyed(
            Method::GET,
            &format!("{reviews}?session_id={id}"),
            key,
            None,
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let list = list["reviews"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["kind"], "STATUS");
    assert_eq!(list[0]["status"], "APPROVED");
    assert_eq!(list[0]["text"], "documents checked by hand");
    assert_eq!(list[1], posted);
    assert_error(
        &server.get(&format!("{reviews}?session_id={id}")).await,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    );

    // FAILED → DECLINED directly is allowed too.
    let second = server.started_session(&flow).await;
    server.clock.advance(2 * MINUTE);
    let (code, body) = server
        .keyed(
            Method::POST,
            status,
            key,
            Some(json!({"session_id": second, "status": "DECLINED"})),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_audit_log_is_append_only_and_holds_no_personal_data() {
    let server = TestServer::start().await;
    let flow = server
        .flow(&["MRZ"], json!({"session_lifetime_minutes": 1}))
        .await;
    let id = server.started_session(&flow).await;
    server.clock.advance(2 * MINUTE);
    assert_eq!(server.status_of(&id, &flow.api_key).await, "FAILED");
    let sid = id.parse().unwrap();
    let audit = server.state.store.audit_of(&sid).await.unwrap();
    let trail: Vec<(String, Option<String>, Option<String>)> = audit
        .iter()
        .map(|a| (a.action.clone(), a.from_status.clone(), a.to_status.clone()))
        .collect();
    assert_eq!(
        trail,
        vec![
            ("session.created".into(), None, None),
            (
                "session.started".into(),
                Some("CREATED".into()),
                Some("PROGRESS".into())
            ),
            (
                "session.expired".into(),
                Some("PROGRESS".into()),
                Some("FAILED".into())
            ),
        ]
    );
    assert_eq!(audit[2].actor, "system");
    assert_eq!(audit[2].reason.as_deref(), Some("session_expired"));
    assert!(
        !format!("{audit:?}").contains("user-42"),
        "vendor data stays out"
    );

    for sql in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"] {
        let refused = server.state.store.execute_raw(sql).await;
        assert!(refused.is_err(), "{sql} must be refused");
    }
    assert_eq!(server.state.store.audit_of(&sid).await.unwrap(), audit);
}
