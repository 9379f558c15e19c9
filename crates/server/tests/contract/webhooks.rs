//! Webhooks against a real local receiver: Standard Webhooks headers, a signature
//! checked by an independent HMAC computation, redelivery after a failure from the
//! durable outbox, and payloads without personal data.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::common::{meta, new_id, noise_png, TestServer};

struct Delivery {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A receiver on 127.0.0.1:0 that answers 500 to its first request, 200 after.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Delivery>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let seen = Arc::new(Mutex::new(0usize));
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            let seen = Arc::clone(&seen);
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let _ = tx.send(Delivery {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp"),
                    signature: header("webhook-signature"),
                    body,
                });
                let mut n = seen.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    AxumStatus::INTERNAL_SERVER_ERROR
                } else {
                    AxumStatus::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("a webhook within 15 s")
        .expect("the receiver is alive")
}

/// The check an integrator would write, from the Standard Webhooks text alone.
fn verify(secret_key: &[u8], d: &Delivery) {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key).unwrap();
    mac.update(format!("{}.{}.{}", d.id, d.timestamp, d.body).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(d.signature, format!("v1,{expected}"));
    assert!(d.id.starts_with("msg_"), "{}", d.id);
    assert!(uuid::Uuid::parse_str(d.id.trim_start_matches("msg_")).is_ok());
    let ts: i64 = d.timestamp.parse().unwrap();
    let now = flow_server::clock::SystemClock;
    let now = flow_server::clock::Clock::now(&now) / 1000;
    assert!((ts - now).abs() < 3600, "unix seconds");
}

fn payload(d: &Delivery) -> Value {
    let body: Value = serde_json::from_str(&d.body).unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in &keys {
        assert!(
            [
                "type",
                "session_id",
                "flow_id",
                "status",
                "technology",
                "timestamp"
            ]
            .contains(key),
            "unexpected key {key} in {body}"
        );
    }
    assert!(!d.body.contains("user-42"), "no personal data");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_retried_and_free_of_personal_data() {
    let (url, mut rx) = receiver().await;
    let key_bytes: Vec<u8> = (0u8..32).collect();
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(&key_bytes)
    );
    // The real clock: redelivery waits for the server's own back-off (100 ms here).
    let server = TestServer::start_real_clock(|_| {}).await;
    let flow = server
        .flow(
            &["MRZ"],
            json!({"webhook_url": url, "webhook_secret": secret, "max_attempts": 1}),
        )
        .await;
    let quiet = server.flow(&["MRZ"], json!({})).await;
    let quiet_id = server.started_session(&quiet).await;

    let id = server.started_session(&flow).await;
    let first = next(&mut rx).await;
    verify(&key_bytes, &first);
    let start = payload(&first);
    assert_eq!(
        start,
        json!({"type": "flow.start", "session_id": id, "flow_id": flow.id, "status": "PROGRESS",
               "timestamp": start["timestamp"]})
    );

    // The receiver failed: the message stays in the outbox and comes again later.
    let retry = next(&mut rx).await;
    verify(&key_bytes, &retry);
    assert_eq!(retry.id, first.id, "the same message id on redelivery");
    assert_eq!(retry.body, first.body);

    let got = server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(32, 32, 4),
        )
        .await;
    assert_eq!(got.0, StatusCode::CREATED);
    let tech = next(&mut rx).await;
    verify(&key_bytes, &tech);
    let tech = payload(&tech);
    assert_eq!(tech["type"], "technology.start");
    assert_eq!(tech["technology"], "MRZ");
    assert_eq!(tech["status"], "PROGRESS");
    // A second capture for the same technology is not a new start.
    server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(32, 32, 5),
        )
        .await;

    // One attempt allowed and used: finish fails the session.
    let (code, finished) = server
        .json(
            Method::POST,
            &format!("/api/v1/widget/sessions/{id}/finish"),
            json!({}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(finished["status"], "FAILED");
    let mut ends = [payload(&next(&mut rx).await), payload(&next(&mut rx).await)];
    ends.sort_by_key(|p| p["type"].as_str().map(str::to_owned));
    assert_eq!(
        (ends[0]["type"].as_str(), ends[0]["status"].as_str()),
        (Some("flow.end"), Some("FAILED"))
    );
    assert_eq!(ends[1]["type"], "technology.end");
    assert_eq!(ends[1]["technology"], "MRZ");

    let (code, _) = server
        .keyed(
            Method::POST,
            "/api/v1/flows/session/status/",
            &flow.api_key,
            Some(json!({"session_id": id, "status": "APPROVED"})),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let approved = next(&mut rx).await;
    verify(&key_bytes, &approved);
    let approved = payload(&approved);
    assert_eq!(
        (approved["type"].as_str(), approved["status"].as_str()),
        (Some("flow.end"), Some("APPROVED"))
    );

    let outbox = server
        .state
        .store
        .messages_of(&id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        outbox.len(),
        5,
        "start, technology start and end, two flow.end"
    );
    assert_eq!(
        outbox.iter().map(|m| m.3).max(),
        Some(2),
        "the first took two attempts"
    );
    assert!(server
        .state
        .store
        .messages_of(&quiet_id.parse().unwrap())
        .await
        .unwrap()
        .is_empty());
    assert!(rx.try_recv().is_err(), "nothing else was sent");
}
