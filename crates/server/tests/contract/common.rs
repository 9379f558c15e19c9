//! The harness: the real server (`flow_server::serve`) on 127.0.0.1:0 with a fresh data
//! directory, a manual clock, and the real HTTP client. SQLite and local files by
//! default; `FLOW_TEST_DATABASE_URL` (postgres://…, each test gets its own database)
//! and `FLOW_TEST_STORAGE_URL` (s3://bucket, each test gets its own prefix) switch the
//! same tests to PostgreSQL and S3.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use flow_protocol::{FlowConfig, FlowCreated};
use flow_server::clock::ManualClock;
use flow_server::domain::flows;
use flow_server::{AppState, Config};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub client: reqwest::Client,
    pub config: Config,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<flow_server::Result<()>>>,
    dir: Arc<tempfile::TempDir>,
}

/// A 1×1-ish stand-in for the built widget, so that `/widget/` has files to serve.
fn fake_widget(dir: &std::path::Path) -> PathBuf {
    let widget = dir.join("dist");
    std::fs::create_dir_all(&widget).unwrap();
    std::fs::write(
        widget.join("flow-widget.js"),
        "window.FlowWidget = { startSession() {} };\n",
    )
    .unwrap();
    std::fs::write(
        widget.join("flow-widget-core_bg.wasm"),
        [0u8, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    )
    .unwrap();
    std::fs::write(
        widget.join("flow-widget.css"),
        ":host { display: block; }\n",
    )
    .unwrap();
    widget
}

/// A fresh PostgreSQL database for one test, when the environment asks for PostgreSQL.
async fn database_url() -> Option<String> {
    let base = std::env::var("FLOW_TEST_DATABASE_URL").ok()?;
    sqlx::any::install_default_drivers();
    let name = format!("flow_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
        .await
        .unwrap();
    sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
    )
    .await
    .unwrap();
    let (head, _) = base.rsplit_once('/').unwrap();
    Some(format!("{head}/{name}"))
}

fn storage_url() -> Option<String> {
    let base = std::env::var("FLOW_TEST_STORAGE_URL").ok()?;
    Some(format!(
        "{}/t-{}",
        base.trim_end_matches('/'),
        uuid::Uuid::new_v4().simple()
    ))
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_full(configure, false).await
    }

    /// With the system clock (`clock` is then unused): for timing done by the server
    /// itself, such as webhook redelivery.
    pub async fn start_real_clock(configure: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_full(configure, true).await
    }

    async fn start_full(configure: impl FnOnce(&mut Config), real_clock: bool) -> TestServer {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let mut config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            widget_dir: fake_widget(dir.path()),
            database_url: database_url().await,
            storage_url: storage_url(),
            sweep_interval: Duration::from_secs(3600),
            ..Config::default()
        };
        config.webhooks.poll_interval = Duration::from_millis(50);
        config.webhooks.retry_base = Duration::from_millis(100);
        configure(&mut config);
        Self::launch(config, dir, real_clock).await
    }

    async fn launch(config: Config, dir: Arc<tempfile::TempDir>, real_clock: bool) -> TestServer {
        let clock = Arc::new(ManualClock::starting_now());
        let used: Arc<dyn flow_server::clock::Clock> = if real_clock {
            Arc::new(flow_server::clock::SystemClock)
        } else {
            clock.clone()
        };
        let state = AppState::open(config.clone(), used).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(flow_server::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        TestServer {
            base,
            state,
            clock,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            config,
            stop: Some(stop),
            task: Some(task),
            dir,
        }
    }

    /// Stops this server and starts another on the same data (a process restart).
    pub async fn restart(mut self) -> TestServer {
        self.shutdown().await;
        let config = self.config.clone();
        let dir = Arc::clone(&self.dir);
        Self::launch(config, dir, false).await
    }

    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        self.state.store.close().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A flow, created as the operator's CLI would (the domain call behind it).
    pub async fn flow(&self, technologies: &[&str], config: Value) -> FlowCreated {
        let config: FlowConfig = serde_json::from_value(config).unwrap();
        let codes: Vec<String> = technologies.iter().map(|t| t.to_string()).collect();
        flows::create_flow(&self.state.store, self.clock.as_ref(), &codes, config)
            .await
            .unwrap()
    }

    /// `POST /api/v1/flows/session/create/` → session id.
    pub async fn session(&self, flow: &FlowCreated) -> String {
        let (status, body) = self
            .json(
                Method::POST,
                "/api/v1/flows/session/create/",
                json!({"api_key": flow.api_key, "vendor_data": "user-42"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["session_id"].as_str().unwrap().to_owned()
    }

    /// A session that the widget has bootstrapped (PROGRESS).
    pub async fn started_session(&self, flow: &FlowCreated) -> String {
        let id = self.session(flow).await;
        let (status, body) = self.get(&format!("/api/v1/widget/sessions/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id
    }

    pub async fn json(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    pub async fn keyed(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("X-Flow-Api-Key", key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.client.get(self.url(path)).send().await.unwrap()).await
    }

    pub async fn raw(&self, method: Method, path: &str, body: &'static str) -> (StatusCode, Value) {
        let response = self
            .client
            .request(method, self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// `PUT …/captures/{capture_id}` with a meta header.
    pub async fn upload(
        &self,
        session: &str,
        capture_id: &str,
        meta: &Value,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let response = self
            .client
            .put(self.url(&format!(
                "/api/v1/widget/sessions/{session}/captures/{capture_id}"
            )))
            .header("content-type", content_type)
            .header("x-capture-meta", meta.to_string())
            .body(bytes)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    pub async fn result(&self, session: &str, key: &str) -> Value {
        let (status, body) = self
            .keyed(
                Method::GET,
                &format!("/api/v1/flows/session/result/light/?session_id={session}"),
                key,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn status_of(&self, session: &str, key: &str) -> String {
        self.result(session, key).await["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn capture_count(&self, session: &str) -> usize {
        self.state
            .store
            .captures(&session.parse().unwrap())
            .await
            .unwrap()
            .len()
    }

    pub async fn flow_count(&self) -> usize {
        self.state.store.flows().await.unwrap().len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// Asserts the spec's error shape and type.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, kind: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["type"], kind, "{}", got.1);
    assert!(got.1["error"]["detail"].is_string(), "{}", got.1);
    assert_eq!(got.1.as_object().unwrap().len(), 1, "{}", got.1);
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn meta(step: &str) -> Value {
    json!({"step": step, "source": "upload", "client_mrz": null,
           "quality": {"blur_score": 0.9, "glare_fraction": 0.0, "blurry": false, "glare": false},
           "width": 64, "height": 64})
}

/// A small PNG of noise: decodable, sharp, with no MRZ (rejected whatever the reader's
/// accuracy: there is nothing to read).
pub fn noise_png(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let v = (state & 0xff) as u8;
        image::Rgb([v, v.wrapping_mul(3), v.wrapping_add(91)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// CRC-32 (IEEE), for hand-made PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A tiny, valid PNG whose header claims `w`×`h` pixels: a decompression bomb's header.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of a few zero bytes (stored block).
    png_chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01,
        ],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A JPEG of `w`×`h` with an EXIF block saying "rotate 90° clockwise" (orientation 6).
pub fn jpeg_with_orientation_6(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut plain = std::io::Cursor::new(Vec::new());
    img.write_to(&mut plain, image::ImageFormat::Jpeg).unwrap();
    let plain = plain.into_inner();
    // APP1: "Exif\0\0", big-endian TIFF, one IFD entry: Orientation (0x0112) SHORT 6.
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&[0x00, 0x01]);
    tiff.extend_from_slice(&[
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
    ]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}
