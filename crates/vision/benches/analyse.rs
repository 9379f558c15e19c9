//! Per-frame cost of the vision core on 1280×720 frames: quality alone, and quality +
//! MRZ locate + read. Run with `npm run bench` (or `cargo bench -p kyc-vision`); the
//! frames are the committed regression set (`tests/data/frames`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use kyc_vision::{Analyzer, Date, Frame, PixelFormat};

fn frames() -> Vec<image::RgbaImage> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/frames");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "jpg"));
    files.sort();
    files
        .iter()
        .filter_map(|p| image::open(p).ok())
        .map(|i| i.to_rgba8())
        .filter(|i| i.width() == 1280 && i.height() == 720)
        .take(12)
        .collect()
}

fn bench(c: &mut Criterion) {
    let frames = frames();
    assert!(
        !frames.is_empty(),
        "no 1280×720 frames in tests/data/frames"
    );
    let today = Date::new(2026, 11, 22).unwrap();
    let mut analyzer = Analyzer::new().unwrap();
    eprintln!(
        "{} frames of 1280×720; {} on {}",
        frames.len(),
        std::env::consts::ARCH,
        std::env::consts::OS
    );
    let mut group = c.benchmark_group("1280x720");
    let mut i = 0;
    group.bench_function("quality", |b| {
        b.iter(|| {
            let img = &frames[i % frames.len()];
            i += 1;
            let frame = Frame::new(img.as_raw(), 1280, 720, PixelFormat::Rgba).unwrap();
            analyzer.assess_quality(&frame)
        })
    });
    group.bench_function("quality+mrz", |b| {
        b.iter(|| {
            let img = &frames[i % frames.len()];
            i += 1;
            let frame = Frame::new(img.as_raw(), 1280, 720, PixelFormat::Rgba).unwrap();
            analyzer.analyse(&frame, today)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
