//! Retention: past a flow's `retention_days`, captures and personal fields go; ids,
//! statuses, verdicts and the audit trail stay. `retention_days: 0` keeps everything.

use flow_server::clock::DAY;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{meta, new_id, noise_png, TestServer};

#[tokio::test]
async fn retention_removes_personal_data_and_keeps_the_trail() {
    let server = TestServer::start().await;
    let short = server
        .flow(&["MRZ"], json!({"retention_days": 1, "max_attempts": 1}))
        .await;
    let keep = server.flow(&["MRZ"], json!({"max_attempts": 1})).await;
    let mut ids = Vec::new();
    for flow in [&short, &keep] {
        let id = server.started_session(flow).await;
        let capture = new_id();
        let got = server
            .upload(
                &id,
                &capture,
                &meta("mrz_side"),
                "image/png",
                noise_png(32, 32, 9),
            )
            .await;
        assert_eq!(got.0, StatusCode::CREATED);
        let (_, fin) = server
            .json(
                Method::POST,
                &format!("/api/v1/widget/sessions/{id}/finish"),
                json!({}),
            )
            .await;
        assert_eq!(fin["status"], "FAILED");
        let (code, _) = server
            .keyed(
                Method::POST,
                "/api/v1/flows/session/reviews/",
                &flow.api_key,
                Some(json!({"session_id": id, "text": "called the customer"})),
            )
            .await;
        assert_eq!(code, StatusCode::CREATED);
        ids.push((id, capture));
    }
    let (purged_id, purged_capture) = &ids[0];
    let sid = purged_id.parse().unwrap();
    let key = server
        .state
        .store
        .capture(&sid, &purged_capture.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .object_key
        .unwrap();
    assert!(server.state.blobs.exists(&key).await.unwrap());
    let trail_before = server.state.store.audit_of(&sid).await.unwrap();

    let sweep = flow_server::domain::retention::sweep_once(&server.state)
        .await
        .unwrap();
    assert_eq!(sweep.purged, 0, "not yet a day old");
    server.clock.advance(DAY + 1000);
    let sweep = flow_server::domain::retention::sweep_once(&server.state)
        .await
        .unwrap();
    assert_eq!(sweep.purged, 1, "only the flow with a retention period");

    assert!(
        !server.state.blobs.exists(&key).await.unwrap(),
        "capture deleted"
    );
    let row = server
        .state
        .store
        .capture(&sid, &purged_capture.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(row.object_key.is_none() && row.analysis.is_none() && row.client_mrz.is_none());
    let result = server.result(purged_id, &short.api_key).await;
    assert_eq!(result["status"], "FAILED", "the status stays");
    assert_eq!(
        result["overall_result"],
        json!(null),
        "FAILED: never evaluated to a result"
    );
    assert_eq!(result["vendor_data"], json!(null));
    assert_eq!(result["mrz_result"]["document"], json!(null));
    assert_eq!(result["failure_reasons"][0]["type"], "attempts_exceeded");
    let (_, reviews) = server
        .keyed(
            Method::GET,
            &format!("/api/v1/flows/session/reviews/?session_id={purged_id}"),
            &short.api_key,
            None,
        )
        .await;
    assert_eq!(reviews["reviews"], json!([]));
    let trail = server.state.store.audit_of(&sid).await.unwrap();
    assert_eq!(
        &trail[..trail_before.len()],
        trail_before.as_slice(),
        "the trail stays"
    );
    assert_eq!(trail.last().unwrap().action, "session.purged");

    // The other flow keeps everything; a second sweep finds nothing new.
    let kept = server.result(&ids[1].0, &keep.api_key).await;
    assert_eq!(kept["vendor_data"], "user-42");
    let sweep = flow_server::domain::retention::sweep_once(&server.state)
        .await
        .unwrap();
    assert_eq!(sweep.purged, 0);
}

/// One session the sweeper cannot handle (here: a damaged row) is logged and skipped;
/// the sessions after it are still expired and purged, and the pass succeeds.
#[tokio::test]
async fn the_sweep_goes_on_past_a_failing_session() {
    let server = TestServer::start().await;
    let flow = server
        .flow(
            &["MRZ"],
            json!({"retention_days": 1, "max_attempts": 1, "session_lifetime_minutes": 1}),
        )
        .await;
    let damage = |sql: String| {
        let store = &server.state.store;
        async move { assert_eq!(store.execute_raw(&sql).await.unwrap(), 1, "{sql}") }
    };
    // Two open sessions, to be expired; the first one's row cannot be read.
    let broken_open = server.started_session(&flow).await;
    let open = server.started_session(&flow).await;
    damage(format!(
        "UPDATE sessions SET finish_status = 'BOGUS' WHERE id = '{broken_open}'"
    ))
    .await;
    // Two finished sessions, to be purged; the first one's evaluation cannot be read.
    let mut finished = Vec::new();
    for n in 0..2 {
        let id = server.started_session(&flow).await;
        let got = server
            .upload(
                &id,
                &new_id(),
                &meta("mrz_side"),
                "image/png",
                noise_png(32, 32, n),
            )
            .await;
        assert_eq!(got.0, StatusCode::CREATED);
        let (_, fin) = server
            .json(
                Method::POST,
                &format!("/api/v1/widget/sessions/{id}/finish"),
                json!({}),
            )
            .await;
        assert_eq!(fin["status"], "FAILED");
        finished.push(id);
    }
    damage(format!(
        "UPDATE sessions SET evaluation = 'not json' WHERE id = '{}'",
        finished[0]
    ))
    .await;

    server.clock.advance(2 * 60 * 1000);
    let sweep = flow_server::domain::retention::sweep_once(&server.state)
        .await
        .unwrap();
    assert_eq!(sweep.expired, 1, "{sweep:?}");
    assert_eq!(sweep.purged, 0, "{sweep:?}");
    let row = |id: &str| {
        let store = &server.state.store;
        let id = id.parse().unwrap();
        async move { store.session(&id).await }
    };
    assert_eq!(
        row(&open).await.unwrap().unwrap().status,
        flow_protocol::Status::Failed,
        "expired although a session before it failed"
    );
    assert!(row(&broken_open).await.is_err(), "still damaged");

    server.clock.advance(DAY + 1000);
    let sweep = flow_server::domain::retention::sweep_once(&server.state)
        .await
        .unwrap();
    assert_eq!(sweep.expired, 0, "{sweep:?}");
    // The expired session and the intact finished one; not the damaged one.
    assert_eq!(sweep.purged, 2, "{sweep:?}");
    assert!(row(&open).await.unwrap().unwrap().purged_at.is_some());
    assert!(row(&finished[1])
        .await
        .unwrap()
        .unwrap()
        .purged_at
        .is_some());
    assert!(row(&finished[0])
        .await
        .unwrap()
        .unwrap()
        .purged_at
        .is_none());
}
