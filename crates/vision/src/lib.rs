//! The vision core: capture quality and MRZ reading, shared by the widget (wasm32) and
//! the server (native). Pure computation: no I/O, no clock, no platform dependencies;
//! "today" is an argument wherever dates matter.
//!
//! Data flows one way: `frame` → `analyse` (→ `mrz::locate` → `mrz::lines` →
//! `mrz::ocr` → `mrz::repair` → `mrz::fuse`, and `quality`).
#![forbid(unsafe_code)]

mod analyse;
pub mod date;
mod filters;
pub mod frame;
pub mod geometry;
pub mod mrz;
pub mod quality;

pub use analyse::{working_factor, Analysis, Analyzer};
pub use date::Date;
pub use frame::{Frame, FrameError, PixelFormat};
pub use mrz::fuse::Fused;
pub use mrz::parse::{Format, Parsed};
