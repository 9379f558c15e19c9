//! `serve --demo`: the demo flow and its key file, and the demo host's routes calling
//! the REST API over HTTP.

use reqwest::StatusCode;

use crate::common::{read, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_host_works_as_an_integrator_would() {
    let server = TestServer::start_with(|c| c.demo = true).await;
    let file = server.config.data_dir.join("demo-flow.json");
    let flow: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key = flow["api_key"].as_str().unwrap().to_owned();
    let stored = server
        .state
        .store
        .flow(flow["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.config.allowed_origins,
        Some(vec![
            "http://localhost:*".to_owned(),
            "http://127.0.0.1:*".to_owned()
        ])
    );

    let page = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().contains_key("content-security-policy"));
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"src="/demo/demo.js""#) && html.contains("Start verification"));
    assert_eq!(html.matches("<script").count(), 2, "no inline script");
    let js = server
        .client
        .get(server.url("/demo/demo.js"))
        .send()
        .await
        .unwrap();
    assert!(js.text().await.unwrap().contains("/kyc/return"));

    let started = server
        .client
        .post(server.url("/kyc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::OK);
    let cookie = started.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"));
    let (_, body) = read(started).await;
    let id = body["session_id"].as_str().unwrap().to_owned();
    assert_eq!(
        server.result(&id, &key).await["vendor_data"]
            .as_str()
            .map(|v| v.starts_with("demo-user-")),
        Some(true)
    );

    let pair = cookie.split(';').next().unwrap().to_owned();
    let back = server
        .client
        .post(server.url("/kyc/return"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    let (status, decision) = read(back).await;
    assert_eq!(status, StatusCode::OK, "{decision}");
    assert_eq!(decision["decision"], "pending");
    assert_eq!(decision["status"], "CREATED");
    let (status, _) = read(
        server
            .client
            .post(server.url("/kyc/return"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A restart reuses the demo flow.
    let server = server.restart().await;
    assert_eq!(server.flow_count().await, 1);
    let again: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(again["id"], flow["id"]);
}
