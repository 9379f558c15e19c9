//! The end user's path through a session, after the bootstrap: intro → camera (or
//! photo upload) → review → the next step → sending → done, with `finish`. It owns the
//! camera, the analysis and the upload queue; the UI shows `screen` and calls back in.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlVideoElement};

use flow_protocol::{Bootstrap, ReasonType, Step, StepKind, StepWhen, WidgetEventType};

use crate::browser::camera::{self, Camera, CameraError};
use crate::browser::events;
use crate::capture::{Analyst, Live, LiveView, Still};
use crate::upload::{self, Endpoint, FinishError, Outcome, Uploads};

/// The manual shutter appears after this long without an automatic capture.
pub const SHUTTER_AFTER_MS: i32 = 8000;

/// What the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Intro,
    /// Waiting for the camera (the browser's permission prompt).
    Starting {
        step: usize,
    },
    Live {
        step: usize,
    },
    /// No camera picture: why, and the photo upload instead.
    NoCamera {
        step: usize,
        denied: bool,
    },
    Review {
        step: usize,
        preview: String,
    },
    /// Every step captured; uploads finishing, then `finish`.
    Sending,
    Done,
    /// The session cannot go on (message id of the locale files).
    Failed(&'static str),
}

/// Whether `step` applies to a document that read as a card (`None`: not known).
fn applies(step: &Step, card: Option<bool>) -> bool {
    match step.when {
        Some(StepWhen::Card) => card == Some(true),
        None => true,
    }
}

/// The message id for a retake reason.
pub fn retake_message(reason: Option<ReasonType>) -> &'static str {
    match reason {
        Some(ReasonType::MrzNotFound | ReasonType::MrzCheckDigitMismatch) => "retake-mrz-not-found",
        Some(ReasonType::ImageQuality) => "retake-image-quality",
        _ => "retake-other",
    }
}

struct State {
    camera: Option<Camera>,
    live: Option<Live>,
    still: Option<Still>,
    /// Read from the MRZ side: decides whether the card-only steps apply.
    card: Option<bool>,
    /// Rejections per step (by index), against the session's `max_attempts`.
    rejected: Vec<u32>,
    /// Steps whose capture the server accepted.
    accepted: Vec<bool>,
    visibility: Option<Closure<dyn FnMut()>>,
}

struct Inner {
    host: web_sys::HtmlElement,
    endpoint: Endpoint,
    session_id: String,
    boot: Bootstrap,
    analyst: Rc<RefCell<Analyst>>,
    uploads: Uploads,
    state: RefCell<State>,
    alive: Cell<bool>,
}

/// One session's flow; cheap to clone into the UI's callbacks.
#[derive(Clone)]
pub struct Flow {
    inner: SendWrapper<Rc<Inner>>,
    pub screen: ArcRwSignal<Screen>,
    /// A retake reason to show on the step's capture screen (message id).
    pub notice: ArcRwSignal<Option<&'static str>>,
    pub view: LiveView,
    pub progress: ArcRwSignal<upload::Progress>,
    pub shutter: ArcRwSignal<bool>,
    pub torch: ArcRwSignal<Option<bool>>,
    pub cameras: ArcRwSignal<usize>,
    /// A camera request is with the browser (its permission prompt may be open).
    opening: SendWrapper<Rc<Cell<bool>>>,
}

impl PartialEq for Flow {
    fn eq(&self, other: &Flow) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flow")
            .field("session", &self.inner.session_id)
            .finish()
    }
}

impl Flow {
    pub fn new(
        host: web_sys::HtmlElement,
        session_id: String,
        boot: Bootstrap,
        api_base: String,
    ) -> Result<Flow, JsValue> {
        let analyst = Rc::new(RefCell::new(Analyst::new()?));
        let steps = boot.steps.len();
        let endpoint = Endpoint {
            api_base,
            session: boot.session_id,
        };
        // The queue reports back through a weak link, so that the flow can be dropped.
        let slot: Rc<RefCell<Option<Flow>>> = Rc::default();
        let outcome_slot = Rc::downgrade(&slot);
        let uploads = Uploads::new(endpoint.clone(), move |step, outcome| {
            let flow = outcome_slot.upgrade().and_then(|s| s.borrow().clone());
            if let Some(flow) = flow {
                flow.on_outcome(step, outcome);
            }
        });
        let flow = Flow {
            progress: uploads.progress.clone(),
            inner: SendWrapper::new(Rc::new(Inner {
                host,
                endpoint,
                session_id,
                boot,
                analyst,
                uploads,
                state: RefCell::new(State {
                    camera: None,
                    live: None,
                    still: None,
                    card: None,
                    rejected: vec![0; steps],
                    accepted: vec![false; steps],
                    visibility: None,
                }),
                alive: Cell::new(true),
            })),
            screen: ArcRwSignal::new(Screen::Intro),
            notice: ArcRwSignal::new(None),
            view: LiveView::default(),
            shutter: ArcRwSignal::new(false),
            torch: ArcRwSignal::new(None),
            cameras: ArcRwSignal::new(0),
            opening: SendWrapper::new(Rc::default()),
        };
        *slot.borrow_mut() = Some(flow.clone());
        // The slot lives as long as the flow's own state: a cycle broken by `destroy`.
        flow.inner.state.borrow_mut().visibility = Some(flow.watch_visibility(slot));
        Ok(flow)
    }

    pub fn steps(&self) -> &[Step] {
        &self.inner.boot.steps
    }

    pub fn boot(&self) -> &Bootstrap {
        &self.inner.boot
    }

    /// The steps that apply as far as is known: `(position, count)` of `step`.
    pub fn position(&self, step: usize) -> (usize, usize) {
        let card = self.inner.state.borrow().card;
        let known: Vec<usize> = (0..self.steps().len())
            .filter(|&i| applies(&self.steps()[i], card.or(Some(true))))
            .collect();
        let index = known.iter().position(|&i| i == step).unwrap_or(0);
        (index, known.len())
    }

    /// Pauses the camera while the page is hidden, resumes it after.
    fn watch_visibility(&self, slot: Rc<RefCell<Option<Flow>>>) -> Closure<dyn FnMut()> {
        let handler = Closure::<dyn FnMut()>::new(move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if let Some(flow) = slot.borrow().as_ref() {
                if let Some(camera) = flow.inner.state.borrow().camera.as_ref() {
                    camera.set_enabled(!hidden);
                }
            }
        });
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.add_event_listener_with_callback(
                "visibilitychange",
                handler.as_ref().unchecked_ref(),
            );
        }
        handler
    }

    fn emit(&self, name: &str, fields: &[(&str, JsValue)]) {
        if !self.inner.alive.get() {
            return;
        }
        let mut all = vec![("session_id", JsValue::from_str(&self.inner.session_id))];
        all.extend(fields.iter().cloned());
        events::dispatch(&self.inner.host, name, &all);
    }

    fn error(&self, kind: &str, detail: &str) {
        self.emit(
            "flow:error",
            &[
                ("type", JsValue::from_str(kind)),
                ("detail", JsValue::from_str(detail)),
            ],
        );
    }

    /// The intro's start button: the first step.
    pub fn start(&self) {
        self.begin_step(0);
    }

    fn begin_step(&self, step: usize) {
        if !self.inner.alive.get() {
            return;
        }
        let (index, count) = self.position(step);
        self.emit(
            "flow:step",
            &[
                ("step", JsValue::from_str(self.steps()[step].id.as_str())),
                ("index", JsValue::from(index as u32)),
                ("count", JsValue::from(count as u32)),
            ],
        );
        self.telemetry(WidgetEventType::StepStarted, step, None);
        self.open_camera(step);
    }

    fn telemetry(&self, kind: WidgetEventType, step: usize, data: Option<serde_json::Value>) {
        let id = self.steps()[step].id.as_str();
        upload::report_event(&self.inner.endpoint, kind, Some(id), data);
    }

    /// A camera problem: shown, reported to the host page and to the back office.
    fn camera_failed(&self, step: usize, err: &CameraError) {
        self.screen.set(Screen::NoCamera {
            step,
            denied: *err == CameraError::Denied,
        });
        self.error(err.event_type(), &err.detail());
        let data = serde_json::json!({ "type": err.event_type() });
        self.telemetry(WidgetEventType::CameraError, step, Some(data));
    }

    /// Shows the camera for `step`, asking for it the first time.
    fn open_camera(&self, step: usize) {
        if self.inner.state.borrow().camera.is_some() {
            self.screen.set(Screen::Live { step });
            return;
        }
        if !camera::supported() {
            let why = "this page cannot use a camera (getUserMedia is not available)";
            self.camera_failed(step, &CameraError::Unavailable(why.into()));
            return;
        }
        self.screen.set(Screen::Starting { step });
        if self.opening.replace(true) {
            // A request is already with the browser: its answer serves this step too.
            return;
        }
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let opened = Camera::open().await;
            this.opening.set(false);
            // The step waiting for the camera now (it may have changed meanwhile).
            let waiting = match this.screen.get_untracked() {
                Screen::Starting { step } => Some(step),
                _ => None,
            };
            match (opened, waiting) {
                (Ok(camera), Some(step)) if this.inner.alive.get() => {
                    this.torch.set(camera.has_torch().then_some(false));
                    this.inner.state.borrow_mut().camera = Some(camera);
                    this.cameras.set(camera::video_inputs().await.len());
                    if this.screen.get_untracked() == (Screen::Starting { step }) {
                        this.screen.set(Screen::Live { step });
                    }
                }
                // Nobody waits any more (destroyed, or the session ended): let it go.
                (Ok(camera), _) => camera.stop(),
                (Err(err), Some(step)) if this.inner.alive.get() => this.camera_failed(step, &err),
                (Err(_), _) => {}
            }
        });
    }

    /// The camera screen's retry (after the user changed the permission).
    pub fn retry_camera(&self, step: usize) {
        self.open_camera(step);
    }

    /// The live view's video element is in the page: show the stream and analyse it.
    pub fn attach_video(&self, step: usize, video: &HtmlVideoElement) {
        let Some(stream) = self
            .inner
            .state
            .borrow()
            .camera
            .as_ref()
            .map(|c| c.stream().clone())
        else {
            return;
        };
        video.set_muted(true);
        video.set_src_object(Some(&stream));
        let _ = video.play();
        self.shutter.set(false);
        let this = self.clone();
        let kind = self.steps()[step].kind;
        let step_id = self.steps()[step].id.as_str().to_owned();
        let live = Live::start(
            self.inner.analyst.clone(),
            video,
            step_id,
            kind,
            self.view.clone(),
            move |still| this.captured(step, still),
        );
        let previous = self.inner.state.borrow_mut().live.replace(live.clone());
        if let Some(previous) = previous {
            previous.stop();
        }
        let shutter = self.shutter.clone();
        let delay = match kind {
            StepKind::DocumentMrz => SHUTTER_AFTER_MS,
            StepKind::DocumentOtherSide => 0,
        };
        wasm_bindgen_futures::spawn_local(async move {
            crate::browser::timer::sleep(delay).await;
            if live.is_running() {
                shutter.set(true);
            }
        });
    }

    /// The live view left the page.
    pub fn detach_video(&self) {
        if let Some(live) = self.inner.state.borrow_mut().live.take() {
            live.stop();
        }
    }

    pub fn shoot(&self) {
        if let Some(live) = self.inner.state.borrow().live.as_ref() {
            live.shoot();
        }
    }

    pub fn toggle_torch(&self) {
        let Some(on) = self.torch.get_untracked() else {
            return;
        };
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let camera = this.inner.state.borrow().camera.clone();
            let camera_ok = match camera {
                Some(c) => c.set_torch(!on).await,
                None => false,
            };
            if camera_ok {
                this.torch.set(Some(!on));
            }
        });
    }

    /// Moves to the next camera in the device list.
    pub fn switch_camera(&self) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let devices = camera::video_inputs().await;
            let current = this
                .inner
                .state
                .borrow()
                .camera
                .as_ref()
                .and_then(|c| c.device_id());
            let next = match current.and_then(|c| devices.iter().position(|d| *d == c)) {
                Some(i) => devices.get((i + 1) % devices.len()).cloned(),
                None => devices.first().cloned(),
            };
            let Some(next) = next else {
                return;
            };
            let Some(camera) = this.inner.state.borrow().camera.clone() else {
                return;
            };
            let switched = camera.switch_to(&next).await.map(|()| camera.has_torch());
            match switched {
                Ok(torch) => this.torch.set(torch.then_some(false)),
                Err(err) => this.error(err.event_type(), &err.detail()),
            }
        });
    }

    /// A photo chosen by the user, for `step`.
    pub fn use_photo(&self, step: usize, file: Blob) {
        let this = self.clone();
        let step_id = self.steps()[step].id.as_str().to_owned();
        wasm_bindgen_futures::spawn_local(async move {
            let still = Analyst::photo(&this.inner.analyst, &step_id, &file).await;
            match still {
                Ok(still) => this.captured(step, Ok(still)),
                Err(_) => this.notice.set(Some("photo-unreadable")),
            }
        });
    }

    fn captured(&self, step: usize, still: Result<Still, JsValue>) {
        if !self.inner.alive.get() {
            return;
        }
        match still {
            Ok(still) => {
                let preview = still.preview.clone();
                self.inner.state.borrow_mut().still = Some(still);
                self.notice.set(None);
                self.screen.set(Screen::Review { step, preview });
            }
            Err(err) => {
                let detail = err
                    .as_string()
                    .unwrap_or_else(|| "the photo could not be taken".into());
                self.error("internal", &detail);
                self.screen.set(Screen::Live { step });
            }
        }
    }

    /// Review: take it again.
    pub fn retake(&self, step: usize) {
        self.telemetry(WidgetEventType::Retake, step, None);
        let source_upload = {
            let mut state = self.inner.state.borrow_mut();
            let upload = state.camera.is_none();
            state.still = None;
            upload
        };
        if source_upload {
            self.open_camera(step);
        } else {
            self.screen.set(Screen::Live { step });
        }
    }

    /// Review: use it. The upload starts in the background and the user moves on.
    pub fn accept(&self, step: usize) {
        let Some(still) = self.inner.state.borrow_mut().still.take() else {
            return;
        };
        if self.steps()[step].kind == StepKind::DocumentMrz {
            self.inner.state.borrow_mut().card = still.card;
        }
        let id = self.steps()[step].id.as_str().to_owned();
        if let Err(err) = self
            .inner
            .uploads
            .push(&id, still.blob.clone(), &still.meta)
        {
            let detail = err
                .as_string()
                .unwrap_or_else(|| "the capture could not be queued".into());
            self.error("internal", &detail);
            self.screen.set(Screen::Failed("error-internal"));
            return;
        }
        self.next_after(step);
    }

    fn next_after(&self, step: usize) {
        let card = self.inner.state.borrow().card;
        let next = (step + 1..self.steps().len()).find(|&i| applies(&self.steps()[i], card));
        match next {
            Some(next) => self.begin_step(next),
            None => self.send(),
        }
    }

    /// All steps captured: wait for the uploads, then `finish`.
    fn send(&self) {
        self.detach_video();
        self.screen.set(Screen::Sending);
        self.try_finish();
    }

    fn try_finish(&self) {
        if self.screen.get_untracked() != Screen::Sending || !self.inner.uploads.idle() {
            return;
        }
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let alive = this.inner.clone();
            let result = upload::finish(&this.inner.endpoint, move || alive.alive.get()).await;
            if !this.inner.alive.get() || this.screen.get_untracked() != Screen::Sending {
                return;
            }
            match result {
                Ok(_) => {
                    this.stop_camera();
                    this.screen.set(Screen::Done);
                    this.emit("finish", &[]);
                }
                Err(FinishError::Pending) => {
                    // The server read a card the widget could not: its other side is due.
                    let missing =
                        (0..this.steps().len()).find(|&i| !this.inner.state.borrow().accepted[i]);
                    match missing {
                        Some(step) => {
                            this.inner.state.borrow_mut().card = Some(true);
                            this.begin_step(step);
                        }
                        None => this.fail(
                            "internal",
                            "finish answered uploads_pending",
                            "error-internal",
                        ),
                    }
                }
                Err(FinishError::Fatal(kind, detail)) => {
                    this.fail(kind, &detail, fatal_message(kind))
                }
            }
        });
    }

    fn on_outcome(&self, step_id: &str, outcome: Outcome) {
        let Some(step) = self.steps().iter().position(|s| s.id.as_str() == step_id) else {
            return;
        };
        match outcome {
            Outcome::Accepted => {
                self.inner.state.borrow_mut().accepted[step] = true;
                self.try_finish();
            }
            Outcome::Rejected(reason) => {
                let spent = {
                    let mut state = self.inner.state.borrow_mut();
                    state.rejected[step] += 1;
                    state.rejected[step] >= self.inner.boot.limits.max_attempts
                };
                if spent {
                    // No attempt left: `finish` settles the session (FAILED).
                    self.try_finish();
                    return;
                }
                self.emit_retake_return(step, reason);
            }
            Outcome::Fatal(kind, detail) => self.fail(kind, &detail, fatal_message(kind)),
        }
    }

    /// A late rejection: back to that step, with the reason.
    fn emit_retake_return(&self, step: usize, reason: Option<ReasonType>) {
        self.notice.set(Some(retake_message(reason)));
        let on_step = matches!(
            self.screen.get_untracked(),
            Screen::Live { step: s } | Screen::Starting { step: s } | Screen::NoCamera { step: s, .. } if s == step
        );
        if !on_step {
            self.inner.state.borrow_mut().still = None;
            self.begin_step(step);
        }
    }

    fn fail(&self, kind: &str, detail: &str, message: &'static str) {
        self.detach_video();
        self.stop_camera();
        self.inner.uploads.shut_down();
        self.screen.set(Screen::Failed(message));
        self.error(kind, detail);
    }

    fn stop_camera(&self) {
        if let Some(camera) = self.inner.state.borrow_mut().camera.take() {
            camera.stop();
        }
    }

    /// Stops everything: camera, analysis, uploads, listeners. Idempotent.
    pub fn destroy(&self) {
        self.inner.alive.set(false);
        self.detach_video();
        self.stop_camera();
        self.inner.uploads.shut_down();
        let handler = self.inner.state.borrow_mut().visibility.take();
        if let (Some(handler), Some(doc)) = (handler, web_sys::window().and_then(|w| w.document()))
        {
            let _ = doc.remove_event_listener_with_callback(
                "visibilitychange",
                handler.as_ref().unchecked_ref(),
            );
        }
    }
}

fn fatal_message(kind: &str) -> &'static str {
    match kind {
        "session_not_found" => "error-not-found",
        "session_closed" => "error-closed",
        "upload_rejected" => "error-upload-rejected",
        _ => "error-internal",
    }
}
