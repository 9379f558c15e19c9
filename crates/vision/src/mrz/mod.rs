//! Machine-readable zones: where (`locate`, `lines`), what (`ocr`), which rules
//! (`parse`, `repair`), and agreement across frames (`fuse`).

pub mod fuse;
pub mod lines;
pub mod locate;
pub mod ocr;
pub mod parse;
pub mod read;
pub mod repair;
