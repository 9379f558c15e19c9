//! Pixels in and out: video frames and photos drawn into a canvas, read back as RGBA
//! for the vision core, and encoded as JPEG by the browser's own encoder.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, ImageBitmap};

/// JPEG quality for captures: the MRZ must survive the server's re-read.
const JPEG_QUALITY: f64 = 0.92;

/// A canvas the widget draws frames into; never attached to the page. Clones share it.
#[derive(Clone)]
pub struct Canvas {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

/// One drawn picture's pixels, RGBA.
pub struct Pixels {
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The size that fits `long_side` with the aspect kept (never upscaled).
pub fn fit(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_side || long == 0 {
        return (width, height);
    }
    let scale = f64::from(long_side) / f64::from(long);
    (
        ((f64::from(width) * scale).round() as u32).max(1),
        ((f64::from(height) * scale).round() as u32).max(1),
    )
}

impl Canvas {
    pub fn new() -> Result<Canvas, JsValue> {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let canvas: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE)?;
        let ctx: CanvasRenderingContext2d = canvas
            .get_context_with_context_options("2d", &options)?
            .ok_or("no 2d context")?
            .dyn_into()?;
        Ok(Canvas { canvas, ctx })
    }

    fn resize(&self, width: u32, height: u32) {
        if self.canvas.width() != width || self.canvas.height() != height {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
    }

    fn read(&self, width: u32, height: u32) -> Result<Pixels, JsValue> {
        let data = self
            .ctx
            .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))?;
        Ok(Pixels {
            rgba: data.data().0,
            width,
            height,
        })
    }

    /// Draws the video's current frame, scaled to at most `long_side`, and reads it back.
    /// `None` while the video has no picture yet.
    pub fn draw_video(&self, video: &HtmlVideoElement, long_side: u32) -> Option<Pixels> {
        let (vw, vh) = (video.video_width(), video.video_height());
        if vw == 0 || vh == 0 {
            return None;
        }
        let (w, h) = fit(vw, vh, long_side);
        self.resize(w, h);
        self.ctx
            .draw_image_with_html_video_element_and_dw_and_dh(
                video,
                0.0,
                0.0,
                f64::from(w),
                f64::from(h),
            )
            .ok()?;
        self.read(w, h).ok()
    }

    /// Draws a decoded photo, scaled to at most `long_side`, and reads it back.
    pub fn draw_bitmap(&self, bitmap: &ImageBitmap, long_side: u32) -> Result<Pixels, JsValue> {
        let (w, h) = fit(bitmap.width(), bitmap.height(), long_side);
        if w == 0 || h == 0 {
            return Err("the picture is empty".into());
        }
        self.resize(w, h);
        self.ctx.draw_image_with_image_bitmap_and_dw_and_dh(
            bitmap,
            0.0,
            0.0,
            f64::from(w),
            f64::from(h),
        )?;
        self.read(w, h)
    }

    /// Draws any canvas image source (a WebCodecs `VideoFrame`) at `width`×`height`.
    pub fn draw_source(&self, source: &JsValue, width: u32, height: u32) -> Result<(), JsValue> {
        self.resize(width, height);
        let draw: js_sys::Function =
            js_sys::Reflect::get(&self.ctx, &"drawImage".into())?.dyn_into()?;
        let args = js_sys::Array::of5(
            source,
            &0.into(),
            &0.into(),
            &f64::from(width).into(),
            &f64::from(height).into(),
        );
        draw.apply(&self.ctx, &args).map(|_| ())
    }

    /// The canvas as it stands, as a JPEG.
    pub async fn to_jpeg(&self) -> Result<Blob, JsValue> {
        let canvas = self.canvas.clone();
        let promise = js_sys::Promise::new(&mut move |resolve, reject| {
            let fail = reject.clone();
            let done = Closure::once_into_js(move |blob: JsValue| {
                if blob.is_instance_of::<Blob>() {
                    let _ = resolve.call1(&JsValue::NULL, &blob);
                } else {
                    let _ = fail.call1(
                        &JsValue::NULL,
                        &"the browser could not encode the photo".into(),
                    );
                }
            });
            if let Err(e) = canvas.to_blob_with_type_and_encoder_options(
                done.unchecked_ref(),
                "image/jpeg",
                &JsValue::from_f64(JPEG_QUALITY),
            ) {
                let _ = reject.call1(&JsValue::NULL, &e);
            }
        });
        JsFuture::from(promise).await?.dyn_into()
    }
}

/// Decodes an image file (JPEG, PNG, WebP, …) with its EXIF orientation applied.
pub async fn decode(blob: &Blob) -> Result<ImageBitmap, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let bitmap = JsFuture::from(window.create_image_bitmap_with_blob(blob)?).await?;
    bitmap.dyn_into()
}

type Tick = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

/// A pending frame request: which API made it, and its id, for cancelling it.
#[derive(Clone, Copy)]
enum Pending {
    VideoFrame(u32),
    Animation(i32),
}

/// A running `each_video_frame` loop. `cancel` withdraws the pending request and frees
/// the callback (and what it holds): a `<video>` that left the page never calls back.
pub struct FrameLoop {
    tick: Tick,
    video: HtmlVideoElement,
    pending: Rc<Cell<Option<Pending>>>,
}

impl FrameLoop {
    pub fn cancel(&self) {
        match self.pending.take() {
            Some(Pending::VideoFrame(id)) => {
                let cancel = js_sys::Reflect::get(&self.video, &"cancelVideoFrameCallback".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
                if let Some(cancel) = cancel {
                    let _ = cancel.call1(&self.video, &id.into());
                }
            }
            Some(Pending::Animation(id)) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.cancel_animation_frame(id);
                }
            }
            None => {}
        }
        release(&self.tick);
    }
}

/// Drops the callback on the next turn: it may be the one running now.
fn release(tick: &Tick) {
    let tick = tick.clone();
    wasm_bindgen_futures::spawn_local(async move {
        tick.borrow_mut().take();
    });
}

/// Calls `f` for each new video frame (`requestVideoFrameCallback`, or animation frames
/// where it is missing) until `f` returns false or the loop is cancelled.
pub fn each_video_frame(video: &HtmlVideoElement, f: impl FnMut() -> bool + 'static) -> FrameLoop {
    let tick: Tick = Rc::default();
    let pending: Rc<Cell<Option<Pending>>> = Rc::default();
    let (again, video_for_tick, pending_for_tick) = (tick.clone(), video.clone(), pending.clone());
    let mut f = f;
    *tick.borrow_mut() = Some(Closure::new(move || {
        pending_for_tick.set(None);
        if f() {
            if let Some(cb) = again.borrow().as_ref() {
                pending_for_tick.set(schedule(&video_for_tick, cb));
            }
        } else {
            release(&again);
        }
    }));
    let first = tick.borrow().as_ref().and_then(|cb| schedule(video, cb));
    pending.set(first);
    FrameLoop {
        tick,
        video: video.clone(),
        pending,
    }
}

fn schedule(video: &HtmlVideoElement, cb: &Closure<dyn FnMut()>) -> Option<Pending> {
    let rvfc = js_sys::Reflect::get(video, &"requestVideoFrameCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(rvfc) = rvfc {
        if let Some(id) = rvfc.call1(video, cb.as_ref()).ok().and_then(|v| v.as_f64()) {
            return Some(Pending::VideoFrame(id as u32));
        }
    }
    let window = web_sys::window()?;
    let id = window
        .request_animation_frame(cb.as_ref().unchecked_ref())
        .ok()?;
    Some(Pending::Animation(id))
}
