//! Flows: the CLI, the admin API, keys stored hashed, unsupported technologies refused.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_error, read, TestServer};

#[tokio::test]
async fn cli_creates_flows_and_refuses_unknown_technologies() {
    // The server first: the CLI then writes to the same database (SQLite under its data
    // directory, or the PostgreSQL of a `scripts/pg-test.sh` run).
    let server = TestServer::start().await;
    let data = server.config.data_dir.clone();
    let database = server.config.database_url.clone();
    let cli = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flow-server"));
        command.args(["flows", "create", "--data-dir"]).arg(&data);
        match &database {
            Some(url) => command.env("DATABASE_URL", url),
            None => command.env_remove("DATABASE_URL"),
        };
        command
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("flow.json");
    std::fs::write(&config, r#"{"display_name": "Shop", "max_attempts": 2}"#).unwrap();
    let out = cli()
        .args(["--technologies", "MRZ,DOCUMENT_RECOGNITION", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = created["api_key"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(created["id"].as_str().unwrap()).is_ok());
    // ≥ 128 random bits: 32 bytes, base64url.
    assert!(key.len() >= 40, "{key}");
    // Stored only as a hash: the key's text is nowhere in the data directory.
    for entry in std::fs::read_dir(&data).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(key.len()).any(|w| w == key.as_bytes()));
    }
    let stored = server
        .state
        .store
        .flow(created["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.api_key_hash,
        flow_server::domain::flows::hash_key(key)
    );
    assert_eq!(stored.config.max_attempts, 2);

    let refused = cli()
        .args(["--technologies", "MRZ,LIVENESS"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(refused.stdout.is_empty());
    let error: serde_json::Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(error["error"]["type"], "unsupported_technology");
    let bad_config = cli()
        .args(["--technologies", "MRZ", "--config", "/nonexistent.json"])
        .output()
        .unwrap();
    assert!(!bad_config.status.success());
    let error: serde_json::Value = serde_json::from_slice(&bad_config.stderr).unwrap();
    assert_eq!(error["error"]["type"], "invalid_config");

    // The server sees exactly the one flow, and its key works.
    assert_eq!(server.flow_count().await, 1);
    let (status, body) = server
        .json(
            Method::POST,
            "/api/v1/flows/session/create/",
            json!({"api_key": key}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["flow_id"], created["id"]);
}

/// The run uses the backends it was asked for (`scripts/pg-test.sh` sets both).
#[tokio::test]
async fn the_backends_are_the_ones_asked_for() {
    let server = TestServer::start().await;
    let dialect = server.state.store.dialect();
    match std::env::var("FLOW_TEST_DATABASE_URL") {
        Ok(_) => assert_eq!(dialect, flow_server::store::Dialect::Postgres),
        Err(_) => assert_eq!(dialect, flow_server::store::Dialect::Sqlite),
    }
    let blobs = format!("{:?}", server.state.blobs);
    let s3 = std::env::var("FLOW_TEST_STORAGE_URL").is_ok();
    assert_eq!(blobs.starts_with("S3 "), s3, "{blobs}");
}

#[tokio::test]
async fn admin_api_is_hidden_without_an_operator_key() {
    let server = TestServer::start().await;
    let got = server
        .json(
            Method::POST,
            "/api/v1/admin/flows",
            json!({"technologies": ["MRZ"]}),
        )
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(server.flow_count().await, 0);
}

#[tokio::test]
async fn admin_api_creates_flows_behind_the_operator_key() {
    let server = TestServer::start_with(|c| c.operator_key = Some("op-secret".into())).await;
    let post = |auth: Option<&'static str>, body: serde_json::Value| {
        let mut request = server
            .client
            .post(server.url("/api/v1/admin/flows"))
            .json(&body);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        async move { read(request.send().await.unwrap()).await }
    };
    let body =
        json!({"technologies": ["MRZ", "DOCUMENT_RECOGNITION"], "config": {"max_attempts": 2}});
    assert_error(
        &post(None, body.clone()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_operator_key",
    );
    assert_error(
        &post(Some("Bearer wrong"), body.clone()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_operator_key",
    );
    assert_eq!(server.flow_count().await, 0);

    let bad = [
        (
            json!({"technologies": ["MRZ", "FACE_MATCH"]}),
            "unsupported_technology",
        ),
        (json!({"technologies": []}), "invalid_request"),
        (
            json!({"technologies": ["MRZ"], "config": {"max_attemps": 2}}),
            "invalid_config",
        ),
        (
            json!({"technologies": ["MRZ"], "config": {"webhook_url": "https://h.example/x"}}),
            "invalid_config",
        ),
        (
            json!({"technologies": ["MRZ"], "config": {"allowed_origins": ["not an origin"]}}),
            "invalid_config",
        ),
        (json!({"technologies": "MRZ"}), "invalid_request"),
    ];
    for (body, kind) in bad {
        let got = post(Some("Bearer op-secret"), body).await;
        assert_error(&got, StatusCode::BAD_REQUEST, kind);
    }
    let got = server
        .raw(Method::POST, "/api/v1/admin/flows", "{not json")
        .await;
    assert_eq!(got.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        server.flow_count().await,
        0,
        "refused flows leave nothing behind"
    );

    let (status, created) = post(Some("Bearer op-secret"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created.as_object().unwrap().len(), 2);
    let flow = server
        .state
        .store
        .flow(created["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(flow.config.max_attempts, 2);
    assert_eq!(
        flow.config.session_lifetime_minutes, 30,
        "defaults fill the rest"
    );
    assert_ne!(flow.api_key_hash, created["api_key"].as_str().unwrap());
}
