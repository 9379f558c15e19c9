//! From camera frames and photos to captures: each video frame is analysed by the
//! vision core, turned into a steady hint and an MRZ outline for the overlay, and
//! captured automatically once the read is stable; a photo or the manual shutter goes
//! through the same analysis. The capture is the very frame that was analysed, encoded
//! as JPEG, so the server re-reads the pixels the widget read.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::{Blob, HtmlVideoElement};

use flow_protocol::{CaptureMeta, CaptureSource, ClientQuality, StepKind};
use kyc_vision::{Analysis, Analyzer, Date, Format, Frame, Parsed, PixelFormat};

use crate::browser::canvas::{self, Canvas, Pixels};
use crate::browser::video_frame;
use crate::guidance::{self, Hint, Stabiliser};

/// Frames are analysed at this long side: enough for the MRZ's print, and it bounds the
/// per-frame cost whatever the camera delivers.
const ANALYSIS_LONG_SIDE: u32 = 1280;
/// Photos larger than this are downscaled before anything else (the spec's limit).
const PHOTO_LONG_SIDE: u32 = 4000;
/// Analysis takes at most about half of the main thread: after a frame that took `t` ms,
/// frames arriving within `t` ms are skipped, and never more than one per this interval.
const MIN_FRAME_INTERVAL_MS: f64 = 40.0;

/// A picture ready for review and upload.
pub struct Still {
    pub blob: Blob,
    /// A `blob:` URL for the review screen (revoked when the still is dropped).
    pub preview: String,
    pub meta: CaptureMeta,
    /// What the widget read: `Some(true)` for a card (whose other side is asked for),
    /// `None` when nothing read and only the server will know.
    pub card: Option<bool>,
}

impl Drop for Still {
    fn drop(&mut self) {
        let _ = web_sys::Url::revoke_object_url(&self.preview);
    }
}

/// The MRZ outline in frame-relative coordinates (0–1), for the overlay.
pub type Outline = [(f32, f32); 4];

/// What the live view shows, updated frame by frame.
#[derive(Clone, Default)]
pub struct LiveView {
    pub hint: ArcRwSignal<Option<Hint>>,
    pub outline: ArcRwSignal<Option<Outline>>,
}

/// Today's date for the MRZ's expiry and century rules, from the device's clock (a
/// clock outside years 1–9999 gives none, and frames are then not analysed).
fn today() -> Option<Date> {
    let now = js_sys::Date::new_0();
    let year = u16::try_from(now.get_full_year()).ok()?;
    Date::new(year, now.get_month() as u8 + 1, now.get_date() as u8)
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// The analysis state of one widget: the vision core, a canvas to read pixels from, and
/// the buffer camera frames are copied into (reused: a 720p frame is 1.4 MB).
pub struct Analyst {
    analyzer: Analyzer,
    canvas: Canvas,
    scratch: Option<js_sys::Uint8Array>,
}

fn is_card(format: Format) -> bool {
    matches!(format, Format::Td1 | Format::Td2 | Format::FrenchId)
}

/// Encodes what `canvas` holds (the frame just analysed) as a capture.
async fn still(
    canvas: Canvas,
    step: &str,
    source: CaptureSource,
    analysis: &Analysis,
    read: Option<&Parsed>,
) -> Result<Still, JsValue> {
    let blob = canvas.to_jpeg().await?;
    let preview = web_sys::Url::create_object_url_with_blob(&blob)?;
    let read = read.or(analysis.read.as_ref());
    Ok(Still {
        blob,
        preview,
        meta: meta(step, source, analysis, read.map(|r| r.lines.clone())),
        card: read.map(|r| is_card(r.format)),
    })
}

fn meta(
    step: &str,
    source: CaptureSource,
    analysis: &Analysis,
    lines: Option<Vec<String>>,
) -> CaptureMeta {
    let q = &analysis.quality;
    CaptureMeta {
        step: step.to_owned(),
        source: Some(source),
        client_mrz: lines,
        quality: Some(ClientQuality {
            blur_score: Some(q.blur_score),
            glare_fraction: Some(q.glare_fraction),
            blurry: Some(q.blurry),
            glare: Some(q.glare),
        }),
        width: Some(analysis.width),
        height: Some(analysis.height),
    }
}

impl Analyst {
    pub fn new() -> Result<Analyst, JsValue> {
        let analyzer =
            Analyzer::new().map_err(|e| JsValue::from_str(&format!("vision model: {e:?}")))?;
        Ok(Analyst {
            analyzer,
            canvas: Canvas::new()?,
            scratch: None,
        })
    }

    fn frame_of(pixels: &Pixels) -> Result<Frame<'_>, JsValue> {
        Frame::new(&pixels.rgba, pixels.width, pixels.height, PixelFormat::Rgba)
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// A photo the user chose: decoded (EXIF orientation applied), downscaled past 4000 px,
    /// analysed on its own, re-encoded.
    pub async fn photo(
        this: &Rc<RefCell<Analyst>>,
        step: &str,
        file: &Blob,
    ) -> Result<Still, JsValue> {
        let bitmap = canvas::decode(file).await?;
        let (analysis, canvas) = {
            let mut a = this.borrow_mut();
            let pixels = a.canvas.draw_bitmap(&bitmap, PHOTO_LONG_SIDE);
            bitmap.close();
            let pixels = pixels?;
            let frame = Self::frame_of(&pixels)?;
            let today = today().ok_or("the device's clock is not usable")?;
            (a.analyzer.analyse(&frame, today), a.canvas.clone())
        };
        still(canvas, step, CaptureSource::Upload, &analysis, None).await
    }
}

/// One live capture session on a step: runs until it captures, or until `stop()`.
#[derive(Clone)]
pub struct Live {
    running: Rc<Cell<bool>>,
    shutter: Rc<Cell<bool>>,
    frames: Rc<RefCell<Option<canvas::FrameLoop>>>,
}

/// What one live session's frames share.
struct Session {
    analyst: Rc<RefCell<Analyst>>,
    video: HtmlVideoElement,
    step: String,
    kind: StepKind,
    view: LiveView,
    stabiliser: RefCell<Stabiliser<Option<Hint>>>,
    running: Rc<Cell<bool>>,
    shutter: Rc<Cell<bool>>,
    /// A frame is being analysed: new frames are dropped meanwhile.
    busy: Cell<bool>,
    next_at: Cell<f64>,
    on_still: Box<dyn Fn(Result<Still, JsValue>)>,
}

/// A frame's pixels: the camera's luma plane, or an RGBA read-back of the canvas.
enum Grabbed {
    Luma(video_frame::CameraFrame),
    Canvas(Pixels),
}

impl Live {
    /// Starts analysing `video` for `step` (of `kind`); `on_still` gets the capture.
    pub fn start(
        analyst: Rc<RefCell<Analyst>>,
        video: &HtmlVideoElement,
        step: String,
        kind: StepKind,
        view: LiveView,
        on_still: impl Fn(Result<Still, JsValue>) + 'static,
    ) -> Live {
        let live = Live {
            running: Rc::new(Cell::new(true)),
            shutter: Rc::default(),
            frames: Rc::default(),
        };
        analyst.borrow_mut().analyzer.reset_stream();
        let initial = match kind {
            StepKind::DocumentMrz => Some(Hint::Searching),
            StepKind::DocumentOtherSide => None,
        };
        view.hint.set(initial);
        view.outline.set(None);
        let session = Rc::new(Session {
            analyst,
            video: video.clone(),
            step,
            kind,
            view,
            stabiliser: RefCell::new(Stabiliser::new(initial)),
            running: live.running.clone(),
            shutter: live.shutter.clone(),
            busy: Cell::new(false),
            next_at: Cell::new(0.0),
            on_still: Box::new(on_still),
        });
        let frames = canvas::each_video_frame(video, move || {
            if !session.running.get() {
                return false;
            }
            let start = now_ms();
            if session.busy.get() || (start < session.next_at.get() && !session.shutter.get()) {
                return true;
            }
            session.busy.set(true);
            let session = session.clone();
            wasm_bindgen_futures::spawn_local(async move {
                session.frame(start).await;
                session.busy.set(false);
            });
            true
        });
        *live.frames.borrow_mut() = Some(frames);
        live
    }

    /// Captures the next frame whatever its analysis says (the manual shutter).
    pub fn shoot(&self) {
        self.shutter.set(true);
    }

    pub fn stop(&self) {
        self.running.set(false);
        if let Some(frames) = self.frames.borrow_mut().take() {
            frames.cancel();
        }
    }

    pub fn is_running(&self) -> bool {
        self.running.get()
    }
}

impl Session {
    async fn grab(&self) -> Option<Grabbed> {
        let window = web_sys::window()?;
        let mut scratch = self.analyst.borrow_mut().scratch.take();
        let fast = video_frame::grab(&window, &self.video, &mut scratch).await;
        self.analyst.borrow_mut().scratch = scratch;
        match fast {
            Some(frame) => Some(Grabbed::Luma(frame)),
            None => {
                let a = self.analyst.borrow();
                a.canvas
                    .draw_video(&self.video, ANALYSIS_LONG_SIDE)
                    .map(Grabbed::Canvas)
            }
        }
    }

    /// Analyses the current video frame; captures it when the rule (or the shutter) says.
    async fn frame(&self, start: f64) {
        let Some(grabbed) = self.grab().await else {
            return;
        };
        if !self.running.get() {
            return;
        }
        let manual = self.shutter.replace(false);
        let frame = match &grabbed {
            Grabbed::Luma(f) => Frame::new(&f.luma, f.width, f.height, PixelFormat::Gray),
            Grabbed::Canvas(p) => Frame::new(&p.rgba, p.width, p.height, PixelFormat::Rgba),
        };
        let (Ok(frame), Some(today)) = (frame, today()) else {
            return;
        };
        let (analysis, capture_read) = {
            let mut a = self.analyst.borrow_mut();
            match self.kind {
                StepKind::DocumentMrz => {
                    let (analysis, fused) = a.analyzer.push(&frame, today);
                    let read = guidance::auto_capture(&analysis, &fused).cloned();
                    (analysis, read)
                }
                StepKind::DocumentOtherSide => {
                    let quality = a.analyzer.assess_quality(&frame);
                    let analysis = Analysis {
                        width: frame.width(),
                        height: frame.height(),
                        quality,
                        quad: None,
                        read: None,
                        unverified: None,
                    };
                    (analysis, None)
                }
            }
        };
        let cost = now_ms() - start;
        self.next_at
            .set(start + (2.0 * cost).max(MIN_FRAME_INTERVAL_MS));

        let hint = match self.kind {
            StepKind::DocumentMrz => Some(guidance::mrz_hint(&analysis)),
            StepKind::DocumentOtherSide => guidance::quality_hint(&analysis),
        };
        self.view
            .hint
            .set(self.stabiliser.borrow_mut().update(hint, start));
        self.view.outline.set(analysis.quad.map(|q| {
            let (w, h) = (analysis.width as f32, analysis.height as f32);
            q.0.map(|p| (p.x / w, p.y / h))
        }));
        if capture_read.is_none() && !manual {
            return;
        }
        // Capture this very frame: stop analysing, put its pixels in the canvas, encode.
        self.running.set(false);
        let canvas = self.analyst.borrow().canvas.clone();
        if let Grabbed::Luma(f) = &grabbed {
            if let Err(err) = canvas.draw_source(f.source(), f.width, f.height) {
                (self.on_still)(Err(err));
                return;
            }
        }
        drop(grabbed);
        let source = CaptureSource::Camera;
        (self.on_still)(still(canvas, &self.step, source, &analysis, capture_read.as_ref()).await);
    }
}
