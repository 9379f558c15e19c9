//! Capture quality: sharpness, specular glare and exposure, on scales that do not
//! depend on the camera's resolution (the working image has a fixed size class, and
//! the MRZ patches a fixed character height). Thresholds are in `Thresholds`, chosen
//! from synthetic data (see `tests/vision/README.md`).

use crate::frame::GrayImage;
use crate::geometry::{Point, Quad};
use crate::mrz::ocr::{Patch, PATCH_H, PATCH_W};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Exposure {
    Ok,
    Dark,
    Bright,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// In [0, 1], higher is sharper.
    pub blur_score: f32,
    pub blurry: bool,
    /// Share of the frame's pixels clipped by specular highlights.
    pub glare_fraction: f32,
    pub glare: bool,
    pub glare_over_mrz: bool,
    pub exposure: Exposure,
}

/// Decision thresholds (see module docs for how they were chosen).
pub mod thresholds {
    /// Below this `blur_score` a frame is blurry.
    pub const BLURRY_BELOW: f32 = 0.45;
    /// A working pixel this bright is clipped.
    pub const CLIPPED: u8 = 250;
    /// Share of clipped pixels from which a frame has glare.
    pub const GLARE_FRACTION: f32 = 0.004;
    /// Share of the MRZ outline clipped from which glare covers the MRZ.
    pub const GLARE_OVER_MRZ: f32 = 0.01;
}

/// Judges a frame from its working-resolution copy and, when the MRZ was read, its
/// normalised character patches (sharpness is then measured on the print that matters).
pub fn assess(small: &GrayImage, mrz_quad_small: Option<&Quad>, patches: &[Patch]) -> Quality {
    let blur_score = if patches.len() >= 20 {
        patch_sharpness(patches)
    } else {
        frame_sharpness(small)
    };
    let (glare_fraction, over_mrz) = glare(small, mrz_quad_small);
    let exposure = exposure(small);
    Quality {
        blur_score,
        blurry: blur_score < thresholds::BLURRY_BELOW,
        glare_fraction,
        glare: glare_fraction >= thresholds::GLARE_FRACTION && exposure != Exposure::Bright,
        glare_over_mrz: over_mrz >= thresholds::GLARE_OVER_MRZ,
        exposure,
    }
}

/// Edge steepness of the print, in patch units (a fixed character height): the mean of
/// each patch's strongest step between neighbouring samples. Sharp print steps from
/// paper to ink within a sample or two; blur spreads the step out.
fn patch_sharpness(patches: &[Patch]) -> f32 {
    let mut steps: Vec<f32> = patches
        .iter()
        .map(|p| {
            let mut best = 0.0f32;
            for y in 0..PATCH_H {
                for x in 0..PATCH_W {
                    let v = p[y * PATCH_W + x];
                    if x + 1 < PATCH_W {
                        best = best.max((v - p[y * PATCH_W + x + 1]).abs());
                    }
                    if y + 1 < PATCH_H {
                        best = best.max((v - p[(y + 1) * PATCH_W + x]).abs());
                    }
                }
            }
            best
        })
        .collect();
    steps.sort_by(|a, b| a.total_cmp(b));
    // The median character: fillers and thin glyphs do not dominate.
    steps
        .get(steps.len() / 2)
        .copied()
        .unwrap_or(0.0)
        .clamp(0.0, 1.0)
}

/// Without a read MRZ: the steepest edges of the working image relative to its contrast.
fn frame_sharpness(img: &GrayImage) -> f32 {
    let (w, h) = (img.width as usize, img.height as usize);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let mut hist = [0u32; 256];
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let gx = i32::from(img.get(x + 1, y)) - i32::from(img.get(x - 1, y));
            let gy = i32::from(img.get(x, y + 1)) - i32::from(img.get(x, y - 1));
            let g = ((gx.abs().max(gy.abs())) / 2).min(255) as usize;
            hist[g] += 1;
        }
    }
    let total: u32 = hist.iter().sum();
    let mut acc = 0;
    let mut p999 = 0;
    for (g, &c) in hist.iter().enumerate() {
        acc += c;
        if acc as f32 >= total as f32 * 0.999 {
            p999 = g;
            break;
        }
    }
    let mut levels = [0u32; 256];
    for &v in &img.data {
        levels[usize::from(v)] += 1;
    }
    let pct = |q: f32| {
        let mut acc = 0;
        for (v, &c) in levels.iter().enumerate() {
            acc += c;
            if acc as f32 >= img.data.len() as f32 * q {
                return v as f32;
            }
        }
        255.0
    };
    let contrast = (pct(0.99) - pct(0.01)).max(16.0);
    (p999 as f32 / contrast).clamp(0.0, 1.0)
}

/// Share of clipped working pixels over the frame, and over the MRZ outline.
fn glare(img: &GrayImage, mrz: Option<&Quad>) -> (f32, f32) {
    let (w, h) = (img.width as usize, img.height as usize);
    let clipped = img
        .data
        .iter()
        .filter(|&&v| v >= thresholds::CLIPPED)
        .count();
    let (mut in_mrz, mut mrz_area) = (0usize, 0usize);
    if let Some(q) = mrz {
        let xs = q.0.map(|p| p.x);
        let ys = q.0.map(|p| p.y);
        let lo = |v: [f32; 4], max: usize| {
            (v.iter().fold(f32::MAX, |a, &b| a.min(b)).max(0.0) as usize).min(max)
        };
        let hi = |v: [f32; 4], max: usize| {
            (v.iter().fold(f32::MIN, |a, &b| a.max(b)).max(0.0).ceil() as usize).min(max)
        };
        for y in lo(ys, h)..hi(ys, h) {
            for x in lo(xs, w)..hi(xs, w) {
                if q.contains(Point::new(x as f32 + 0.5, y as f32 + 0.5)) {
                    mrz_area += 1;
                    in_mrz += usize::from(img.get(x, y) >= thresholds::CLIPPED);
                }
            }
        }
    }
    let frac = clipped as f32 / (w * h).max(1) as f32;
    let over = if mrz_area > 0 {
        in_mrz as f32 / mrz_area as f32
    } else {
        0.0
    };
    (frac, over)
}

fn exposure(img: &GrayImage) -> Exposure {
    let mut levels = [0u32; 256];
    for &v in &img.data {
        levels[usize::from(v)] += 1;
    }
    let n = img.data.len().max(1) as f32;
    let pct = |q: f32| {
        let mut acc = 0;
        for (v, &c) in levels.iter().enumerate() {
            acc += c;
            if acc as f32 >= n * q {
                return v;
            }
        }
        255
    };
    if pct(0.9) < 70 {
        Exposure::Dark
    } else if pct(0.25) > 235 {
        Exposure::Bright
    } else {
        Exposure::Ok
    }
}
