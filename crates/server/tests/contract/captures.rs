//! Capture uploads: the bad-input matrix (each a clear 4xx, no capture stored, no quota
//! used), idempotency, attempts and quota, EXIF handling, and a crash between the
//! capture write and the database commit. Nothing here depends on the reader's
//! accuracy: the images have no MRZ to read.

use flow_server::clock::MINUTE;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::{
    assert_error, jpeg_with_orientation_6, meta, new_id, noise_png, png_claiming, TestServer,
};

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn bad_uploads_are_refused_and_leave_nothing() {
    let server = TestServer::start_with(|c| c.limits.max_capture_bytes = 200_000).await;
    let flow = server.flow(&["MRZ"], json!({})).await;
    let id = server.started_session(&flow).await;
    let image = noise_png(64, 64, 1);
    let m = meta("mrz_side");

    let cases: Vec<(
        &str,
        String,
        serde_json::Value,
        &str,
        Vec<u8>,
        StatusCode,
        &str,
    )> = vec![
        (
            "not an image",
            new_id(),
            m.clone(),
            "image/png",
            b"hello, world".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image",
        ),
        (
            "a lying content type",
            new_id(),
            m.clone(),
            "image/jpeg",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image",
        ),
        (
            "a truncated PNG",
            new_id(),
            m.clone(),
            "image/png",
            image[..40].to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image",
        ),
        (
            "an empty body",
            new_id(),
            m.clone(),
            "image/png",
            Vec::new(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image",
        ),
        (
            "a pixel bomb",
            new_id(),
            m.clone(),
            "image/png",
            png_claiming(100_000, 100_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "image_too_large",
        ),
        (
            "too many bytes",
            new_id(),
            m.clone(),
            "image/png",
            vec![0u8; 200_001],
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            "a bad capture id",
            "capture-1".to_owned(),
            m.clone(),
            "image/png",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "invalid_capture_id",
        ),
        (
            "an unknown step",
            new_id(),
            meta("face"),
            "image/png",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "unknown_step",
        ),
        (
            "a step the flow lacks",
            new_id(),
            meta("other_side"),
            "image/png",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "unknown_step",
        ),
        (
            "meta that is not JSON",
            new_id(),
            json!("{"),
            "image/png",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "invalid_meta",
        ),
        (
            "meta without a step",
            new_id(),
            json!({"source": "camera"}),
            "image/png",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "invalid_meta",
        ),
        (
            "meta over 4 kB",
            new_id(),
            json!({"step": "mrz_side", "pad": "x".repeat(5000)}),
            "image/png",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "invalid_meta",
        ),
        (
            "a client MRZ of other characters",
            new_id(),
            json!({"step": "mrz_side", "client_mrz": ["<script>"]}),
            "image/png",
            image.clone(),
            StatusCode::BAD_REQUEST,
            "invalid_meta",
        ),
    ];
    for (what, capture, meta, content_type, bytes, status, kind) in cases {
        let got = server
            .upload(&id, &capture, &meta, content_type, bytes)
            .await;
        assert_eq!(got.0, status, "{what}: {}", got.1);
        assert_error(&got, status, kind);
    }
    // The meta header missing altogether.
    let response = server
        .client
        .put(server.url(&format!(
            "/api/v1/widget/sessions/{id}/captures/{}",
            new_id()
        )))
        .body(image.clone())
        .send()
        .await
        .unwrap();
    assert_error(
        &crate::common::read(response).await,
        StatusCode::BAD_REQUEST,
        "invalid_meta",
    );
    // Unknown session.
    assert_error(
        &server
            .upload(&new_id(), &new_id(), &m, "image/png", image.clone())
            .await,
        StatusCode::NOT_FOUND,
        "session_not_found",
    );
    assert_eq!(server.capture_count(&id).await, 0, "nothing was stored");
    assert_eq!(server.status_of(&id, &flow.api_key).await, "PROGRESS");
}

/// Sends a request by hand, to control `Content-Length` and chunking.
async fn raw_put(server: &TestServer, path: &str, head: &str, body_chunks: &[&[u8]]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nX-Capture-Meta: {{\"step\":\"mrz_side\"}}\r\n{head}Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    for chunk in body_chunks {
        if stream.write_all(chunk).await.is_err() {
            break; // the server may answer and close before reading everything
        }
    }
    let mut response = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut response),
    )
    .await;
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn the_size_limit_applies_before_and_while_reading() {
    let server = TestServer::start_with(|c| c.limits.max_capture_bytes = 100_000).await;
    let flow = server.flow(&["MRZ"], json!({})).await;
    let id = server.started_session(&flow).await;
    let path = format!("/api/v1/widget/sessions/{id}/captures/{}", new_id());
    // A declared length over the limit is refused before a byte of body is sent.
    let answer = raw_put(&server, &path, "Content-Length: 50000000\r\n", &[]).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"too_large\""), "{answer}");
    // A chunked body is cut off at the limit, whatever it would have been.
    let chunk = format!("{:x}\r\n{}\r\n", 60_000, "a".repeat(60_000));
    let chunks = [
        chunk.as_bytes(),
        chunk.as_bytes(),
        chunk.as_bytes(),
        b"0\r\n\r\n",
    ];
    let answer = raw_put(&server, &path, "Transfer-Encoding: chunked\r\n", &chunks).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(server.capture_count(&id).await, 0);
}

#[tokio::test]
async fn retries_are_idempotent_and_conflicts_refused() {
    let server = TestServer::start().await;
    let flow = server.flow(&["MRZ"], json!({})).await;
    let id = server.started_session(&flow).await;
    let capture = new_id();
    let bytes = noise_png(96, 64, 7);
    let first = server
        .upload(&id, &capture, &meta("mrz_side"), "image/png", bytes.clone())
        .await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.1);
    assert_eq!(first.1["capture_id"], capture.as_str());
    assert_eq!(
        first.1["sha256"],
        hex_sha256(&bytes),
        "the hash of the bytes as uploaded"
    );
    assert_eq!(first.1["accepted"], false, "noise holds no MRZ");
    let reason = first.1["retake_reason"].as_str().unwrap();
    assert!(
        ["mrz_not_found", "image_quality"].contains(&reason),
        "{reason}"
    );

    let again = server
        .upload(&id, &capture, &meta("mrz_side"), "image/png", bytes.clone())
        .await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(again.1, first.1);
    // The capture id in upper case is the same id.
    let upper = server
        .upload(
            &id,
            &capture.to_uppercase(),
            &meta("mrz_side"),
            "image/png",
            bytes,
        )
        .await;
    assert_eq!(upper.0, StatusCode::OK);

    let other = server
        .upload(
            &id,
            &capture,
            &meta("mrz_side"),
            "image/png",
            noise_png(96, 64, 8),
        )
        .await;
    assert_error(&other, StatusCode::CONFLICT, "capture_conflict");
    assert_eq!(server.capture_count(&id).await, 1);
}

#[tokio::test]
async fn attempts_run_out_and_the_quota_holds() {
    let server = TestServer::start().await;
    let flow = server.flow(&["MRZ"], json!({"max_attempts": 2})).await;
    let id = server.started_session(&flow).await;
    for n in 0..2 {
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
        assert_eq!(got.1["accepted"], false);
    }
    // The step has failed: later captures cannot revive it.
    let late = server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(32, 32, 99),
        )
        .await;
    assert_eq!(late.1["retake_reason"], "attempts_exceeded");
    for n in 3..20 {
        let got = server
            .upload(
                &id,
                &new_id(),
                &meta("mrz_side"),
                "image/png",
                noise_png(16, 16, n),
            )
            .await;
        assert_eq!(got.0, StatusCode::CREATED, "capture {n}: {}", got.1);
    }
    assert_eq!(server.capture_count(&id).await, 20);
    let over = server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(16, 16, 21),
        )
        .await;
    assert_error(&over, StatusCode::TOO_MANY_REQUESTS, "quota_exceeded");
    assert_eq!(server.capture_count(&id).await, 20);

    // Finish: the step failed, so the session fails.
    let path = format!("/api/v1/widget/sessions/{id}/finish");
    let (status, body) = server.json(Method::POST, &path, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"status": "FAILED"}));
    let (_, repeat) = server.json(Method::POST, &path, json!({})).await;
    assert_eq!(repeat, body, "finish is idempotent");
    let result = server.result(&id, &flow.api_key).await;
    assert_eq!(
        result["mrz_result"]["failure_reason"]["type"],
        "attempts_exceeded"
    );
    assert_eq!(result["failure_reasons"][0]["technology"], "MRZ");
    assert_eq!(result["status"], "FAILED");
    assert_eq!(
        result["overall_result"],
        json!(null),
        "null until FINISHED, and a FAILED session never was"
    );

    // After finish every widget call but finish answers 410, and changes nothing.
    let after = server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(16, 16, 1),
        )
        .await;
    assert_error(&after, StatusCode::GONE, "session_closed");
    assert_error(
        &server.get(&format!("/api/v1/widget/sessions/{id}")).await,
        StatusCode::GONE,
        "session_closed",
    );
    assert_eq!(server.capture_count(&id).await, 20);
}

#[tokio::test]
async fn finish_waits_for_uploads() {
    let server = TestServer::start().await;
    let flow = server
        .flow(&["MRZ", "DOCUMENT_RECOGNITION"], json!({}))
        .await;
    let id = server.started_session(&flow).await;
    let path = format!("/api/v1/widget/sessions/{id}/finish");
    assert_error(
        &server.json(Method::POST, &path, json!({})).await,
        StatusCode::CONFLICT,
        "uploads_pending",
    );
    server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(32, 32, 3),
        )
        .await;
    assert_error(
        &server.json(Method::POST, &path, json!({})).await,
        StatusCode::CONFLICT,
        "uploads_pending",
    );
    assert_eq!(server.status_of(&id, &flow.api_key).await, "PROGRESS");
    assert_error(
        &server
            .json(
                Method::POST,
                &format!("/api/v1/widget/sessions/{}/finish", new_id()),
                json!({}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "session_not_found",
    );
    server.clock.advance(31 * MINUTE);
    assert_error(
        &server.json(Method::POST, &path, json!({})).await,
        StatusCode::GONE,
        "session_closed",
    );
}

#[tokio::test]
async fn exif_orientation_is_applied_and_metadata_dropped() {
    let server = TestServer::start().await;
    let flow = server.flow(&["MRZ"], json!({})).await;
    let id = server.started_session(&flow).await;
    let bytes = jpeg_with_orientation_6(120, 80);
    assert!(bytes.windows(4).any(|w| w == b"Exif"));
    let capture = new_id();
    let got = server
        .upload(&id, &capture, &meta("mrz_side"), "image/jpeg", bytes)
        .await;
    assert_eq!(got.0, StatusCode::CREATED, "{}", got.1);
    let row = server
        .state
        .store
        .capture(&id.parse().unwrap(), &capture.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let key = row.object_key.unwrap();
    assert!(key.starts_with(&format!("sessions/{id}/")), "{key}");
    let stored = server.state.blobs.get(&key).await.unwrap().unwrap();
    assert!(
        key.ends_with(&format!("{}.jpg", hex_sha256(&stored))),
        "content-addressed"
    );
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "metadata dropped");
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (80, 120),
        "rotated upright"
    );
    let analysis: serde_json::Value =
        serde_json::from_str(row.analysis.as_deref().unwrap()).unwrap();
    assert_eq!(
        (analysis["width"].as_u64(), analysis["height"].as_u64()),
        (Some(80), Some(120))
    );
}

#[tokio::test]
async fn a_crash_between_write_and_commit_is_retried_cleanly() {
    let server = TestServer::start().await;
    let flow = server.flow(&["MRZ"], json!({"max_attempts": 1})).await;
    let id = server.started_session(&flow).await;
    let capture = new_id();
    let bytes = noise_png(48, 48, 5);

    server.state.hooks.crash_once_at("capture-before-commit");
    let crashed = server
        .upload(&id, &capture, &meta("mrz_side"), "image/png", bytes.clone())
        .await;
    assert_eq!(crashed.0, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(crashed.1["error"]["type"], "internal_error");
    assert!(
        !crashed.1["error"]["detail"]
            .as_str()
            .unwrap()
            .contains("simulated"),
        "5xx bodies are generic"
    );
    assert_eq!(server.capture_count(&id).await, 0, "nothing committed");

    // The process dies and comes back on the same data.
    let server = server.restart().await;
    let retried = server
        .upload(&id, &capture, &meta("mrz_side"), "image/png", bytes.clone())
        .await;
    assert_eq!(
        retried.0,
        StatusCode::CREATED,
        "the first commit happens now: {}",
        retried.1
    );
    assert_eq!(server.capture_count(&id).await, 1, "no orphan counted");
    // One attempt used (max 1): the step failed once, not twice.
    let (status, finished) = server
        .json(
            Method::POST,
            &format!("/api/v1/widget/sessions/{id}/finish"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(finished["status"], "FAILED");
    let again = server
        .upload(&id, &capture, &meta("mrz_side"), "image/png", bytes)
        .await;
    assert_error(&again, StatusCode::GONE, "session_closed");
}

/// The capture id is checked before `X-Capture-Meta` (docs/server.md's order).
#[tokio::test]
async fn the_capture_id_is_checked_before_the_meta() {
    let server = TestServer::start().await;
    let flow = server.flow(&["MRZ"], json!({})).await;
    let id = server.started_session(&flow).await;
    let image = noise_png(32, 32, 7);
    // Bad id and bad meta: the id answers.
    let got = server
        .upload(&id, "capture-1", &json!("{"), "image/png", image.clone())
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_capture_id");
    // Bad id and no meta at all.
    let response = server
        .client
        .put(server.url(&format!("/api/v1/widget/sessions/{id}/captures/nope")))
        .body(image.clone())
        .send()
        .await
        .unwrap();
    assert_error(
        &crate::common::read(response).await,
        StatusCode::BAD_REQUEST,
        "invalid_capture_id",
    );
    // A good id with bad meta is the meta's error.
    let got = server
        .upload(
            &id,
            &new_id(),
            &json!({"source": "camera"}),
            "image/png",
            image,
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_meta");
    assert_eq!(server.capture_count(&id).await, 0);
}

/// `finish` evaluates the captures as they stand once it holds the session: a capture
/// committed between its first look and its lock is part of the verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finish_evaluates_the_captures_it_holds_the_lock_on() {
    let server = TestServer::start().await;
    let flow = server.flow(&["MRZ"], json!({"max_attempts": 2})).await;
    let id = server.started_session(&flow).await;
    let first = server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(32, 32, 1),
        )
        .await;
    assert_eq!(first.1["accepted"], false, "{}", first.1);

    // Finish now sees one attempt of two: pending, unless it reads later.
    let pause = server.state.hooks.pause_once_at("finish-before-lock");
    let client = server.client.clone();
    let url = server.url(&format!("/api/v1/widget/sessions/{id}/finish"));
    let finishing = tokio::spawn(async move {
        crate::common::read(client.post(url).json(&json!({})).send().await.unwrap()).await
    });
    pause.reached.notified().await;
    // Meanwhile the second attempt is spent (and committed).
    let second = server
        .upload(
            &id,
            &new_id(),
            &meta("mrz_side"),
            "image/png",
            noise_png(32, 32, 2),
        )
        .await;
    assert_eq!(second.0, StatusCode::CREATED, "{}", second.1);
    assert_eq!(second.1["accepted"], false);
    pause.release.notify_one();

    let (status, body) = finishing.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"status": "FAILED"}));
    let result = server.result(&id, &flow.api_key).await;
    assert_eq!(
        result["mrz_result"]["failure_reason"]["type"], "attempts_exceeded",
        "{result}"
    );
}
