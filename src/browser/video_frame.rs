//! The fast way to a camera frame's pixels: WebCodecs' `VideoFrame`, whose luma plane is
//! copied as it is — no colour conversion, a quarter of the bytes of a canvas
//! read-back. Taken only when the browser has it and the frame's buffer is upright at
//! the video's own size; otherwise the caller draws the video into a canvas.

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlVideoElement, Window};

/// Planar 8-bit formats whose first plane is the luma.
const LUMA_FIRST: [&str; 5] = ["I420", "I420A", "I422", "I444", "NV12"];

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn number(target: &JsValue, key: &str) -> Option<f64> {
    get(target, key)?.as_f64()
}

fn call(target: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method)
        .ok_or_else(|| JsValue::from_str(method))?
        .dyn_into()?;
    f.apply(target, args)
}

/// One camera frame, closed when dropped (frames hold camera buffers).
pub struct CameraFrame {
    frame: JsValue,
    pub width: u32,
    pub height: u32,
    pub luma: Vec<u8>,
}

impl Drop for CameraFrame {
    fn drop(&mut self) {
        let _ = call(&self.frame, "close", &Array::new());
    }
}

impl CameraFrame {
    /// The frame as a canvas image source, for encoding it as the capture.
    pub fn source(&self) -> &JsValue {
        &self.frame
    }
}

/// Closes a frame that did not make it into a `CameraFrame`.
struct Guard(Option<JsValue>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(frame) = self.0.take() {
            let _ = call(&frame, "close", &Array::new());
        }
    }
}

/// Copies the luma plane of `video`'s current frame; `None` when this path does not
/// apply (no WebCodecs, an RGB or rotated buffer, no frame yet).
pub async fn grab(
    window: &Window,
    video: &HtmlVideoElement,
    scratch: &mut Option<Uint8Array>,
) -> Option<CameraFrame> {
    let ctor: Function = get(window, "VideoFrame")?.dyn_into().ok()?;
    let frame = Reflect::construct(&ctor, &Array::of1(video)).ok()?;
    let mut guard = Guard(Some(frame.clone()));
    let format = get(&frame, "format")?.as_string()?;
    if !LUMA_FIRST.contains(&format.as_str()) {
        return None;
    }
    let rect = get(&frame, "visibleRect")?;
    let (x, y) = (number(&rect, "x")?, number(&rect, "y")?);
    let (w, h) = (number(&rect, "width")?, number(&rect, "height")?);
    let upright = number(&frame, "rotation").unwrap_or(0.0) == 0.0
        && !get(&frame, "flip").is_some_and(|f| f.is_truthy())
        && number(&frame, "displayWidth")? == w
        && number(&frame, "displayHeight")? == h
        && f64::from(video.video_width()) == w
        && f64::from(video.video_height()) == h;
    // Chroma planes are subsampled from even positions: an odd visible origin would need
    // a conversion this path exists to avoid.
    if !upright || x % 2.0 != 0.0 || y % 2.0 != 0.0 || w < 1.0 || h < 1.0 {
        return None;
    }
    let size = call(&frame, "allocationSize", &Array::new())
        .ok()?
        .as_f64()? as u32;
    let buffer = match scratch.take() {
        Some(b) if b.length() == size => b,
        _ => Uint8Array::new_with_length(size),
    };
    let layout = JsFuture::from(
        call(&frame, "copyTo", &Array::of1(&buffer))
            .ok()?
            .dyn_into::<js_sys::Promise>()
            .ok()?,
    )
    .await
    .ok()?;
    let plane: Object = Array::from(&layout).get(0).dyn_into().ok()?;
    let offset = number(&plane, "offset")? as u32;
    let stride = number(&plane, "stride")? as u32;
    let (width, height) = (w as u32, h as u32);
    if stride < width || offset + stride * (height - 1) + width > size {
        return None;
    }
    let mut luma = vec![0u8; width as usize * height as usize];
    if stride == width {
        buffer
            .subarray(offset, offset + width * height)
            .copy_to(&mut luma);
    } else {
        for (row, out) in luma.chunks_exact_mut(width as usize).enumerate() {
            let start = offset + stride * row as u32;
            buffer.subarray(start, start + width).copy_to(out);
        }
    }
    *scratch = Some(buffer);
    let frame = guard.0.take()?;
    Some(CameraFrame {
        frame,
        width,
        height,
        luma,
    })
}
