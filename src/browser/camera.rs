//! The camera: one `MediaStream` for the whole session, rear camera preferred, device
//! switch by swapping the stream's track, torch where the track offers it.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MediaDeviceInfo, MediaDeviceKind, MediaStream, MediaStreamConstraints, MediaStreamTrack,
};

/// Why there is no camera picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraError {
    /// The user or the browser's settings refused access.
    Denied,
    /// No camera, no `getUserMedia` (insecure context, some in-app browsers), or the
    /// camera is busy in another application.
    Unavailable(String),
}

impl CameraError {
    /// The `flow:error` type of the spec.
    pub fn event_type(&self) -> &'static str {
        match self {
            CameraError::Denied => "camera_denied",
            CameraError::Unavailable(_) => "camera_unavailable",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            CameraError::Denied => "camera permission denied".to_owned(),
            CameraError::Unavailable(d) => d.clone(),
        }
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object we just made cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Video constraints: a document needs detail, so ask for 1280×720 or more, from the
/// given device or else the rear camera.
fn constraints(device_id: Option<&str>) -> MediaStreamConstraints {
    let video = Object::new();
    let ideal = |v: &JsValue| {
        let o = Object::new();
        set(&o, "ideal", v);
        o
    };
    set(&video, "width", &ideal(&JsValue::from(1280)));
    set(&video, "height", &ideal(&JsValue::from(720)));
    match device_id {
        Some(id) => {
            let exact = Object::new();
            set(&exact, "exact", &JsValue::from_str(id));
            set(&video, "deviceId", &exact);
        }
        None => set(
            &video,
            "facingMode",
            &ideal(&JsValue::from_str("environment")),
        ),
    }
    let c = MediaStreamConstraints::new();
    c.set_audio(&JsValue::FALSE);
    c.set_video(&video);
    c
}

fn media_devices() -> Result<web_sys::MediaDevices, CameraError> {
    let navigator = web_sys::window()
        .ok_or_else(|| CameraError::Unavailable("no window".into()))?
        .navigator();
    // `mediaDevices` is absent outside secure contexts: check before touching it.
    let present = Reflect::get(&navigator, &JsValue::from_str("mediaDevices"))
        .is_ok_and(|v| !v.is_undefined() && !v.is_null());
    if !present {
        return Err(CameraError::Unavailable(
            "this page cannot use a camera (getUserMedia is not available)".into(),
        ));
    }
    navigator
        .media_devices()
        .map_err(|_| CameraError::Unavailable("getUserMedia is not available".into()))
}

/// Whether this page may ask for a camera at all.
pub fn supported() -> bool {
    media_devices().is_ok()
}

async fn get_user_media(device_id: Option<&str>) -> Result<MediaStream, CameraError> {
    let devices = media_devices()?;
    let promise = devices
        .get_user_media_with_constraints(&constraints(device_id))
        .map_err(classify)?;
    let stream = JsFuture::from(promise).await.map_err(classify)?;
    stream
        .dyn_into::<MediaStream>()
        .map_err(|_| CameraError::Unavailable("getUserMedia gave no stream".into()))
}

fn classify(err: JsValue) -> CameraError {
    let name = Reflect::get(&err, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let message = Reflect::get(&err, &JsValue::from_str("message"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => CameraError::Denied,
        _ => CameraError::Unavailable(format!("{name}: {message}")),
    }
}

/// The session's camera stream; clones share it.
#[derive(Clone)]
pub struct Camera {
    stream: MediaStream,
}

impl Camera {
    /// Asks for the camera (the browser prompts on first use).
    pub async fn open() -> Result<Camera, CameraError> {
        Ok(Camera {
            stream: get_user_media(None).await?,
        })
    }

    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    fn track(&self) -> Option<MediaStreamTrack> {
        self.stream.get_video_tracks().get(0).dyn_into().ok()
    }

    /// The current video device.
    pub fn device_id(&self) -> Option<String> {
        let settings = self.track()?.get_settings();
        Reflect::get(&settings, &JsValue::from_str("deviceId"))
            .ok()?
            .as_string()
    }

    /// Moves the stream to another camera: the new track replaces the old one in the same
    /// `MediaStream`, so whatever shows the stream keeps showing it.
    pub async fn switch_to(&self, device_id: &str) -> Result<(), CameraError> {
        let other = get_user_media(Some(device_id)).await?;
        let Some(new_track) = other
            .get_video_tracks()
            .get(0)
            .dyn_into::<MediaStreamTrack>()
            .ok()
        else {
            return Err(CameraError::Unavailable(
                "the camera gave no video track".into(),
            ));
        };
        if let Some(old) = self.track() {
            self.stream.remove_track(&old);
            old.stop();
        }
        self.stream.add_track(&new_track);
        Ok(())
    }

    /// Whether the track has a controllable torch (mostly rear cameras on Android).
    pub fn has_torch(&self) -> bool {
        let Some(track) = self.track() else {
            return false;
        };
        let Ok(get) = Reflect::get(&track, &JsValue::from_str("getCapabilities")) else {
            return false;
        };
        let Some(get) = get.dyn_ref::<js_sys::Function>() else {
            return false;
        };
        get.call0(&track)
            .ok()
            .and_then(|caps| Reflect::get(&caps, &JsValue::from_str("torch")).ok())
            .is_some_and(|t| t.is_truthy())
    }

    pub async fn set_torch(&self, on: bool) -> bool {
        let Some(track) = self.track() else {
            return false;
        };
        let advanced = Object::new();
        set(&advanced, "torch", &JsValue::from_bool(on));
        let constraints = web_sys::MediaTrackConstraints::new();
        set(&constraints, "advanced", &Array::of1(&advanced));
        match track.apply_constraints_with_constraints(&constraints) {
            Ok(promise) => JsFuture::from(promise).await.is_ok(),
            Err(_) => false,
        }
    }

    /// Pauses the picture while the page is hidden (the camera light goes off on most
    /// devices) and resumes it after.
    pub fn set_enabled(&self, enabled: bool) {
        if let Some(track) = self.track() {
            track.set_enabled(enabled);
        }
    }

    /// Releases the camera for good.
    pub fn stop(&self) {
        for track in self.stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.stop();
            }
        }
    }
}

/// The video inputs, for the switch button (labels are known once permission is given).
pub async fn video_inputs() -> Vec<String> {
    let Ok(devices) = media_devices() else {
        return Vec::new();
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return Vec::new();
    };
    let Ok(list) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    Array::from(&list)
        .iter()
        .filter_map(|d| d.dyn_into::<MediaDeviceInfo>().ok())
        .filter(|d| d.kind() == MediaDeviceKind::Videoinput)
        .map(|d| d.device_id())
        .filter(|id| !id.is_empty())
        .collect()
}
