//! `kyc-vision-train`: trains the glyph classifier (`src/mrz/model.bin`) on synthetic
//! frames with ground truth, cutting character patches with the very code that reads
//! them at run time, so training and reading see the same geometry.
//!
//! ```text
//! python3 tests/vision/gen_frames.py --out /tmp/train --count 400 --seed 7 --profile legible
//! kyc-vision-train --out crates/vision/src/mrz/model.bin /tmp/train [more dirs…]
//! ```
//! Deterministic: the same frames give the same model.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kyc_vision::frame::GrayImage;
use kyc_vision::mrz::lines::{self, LinesScratch};
use kyc_vision::mrz::locate::{self, LocateScratch};
use kyc_vision::mrz::ocr::{self, Model, Patch, ALPHABET, HIDDEN, PATCH_H, PATCH_LEN, PATCH_W};
use kyc_vision::{Frame, PixelFormat};
use serde_json::Value;

const EPOCHS: usize = 24;
const LEARNING_RATE: f32 = 0.01;
const MOMENTUM: f32 = 0.9;
const L2: f32 = 1e-5;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kyc-vision-train: {e}\nusage: kyc-vision-train --out MODEL.bin DIR...");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, dirs) = match args.as_slice() {
        [flag, out, dirs @ ..] if flag == "--out" && !dirs.is_empty() => (PathBuf::from(out), dirs),
        _ => return Err("bad arguments".into()),
    };
    let mut samples: Vec<(Patch, usize)> = Vec::new();
    let (mut used, mut skipped) = (0, 0);
    for dir in dirs {
        let truth = std::fs::read_to_string(Path::new(dir).join("truth.jsonl"))
            .map_err(|e| format!("{dir}/truth.jsonl: {e}"))?;
        for line in truth.lines().filter(|l| !l.trim().is_empty()) {
            let rec: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
            let Some(mrz) = rec["mrz"].as_array() else {
                continue;
            };
            let mrz: Vec<&str> = mrz.iter().filter_map(Value::as_str).collect();
            if rec["glare_over_mrz"].as_bool() == Some(true) {
                continue;
            }
            let file = Path::new(dir).join(rec["file"].as_str().unwrap_or_default());
            match patches_of(&file, &mrz) {
                Some(mut p) => {
                    used += 1;
                    samples.append(&mut p);
                }
                None => skipped += 1,
            }
        }
    }
    eprintln!(
        "frames used {used}, skipped (not located as truth) {skipped}; patches {}",
        samples.len()
    );
    if samples.is_empty() {
        return Err("no training patches".into());
    }
    // Hold out every tenth patch to report generalisation.
    let (train, test): (Vec<_>, Vec<_>) =
        samples.iter().enumerate().partition(|(i, _)| i % 10 != 0);
    let train: Vec<&(Patch, usize)> = train.into_iter().map(|(_, s)| s).collect();
    let test: Vec<&(Patch, usize)> = test.into_iter().map(|(_, s)| s).collect();
    let (w1, b1, w2, b2) = fit(&train);
    let bytes = Model::to_bytes(&w1, &b1, &w2, &b2);
    let model = Model::from_bytes(&bytes).map_err(|e| e.to_string())?;
    eprintln!(
        "accuracy (quantised model): train {:.4}, held out {:.4}",
        accuracy(&model, &train),
        accuracy(&model, &test)
    );
    report_confusions(&model, &test);
    std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

fn patches_of(file: &Path, truth: &[&str]) -> Option<Vec<(Patch, usize)>> {
    let img = image::open(file).ok()?.to_rgba8();
    let frame = Frame::new(img.as_raw(), img.width(), img.height(), PixelFormat::Rgba).ok()?;
    let factor = ((img.width().max(img.height()) as f32) / 640.0)
        .round()
        .max(1.0) as u32;
    let mut small = GrayImage::default();
    frame.downscale_into(factor, &mut small);
    let region = locate::locate(&small, &mut LocateScratch::default())?;
    let layouts = lines::layouts(
        &frame,
        &region.scaled(factor as f32),
        &mut LinesScratch::default(),
    );
    let layout = layouts.into_iter().find(|l| {
        l.lines.len() == truth.len()
            && l.lines
                .iter()
                .zip(truth)
                .all(|(line, t)| line.cells.len() == t.len())
    })?;
    let mut out = Vec::new();
    for (line, text) in layout.lines.iter().zip(truth) {
        let levels = ocr::line_levels(&frame, line);
        for (i, ch) in text.bytes().enumerate() {
            let class = ALPHABET.iter().position(|&a| a == ch)?;
            let mut p = [0.0; PATCH_LEN];
            if ocr::patch(&frame, line, i, levels, &mut p) {
                out.push((p, class));
            }
        }
    }
    Some(out)
}

/// A small deterministic generator (xorshift64*), so the same frames train the same
/// model.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Shifts a patch by whole samples (edge samples repeated): the cells of a real frame
/// are never perfectly centred.
fn shifted(p: &Patch, dx: i32, dy: i32, gain: f32) -> Patch {
    let mut out = [0.0; PATCH_LEN];
    for y in 0..PATCH_H as i32 {
        for x in 0..PATCH_W as i32 {
            let sx = (x - dx).clamp(0, PATCH_W as i32 - 1) as usize;
            let sy = (y - dy).clamp(0, PATCH_H as i32 - 1) as usize;
            out[y as usize * PATCH_W + x as usize] = (p[sy * PATCH_W + sx] * gain).min(1.0);
        }
    }
    out
}

/// One hidden layer of rectified units and a softmax output, by stochastic gradient
/// descent with momentum on augmented patches (shifts of one sample, contrast gain).
fn fit(samples: &[&(Patch, usize)]) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let classes = ALPHABET.len();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let init =
        |rng: &mut Rng, fan_in: usize| (rng.unit() * 2.0 - 1.0) * (6.0 / fan_in as f32).sqrt();
    let mut w1: Vec<f32> = (0..HIDDEN * PATCH_LEN)
        .map(|_| init(&mut rng, PATCH_LEN))
        .collect();
    let mut b1 = vec![0.0f32; HIDDEN];
    let mut w2: Vec<f32> = (0..classes * HIDDEN)
        .map(|_| init(&mut rng, HIDDEN))
        .collect();
    let mut b2 = vec![0.0f32; classes];
    let (mut vw1, mut vb1) = (vec![0.0f32; w1.len()], vec![0.0f32; HIDDEN]);
    let (mut vw2, mut vb2) = (vec![0.0f32; w2.len()], vec![0.0f32; classes]);
    let mut order: Vec<usize> = (0..samples.len()).collect();
    let mut hidden = [0.0f32; HIDDEN];
    let mut grad_h = [0.0f32; HIDDEN];
    let mut out = vec![0.0f32; classes];
    for epoch in 0..EPOCHS {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let lr = LEARNING_RATE / (1.0 + epoch as f32 * 0.15);
        for &k in &order {
            let (clean, y) = samples[k];
            let x = if rng.below(3) == 0 {
                *clean
            } else {
                let dx = rng.below(3) as i32 - 1;
                let dy = rng.below(3) as i32 - 1;
                shifted(clean, dx, dy, 0.8 + 0.4 * rng.unit())
            };
            for (h, (row, b)) in hidden.iter_mut().zip(w1.chunks_exact(PATCH_LEN).zip(&b1)) {
                *h = (b + row.iter().zip(x.iter()).map(|(a, v)| a * v).sum::<f32>()).max(0.0);
            }
            for (o, (row, b)) in out.iter_mut().zip(w2.chunks_exact(HIDDEN).zip(&b2)) {
                *o = b + row
                    .iter()
                    .zip(hidden.iter())
                    .map(|(a, v)| a * v)
                    .sum::<f32>();
            }
            let max = out.iter().fold(f32::MIN, |m, &v| m.max(v));
            let z: f32 = out.iter().map(|&v| (v - max).exp()).sum();
            grad_h.iter_mut().for_each(|g| *g = 0.0);
            for c in 0..classes {
                let g = (out[c] - max).exp() / z - if c == *y { 1.0 } else { 0.0 };
                let row = &mut w2[c * HIDDEN..(c + 1) * HIDDEN];
                let vrow = &mut vw2[c * HIDDEN..(c + 1) * HIDDEN];
                for j in 0..HIDDEN {
                    grad_h[j] += g * row[j];
                    vrow[j] = MOMENTUM * vrow[j] - lr * (g * hidden[j] + L2 * row[j]);
                    row[j] += vrow[j];
                }
                vb2[c] = MOMENTUM * vb2[c] - lr * g;
                b2[c] += vb2[c];
            }
            for j in 0..HIDDEN {
                if hidden[j] <= 0.0 {
                    continue;
                }
                let g = grad_h[j];
                let row = &mut w1[j * PATCH_LEN..(j + 1) * PATCH_LEN];
                let vrow = &mut vw1[j * PATCH_LEN..(j + 1) * PATCH_LEN];
                for i in 0..PATCH_LEN {
                    vrow[i] = MOMENTUM * vrow[i] - lr * (g * x[i] + L2 * row[i]);
                    row[i] += vrow[i];
                }
                vb1[j] = MOMENTUM * vb1[j] - lr * g;
                b1[j] += vb1[j];
            }
        }
        eprintln!("epoch {epoch}: done");
    }
    (w1, b1, w2, b2)
}

fn accuracy(model: &Model, samples: &[&(Patch, usize)]) -> f32 {
    let right = samples
        .iter()
        .filter(|(p, y)| model.classify(p).alternatives.first().map(|a| a.0) == Some(ALPHABET[*y]))
        .count();
    right as f32 / samples.len().max(1) as f32
}

/// The most frequent held-out confusions, to see what the classifier still mixes up.
fn report_confusions(model: &Model, samples: &[&(Patch, usize)]) {
    let mut counts = std::collections::BTreeMap::<(u8, u8), usize>::new();
    for (p, y) in samples {
        let got = model.classify(p).alternatives.first().map_or(b'?', |a| a.0);
        if got != ALPHABET[*y] {
            *counts.entry((ALPHABET[*y], got)).or_default() += 1;
        }
    }
    let mut worst: Vec<_> = counts.into_iter().collect();
    worst.sort_by_key(|w| std::cmp::Reverse(w.1));
    let text: Vec<String> = worst
        .iter()
        .take(15)
        .map(|((t, g), n)| format!("{}→{} {n}", *t as char, *g as char))
        .collect();
    eprintln!("held-out confusions (truth→read): {}", text.join(", "));
}
