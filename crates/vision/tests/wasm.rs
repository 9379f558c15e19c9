//! The vision core built for the browser (wasm32), in headless Chromium: the same
//! regression frames as `tests/frames.rs` must give the same verdicts (no false read,
//! no read without an MRZ), and `per_frame_time` prints the time per 1280×720 frame —
//! a figure for `npm run bench`, never asserted.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kyc_vision::{Analyzer, Date, Frame, PixelFormat};
use serde_json::Value;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The committed regression frames, embedded: the browser has no file system.
const FRAMES: &[(&str, &[u8])] = &[
    (
        "mixed-16-0000.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0000.jpg"),
    ),
    (
        "mixed-16-0001.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0001.jpg"),
    ),
    (
        "mixed-16-0002.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0002.jpg"),
    ),
    (
        "mixed-16-0003.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0003.jpg"),
    ),
    (
        "mixed-16-0004.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0004.jpg"),
    ),
    (
        "mixed-16-0005.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0005.jpg"),
    ),
    (
        "mixed-16-0006.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0006.jpg"),
    ),
    (
        "mixed-16-0007.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0007.jpg"),
    ),
    (
        "mixed-16-0008.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0008.jpg"),
    ),
    (
        "mixed-16-0009.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0009.jpg"),
    ),
    (
        "mixed-16-0010.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0010.jpg"),
    ),
    (
        "mixed-16-0011.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0011.jpg"),
    ),
    (
        "mixed-16-0012.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0012.jpg"),
    ),
    (
        "mixed-16-0013.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0013.jpg"),
    ),
    (
        "mixed-16-0014.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0014.jpg"),
    ),
    (
        "mixed-16-0015.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0015.jpg"),
    ),
    (
        "mixed-16-0016.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0016.jpg"),
    ),
    (
        "mixed-16-0017.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0017.jpg"),
    ),
    (
        "mixed-16-0018.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0018.jpg"),
    ),
    (
        "mixed-16-0019.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0019.jpg"),
    ),
    (
        "mixed-16-0020.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0020.jpg"),
    ),
    (
        "mixed-16-0021.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0021.jpg"),
    ),
    (
        "mixed-16-0022.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0022.jpg"),
    ),
    (
        "mixed-16-0023.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0023.jpg"),
    ),
    (
        "mixed-16-0024.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0024.jpg"),
    ),
    (
        "mixed-16-0025.jpg",
        include_bytes!("../../../tests/data/frames/mixed-16-0025.jpg"),
    ),
];

const TRUTH: &str = include_str!("../../../tests/data/frames/truth.jsonl");

fn decoded() -> Vec<(&'static str, image::RgbaImage)> {
    FRAMES
        .iter()
        .map(|(name, bytes)| (*name, image::load_from_memory(bytes).unwrap().to_rgba8()))
        .collect()
}

fn today() -> Date {
    Date::new(2026, 11, 22).unwrap()
}

#[wasm_bindgen_test]
fn same_verdicts_as_native() {
    let truth: Vec<Value> = TRUTH
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut analyzer = Analyzer::new().unwrap();
    let mut exact = 0;
    for (name, img) in decoded() {
        let t = truth.iter().find(|t| t["file"] == name).unwrap();
        let frame = Frame::new(img.as_raw(), img.width(), img.height(), PixelFormat::Rgba).unwrap();
        let a = analyzer.analyse(&frame, today());
        if let Some(read) = &a.read {
            let want: Vec<&str> = t["mrz"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: read where there is no MRZ"))
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert_eq!(read.lines, want, "{name}: FALSE READ");
            exact += 1;
        }
    }
    web_sys::console::log_1(
        &format!("wasm32: {exact} of {} frames read exactly", FRAMES.len()).into(),
    );
    assert!(exact > 0, "the browser build reads nothing");
}

#[wasm_bindgen_test]
fn per_frame_time() {
    let frames = decoded();
    let performance = web_sys::window().unwrap().performance().unwrap();
    let mut analyzer = Analyzer::new().unwrap();
    for (label, with_mrz) in [("quality", false), ("quality+mrz", true)] {
        let mut times = Vec::new();
        for round in 0..3 {
            for (_, img) in &frames {
                let frame =
                    Frame::new(img.as_raw(), img.width(), img.height(), PixelFormat::Rgba).unwrap();
                let start = performance.now();
                if with_mrz {
                    analyzer.analyse(&frame, today());
                } else {
                    analyzer.assess_quality(&frame);
                }
                if round > 0 {
                    times.push(performance.now() - start);
                }
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let median = times[times.len() / 2];
        let p95 = times[times.len() * 95 / 100];
        web_sys::console::log_1(
            &format!(
                "wasm32 per 1280x720 frame, {label}: median {median:.2} ms, p95 {p95:.2} ms (n {})",
                times.len()
            )
            .into(),
        );
    }
}
