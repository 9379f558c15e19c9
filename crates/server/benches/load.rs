//! Load on loopback, printed, never asserted: session create and capture upload against
//! the real server (in this process, SQLite and files in a temporary directory), with
//! the real HTTP client. Bounded in count and time; only 127.0.0.1 is contacted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use flow_server::clock::SystemClock;
use flow_server::{AppState, Config};
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

struct Figures {
    what: &'static str,
    n: usize,
    concurrency: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    failures: usize,
}

impl Figures {
    fn print(mut self) {
        self.latencies.sort();
        let at = |q: f64| {
            let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
            self.latencies.get(i).copied().unwrap_or_default()
        };
        println!(
            "{:<28} n={:<5} concurrency={:<3} {:>8.1} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   failures {}",
            self.what,
            self.n,
            self.concurrency,
            self.n as f64 / self.elapsed.as_secs_f64(),
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            self.failures,
        );
    }
}

async fn run<F, Fut>(what: &'static str, n: usize, concurrency: usize, job: F) -> Figures
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    let results: Vec<(Duration, bool)> = stream::iter(0..n)
        .map(|i| {
            let fut = job(i);
            async move {
                let t = Instant::now();
                let ok = fut.await;
                (t.elapsed(), ok)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    Figures {
        what,
        n,
        concurrency,
        elapsed: start.elapsed(),
        failures: results.iter().filter(|(_, ok)| !ok).count(),
        latencies: results.into_iter().map(|(d, _)| d).collect(),
    }
}

/// A camera-like frame: one from `tests/data/frames` when present, else noise.
fn frame() -> (Vec<u8>, &'static str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/frames");
    if let Ok(bytes) = std::fs::read(dir.join("mixed-16-0005.jpg")) {
        return (bytes, "1280×720 JPEG frame");
    }
    let img = image::RgbImage::from_fn(1280, 720, |x, y| {
        let v = ((x * 31 + y * 17) % 251) as u8;
        image::Rgb([v, v, v])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    (out.into_inner(), "1280×720 synthetic JPEG")
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().join("data"),
        widget_dir: dir.path().join("dist"),
        ..Config::default()
    };
    let state = AppState::open(config, Arc::new(SystemClock)).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(flow_server::serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    let flow = flow_server::domain::flows::create_flow(
        &state.store,
        &SystemClock,
        &["MRZ".to_owned(), "DOCUMENT_RECOGNITION".to_owned()],
        Default::default(),
    )
    .await
    .unwrap();
    let client = reqwest::Client::new();
    println!(
        "== session server on loopback ({}, {} cores, SQLite + files)",
        std::env::consts::ARCH,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let create = |_| {
        let client = client.clone();
        let url = format!("{base}/api/v1/flows/session/create/");
        let body = json!({"api_key": flow.api_key, "vendor_data": "bench"});
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    };
    run("session create", 2000, 32, create).await.print();

    // Uploads: 10 captures per session (the quota is 20), each analysed by the server.
    let (bytes, kind) = frame();
    let sessions: Vec<String> = stream::iter(0..20)
        .then(|_| {
            let client = client.clone();
            let url = format!("{base}/api/v1/flows/session/create/");
            let body = json!({"api_key": flow.api_key});
            async move {
                let v: Value = client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                v["session_id"].as_str().unwrap().to_owned()
            }
        })
        .collect()
        .await;
    let meta = json!({"step": "mrz_side", "source": "camera"}).to_string();
    let upload = |i: usize| {
        let client = client.clone();
        let session = &sessions[i % sessions.len()];
        let url = format!(
            "{base}/api/v1/widget/sessions/{session}/captures/{}",
            uuid::Uuid::new_v4()
        );
        let body = bytes.clone();
        let meta = meta.clone();
        async move {
            client
                .put(url)
                .header("content-type", "image/jpeg")
                .header("x-capture-meta", meta)
                .body(body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    };
    println!("   (uploads: {kind}, {} kB)", bytes.len() / 1024);
    run("capture upload + analysis", 200, 4, upload)
        .await
        .print();

    let _ = stop.send(());
    let _ = server.await;
}
