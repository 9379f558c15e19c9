//! The upload queue: captures go to the session server in the background, one at a
//! time, each under a capture id made here so that a retry after a lost answer is an
//! idempotent repeat of the same PUT, never a second capture. Network failures are
//! retried with back-off for as long as the widget lives; what the server refuses is
//! reported once. Then `finish`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::Blob;

use flow_protocol::{
    CaptureId, CaptureMeta, CaptureResponse, FinishResponse, ReasonType, SessionId, Status,
    WidgetEvent, WidgetEventType,
};

use crate::browser::fetch::{self, FetchError};
use crate::browser::timer;

/// Waits between retries of a request that got no answer; the last repeats.
const BACKOFF_MS: [i32; 5] = [500, 1000, 2000, 4000, 8000];

/// Uploads done and queued, for the progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// The last attempt got no answer: the queue is waiting for the network.
    pub offline: bool,
}

/// What became of one capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// The server asks for a retake of the step (an attempt is spent).
    Rejected(Option<ReasonType>),
    /// The session cannot take captures any more (`flow:error` type and detail).
    Fatal(&'static str, String),
}

/// Where captures go.
#[derive(Clone)]
pub struct Endpoint {
    pub api_base: String,
    pub session: SessionId,
}

impl Endpoint {
    fn url(&self, rest: &str) -> String {
        format!(
            "{}/api/v1/widget/sessions/{}/{rest}",
            self.api_base.trim_end_matches('/'),
            self.session
        )
    }
}

struct Job {
    id: CaptureId,
    step: String,
    blob: Blob,
    meta: String,
}

type OnOutcome = Rc<dyn Fn(&str, Outcome)>;

struct Queue {
    endpoint: Endpoint,
    pending: Vec<Job>,
    sending: bool,
    on_outcome: OnOutcome,
    /// Cleared when the widget is destroyed: the worker stops between requests.
    live: bool,
}

/// The queue; cheap to clone, single-threaded like the page.
#[derive(Clone)]
pub struct Uploads {
    queue: Rc<RefCell<Queue>>,
    pub progress: ArcRwSignal<Progress>,
}

/// A fresh capture id: a random UUIDv4 from the browser's CSPRNG.
pub fn new_capture_id() -> Result<CaptureId, JsValue> {
    let mut bytes = [0u8; 16];
    let crypto = web_sys::window().ok_or("no window")?.crypto()?;
    crypto.get_random_values_with_u8_array(&mut bytes)?;
    Ok(CaptureId::from_uuid(
        uuid::Builder::from_random_bytes(bytes).into_uuid(),
    ))
}

impl Uploads {
    pub fn new(endpoint: Endpoint, on_outcome: impl Fn(&str, Outcome) + 'static) -> Uploads {
        Uploads {
            queue: Rc::new(RefCell::new(Queue {
                endpoint,
                pending: Vec::new(),
                sending: false,
                on_outcome: Rc::new(on_outcome),
                live: true,
            })),
            progress: ArcRwSignal::new(Progress::default()),
        }
    }

    /// Queues a capture of `step` and starts sending if idle.
    pub fn push(&self, step: &str, blob: Blob, meta: &CaptureMeta) -> Result<(), JsValue> {
        let meta = fetch::to_json(meta)?;
        let id = new_capture_id()?;
        self.queue.borrow_mut().pending.push(Job {
            id,
            step: step.to_owned(),
            blob,
            meta,
        });
        self.progress.update(|p| p.total += 1);
        self.kick();
        Ok(())
    }

    /// Whether every queued capture has an answer.
    pub fn idle(&self) -> bool {
        let q = self.queue.borrow();
        q.pending.is_empty() && !q.sending
    }

    /// Stops the worker (between requests) and forgets what is queued.
    pub fn shut_down(&self) {
        let mut q = self.queue.borrow_mut();
        q.live = false;
        q.pending.clear();
    }

    fn kick(&self) {
        {
            let mut q = self.queue.borrow_mut();
            if q.sending || q.pending.is_empty() || !q.live {
                return;
            }
            q.sending = true;
        }
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move { this.drain().await });
    }

    async fn drain(self) {
        loop {
            let (job, endpoint) = {
                let mut q = self.queue.borrow_mut();
                if !q.live || q.pending.is_empty() {
                    q.sending = false;
                    return;
                }
                (q.pending.remove(0), q.endpoint.clone())
            };
            let outcome = self.send(&endpoint, &job).await;
            let Some(outcome) = outcome else {
                return;
            };
            self.progress.update(|p| {
                p.done += 1;
                p.offline = false;
            });
            // Idle before reporting, so that whoever hears the last outcome sees it.
            let finished = {
                let mut q = self.queue.borrow_mut();
                if q.pending.is_empty() {
                    q.sending = false;
                }
                !q.sending
            };
            let report = {
                let q = self.queue.borrow();
                q.live.then(|| q.on_outcome.clone())
            };
            if let Some(report) = report {
                report(&job.step, outcome);
            }
            if finished {
                return;
            }
        }
    }

    /// PUTs one capture until it has an answer; `None` if the widget went away first.
    async fn send(&self, endpoint: &Endpoint, job: &Job) -> Option<Outcome> {
        let url = endpoint.url(&format!("captures/{}", job.id));
        let content_type = if job.blob.type_().is_empty() {
            "image/jpeg".to_owned()
        } else {
            job.blob.type_()
        };
        let headers = [
            ("Content-Type", content_type.as_str()),
            ("X-Capture-Meta", job.meta.as_str()),
        ];
        let mut backoff = BACKOFF_MS.iter().copied();
        let mut last = BACKOFF_MS[BACKOFF_MS.len() - 1];
        let mut retries = 0u32;
        let outcome = loop {
            if !self.queue.borrow().live {
                return None;
            }
            let answer: Result<CaptureResponse, FetchError> =
                fetch::send_json(&url, "PUT", &headers, job.blob.as_ref()).await;
            if let Some(outcome) = outcome_of(answer) {
                break outcome;
            }
            retries += 1;
            self.progress.update(|p| p.offline = true);
            let ms = backoff.next().unwrap_or(last);
            last = ms;
            timer::sleep(ms).await;
        };
        if retries > 0 {
            // Told once the upload has an answer: while offline, it could not be.
            let data = serde_json::json!({ "retries": retries });
            report_event(
                endpoint,
                WidgetEventType::UploadRetry,
                Some(&job.step),
                Some(data),
            );
        }
        Some(outcome)
    }
}

/// What an upload's answer means; `None` for answers worth retrying (no answer, 5xx).
fn outcome_of(answer: Result<CaptureResponse, FetchError>) -> Option<Outcome> {
    match answer {
        Ok(r) if r.accepted => Some(Outcome::Accepted),
        Ok(r) => Some(Outcome::Rejected(r.retake_reason)),
        Err(FetchError::Network(_)) => None,
        Err(FetchError::Status(code)) if code >= 500 => None,
        Err(FetchError::Status(404)) => Some(Outcome::Fatal(
            "session_not_found",
            "unknown session".into(),
        )),
        Err(FetchError::Status(410)) => Some(Outcome::Fatal(
            "session_closed",
            "the session is closed".into(),
        )),
        Err(FetchError::Status(code)) => Some(Outcome::Fatal(
            "upload_rejected",
            format!("capture upload answered {code}"),
        )),
        Err(FetchError::Body(d)) => Some(Outcome::Fatal("internal", d)),
    }
}

/// Why `finish` did not close the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishError {
    /// `409 uploads_pending`: a step still needs a capture (e.g. a card's other side
    /// that the widget could not know was needed).
    Pending,
    /// `flow:error` type and detail.
    Fatal(&'static str, String),
}

/// `POST …/finish`, retried while the network is away; a repeat is harmless.
pub async fn finish(endpoint: &Endpoint, live: impl Fn() -> bool) -> Result<Status, FinishError> {
    let url = endpoint.url("finish");
    let mut backoff = BACKOFF_MS.iter().copied();
    let mut last = BACKOFF_MS[BACKOFF_MS.len() - 1];
    let body = JsValue::from_str("{}");
    loop {
        let answer: Result<FinishResponse, FetchError> =
            fetch::send_json(&url, "POST", &[("Content-Type", "application/json")], &body).await;
        match answer {
            Ok(r) => return Ok(r.status),
            Err(FetchError::Status(409)) => return Err(FinishError::Pending),
            Err(FetchError::Status(404)) => {
                return Err(FinishError::Fatal(
                    "session_not_found",
                    "unknown session".into(),
                ))
            }
            Err(FetchError::Status(410)) => {
                return Err(FinishError::Fatal(
                    "session_closed",
                    "the session is closed".into(),
                ))
            }
            Err(FetchError::Status(code)) if code < 500 => {
                return Err(FinishError::Fatal(
                    "internal",
                    format!("finish answered {code}"),
                ))
            }
            Err(FetchError::Body(d)) => return Err(FinishError::Fatal("internal", d)),
            Err(_) => {}
        }
        if !live() {
            return Err(FinishError::Fatal(
                "internal",
                "the widget was destroyed".into(),
            ));
        }
        let ms = backoff.next().unwrap_or(last);
        last = ms;
        timer::sleep(ms).await;
    }
}

/// `POST …/events`: telemetry for the back office (no personal data). One attempt, never
/// retried, never waited for: it must not compete with captures for a weak network.
pub fn report_event(
    endpoint: &Endpoint,
    kind: WidgetEventType,
    step: Option<&str>,
    data: Option<serde_json::Value>,
) {
    let event = WidgetEvent {
        kind,
        step: step.map(str::to_owned),
        at: serde_json::Value::from(js_sys::Date::now() as u64),
        data,
    };
    let Ok(body) = fetch::to_json(&event) else {
        return;
    };
    let url = endpoint.url("events");
    wasm_bindgen_futures::spawn_local(async move {
        let body = JsValue::from_str(&body);
        let headers = [("Content-Type", "application/json")];
        let _ = fetch::send(&url, "POST", &headers, Some(&body)).await;
    });
}
