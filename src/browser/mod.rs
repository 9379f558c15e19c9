//! Thin wrappers over the browser APIs the widget uses, so that components never call
//! `web_sys` directly.

pub mod camera;
pub mod canvas;
pub mod events;
pub mod fetch;
pub mod timer;
pub mod video_frame;
