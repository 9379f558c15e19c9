//! Character recognition: each cell is resampled into a small normalised patch and
//! scored by a linear classifier over the 37 MRZ symbols. The weights
//! (`model.bin`, ~12 kB) are trained by `kyc-vision-train` on synthetic frames.

use super::lines::Line;
use super::repair::Candidates;
use crate::frame::Frame;
use std::ops::Add;

/// Patch size: wide enough for OCR-B's strokes at the smallest pitch we read.
pub const PATCH_W: usize = 12;
pub const PATCH_H: usize = 16;
pub const PATCH_LEN: usize = PATCH_W * PATCH_H;
/// The patch covers the line's print height plus this margin above and below.
const HEIGHT_MARGIN: f32 = 1.2;

/// The MRZ alphabet, in class order.
pub const ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";

/// How many ranked alternatives each cell hands to the text layer.
const ALTERNATIVES: usize = 4;

/// A normalised patch: ink in [0, 1], paper 0.
pub type Patch = [f32; PATCH_LEN];

/// Reads the patch of cell `i` of `line`, with ink normalised between the line's
/// `black` level and the ground under the print (the line's `white` level, or darker
/// where a tint or a portrait reaches into the zone), re-centred on the ink so a small
/// pitch error along the line does not shift the glyph.
pub fn patch(frame: &Frame, line: &Line, i: usize, levels: (f32, f32), out: &mut Patch) -> bool {
    let Some(center) = line.cell_center(i) else {
        return false;
    };
    let (black, white) = levels;
    let range = (white - black).max(8.0);
    let half_w = line.pitch / 2.0;
    let half_h = line.height * HEIGHT_MARGIN / 2.0;
    // Ink centroid along the line, over one pitch; shift at most a fifth of a pitch.
    let mut sum = 0.0;
    let mut weighted = 0.0;
    let steps = 16;
    for k in 0..steps {
        let du = (k as f32 + 0.5) / steps as f32 * 2.0 * half_w - half_w;
        for j in 0..4 {
            let dv = (j as f32 + 0.5) / 4.0 * 2.0 * half_h * 0.8 - half_h * 0.8;
            let p = center.add(line.u.scale(du)).add(line.v.scale(dv));
            let ink = ((white - frame.sample(p.x, p.y)) / range).clamp(0.0, 1.0);
            sum += ink;
            weighted += ink * du;
        }
    }
    let shift = if sum > 0.5 {
        (weighted / sum).clamp(-0.2 * line.pitch, 0.2 * line.pitch)
    } else {
        0.0
    };
    let center = center.add(line.u.scale(shift));
    // Supersample when a patch pixel covers several frame pixels.
    let sub = if line.pitch / PATCH_W as f32 > 1.5 {
        2
    } else {
        1
    };
    let inv = 1.0 / (sub * sub) as f32;
    let mut grey = [0.0f32; PATCH_LEN];
    for (py, row) in grey.chunks_exact_mut(PATCH_W).enumerate() {
        for (px, cell) in row.iter_mut().enumerate() {
            let mut acc = 0.0;
            for sy in 0..sub {
                for sx in 0..sub {
                    let fx = (px as f32 + (sx as f32 + 0.5) / sub as f32) / PATCH_W as f32;
                    let fy = (py as f32 + (sy as f32 + 0.5) / sub as f32) / PATCH_H as f32;
                    let p = center
                        .add(line.u.scale((fx - 0.5) * 2.0 * half_w))
                        .add(line.v.scale((fy - 0.5) * 2.0 * half_h));
                    acc += frame.sample(p.x, p.y);
                }
            }
            *cell = acc * inv;
        }
    }
    let mut ground = [0.0f32; PATCH_LEN];
    background(&grey, &mut ground);
    for ((cell, &g), &b) in out.iter_mut().zip(&grey).zip(&ground) {
        // Print on a darker ground (a portrait or a tint reaching into the zone) is ink
        // measured from that ground, not from the line's paper; where the ground is
        // the paper, this is the line's normalisation unchanged.
        let paper = b.min(white);
        let span = (paper - black).max(MIN_LOCAL_RANGE * range);
        *cell = ((paper - g) / span).clamp(0.0, 1.0);
    }
    true
}

/// Half-size in samples of the window that estimates the ground under the print: wider
/// than half a stroke (so strokes close up), narrower than any patch of paper.
const GROUND_RADIUS: usize = 4;
/// The ground-to-ink range is never taken below this share of the line's: on a ground
/// almost as dark as the ink, noise is not stretched into strokes.
const MIN_LOCAL_RANGE: f32 = 0.35;

/// The ground under the print: a grey closing (largest, then smallest, over a
/// window), which erases strokes narrower than the window and keeps larger areas.
fn background(grey: &Patch, out: &mut Patch) {
    let mut tmp = [0.0f32; PATCH_LEN];
    window::<true>(grey, &mut tmp);
    window::<false>(&tmp, out);
}

/// `out` = the largest (`MAX`) or smallest value over the square window of
/// `GROUND_RADIUS` around each sample (the window clipped to the patch), as two passes
/// (along rows, then columns) of element-wise combinations of shifted slices, which
/// the compiler vectorises.
fn window<const MAX: bool>(src: &Patch, out: &mut Patch) {
    let combine = |dst: &mut [f32], other: &[f32]| {
        for (d, &o) in dst.iter_mut().zip(other) {
            *d = if MAX { d.max(o) } else { d.min(o) };
        }
    };
    let mut rows = *src;
    for (row, orig) in rows
        .chunks_exact_mut(PATCH_W)
        .zip(src.chunks_exact(PATCH_W))
    {
        for d in 1..=GROUND_RADIUS.min(PATCH_W - 1) {
            combine(&mut row[..PATCH_W - d], &orig[d..]);
            combine(&mut row[d..], &orig[..PATCH_W - d]);
        }
    }
    *out = rows;
    for d in 1..=GROUND_RADIUS.min(PATCH_H - 1) {
        let k = d * PATCH_W;
        combine(&mut out[..PATCH_LEN - k], &rows[k..]);
        combine(&mut out[k..], &rows[..PATCH_LEN - k]);
    }
}

/// Black and white levels of a line: low and high percentiles of samples along it.
pub fn line_levels(frame: &Frame, line: &Line) -> (f32, f32) {
    let mut samples = Vec::with_capacity(line.cells.len() * 12);
    for i in 0..line.cells.len() {
        let Some(c) = line.cell_center(i) else {
            continue;
        };
        for k in 0..4 {
            let du = (k as f32 / 4.0 - 0.375) * line.pitch;
            for dv in [-0.3f32, 0.0, 0.3] {
                let p = c.add(line.u.scale(du)).add(line.v.scale(dv * line.height));
                samples.push(frame.sample(p.x, p.y));
            }
        }
    }
    if samples.is_empty() {
        return (0.0, 255.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f32| {
        samples
            .get(((samples.len() - 1) as f32 * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (at(0.04), at(0.85))
}

/// Hidden units of the classifier.
pub const HIDDEN: usize = 64;

/// The glyph classifier: one hidden layer of rectified units, then one score per
/// symbol. Small enough to ship in the wasm (~15 kB) and to run on every cell of every
/// frame; trained by `kyc-vision-train`.
pub struct Model {
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
}

/// Why model bytes are unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub &'static str);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "glyph model: {}", self.0)
    }
}

impl std::error::Error for ModelError {}

const MAGIC: &[u8; 4] = b"FWM2";

/// A dense layer's weights (row-major) and biases.
type Layer = (Vec<f32>, Vec<f32>);

/// Reads `rows` quantised rows of `len` weights: per row an f32 scale, an f32 bias and
/// `len` i8 weights (weight = i8 · scale).
fn read_rows(bytes: &[u8], rows: usize, len: usize) -> Result<(Layer, &[u8]), ModelError> {
    let size = rows * (8 + len);
    let (block, rest) = (
        bytes.get(..size).ok_or(ModelError("truncated"))?,
        bytes.get(size..).unwrap_or_default(),
    );
    let mut weights = Vec::with_capacity(rows * len);
    let mut bias = Vec::with_capacity(rows);
    for row in block.chunks_exact(8 + len) {
        let f32_at = |i: usize| {
            let b: [u8; 4] = row
                .get(i..i + 4)
                .and_then(|s| s.try_into().ok())
                .unwrap_or_default();
            f32::from_le_bytes(b)
        };
        let scale = f32_at(0);
        bias.push(f32_at(4));
        weights.extend(row.iter().skip(8).map(|&q| f32::from(q as i8) * scale));
    }
    Ok(((weights, bias), rest))
}

fn write_rows(out: &mut Vec<u8>, weights: &[f32], bias: &[f32], len: usize) {
    for (row, b) in weights.chunks_exact(len).zip(bias) {
        let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs())).max(1e-6);
        let scale = max / 127.0;
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend_from_slice(&b.to_le_bytes());
        out.extend(row.iter().map(|w| ((w / scale).round() as i8) as u8));
    }
}

impl Model {
    /// The model shipped with the crate.
    pub fn builtin() -> Result<Model, ModelError> {
        Model::from_bytes(include_bytes!("model.bin"))
    }

    /// Layout: magic, u16 patch width, height, hidden units, classes; then the hidden
    /// layer's rows, then the output layer's rows (see `read_rows`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        if bytes.get(..4) != Some(MAGIC.as_slice()) {
            return Err(ModelError("bad magic"));
        }
        let u16_at = |i: usize| -> Option<usize> {
            Some(u16::from_le_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]) as usize)
        };
        let shape = [u16_at(4), u16_at(6), u16_at(8), u16_at(10)];
        if shape
            != [
                Some(PATCH_W),
                Some(PATCH_H),
                Some(HIDDEN),
                Some(ALPHABET.len()),
            ]
        {
            return Err(ModelError("shape does not match this build"));
        }
        let body = bytes.get(12..).ok_or(ModelError("truncated"))?;
        let ((w1, b1), rest) = read_rows(body, HIDDEN, PATCH_LEN)?;
        let ((w2, b2), rest) = read_rows(rest, ALPHABET.len(), HIDDEN)?;
        if !rest.is_empty() {
            return Err(ModelError("trailing bytes"));
        }
        Ok(Model { w1, b1, w2, b2 })
    }

    /// Serialises weights (hidden: `HIDDEN`×`PATCH_LEN`, output: 37×`HIDDEN`) in the
    /// layout `from_bytes` reads, quantising each row to i8.
    pub fn to_bytes(w1: &[f32], b1: &[f32], w2: &[f32], b2: &[f32]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        for v in [PATCH_W, PATCH_H, HIDDEN, ALPHABET.len()] {
            out.extend_from_slice(&(v as u16).to_le_bytes());
        }
        write_rows(&mut out, w1, b1, PATCH_LEN);
        write_rows(&mut out, w2, b2, HIDDEN);
        out
    }

    /// Class scores (logits) of a patch.
    pub fn logits(&self, patch: &Patch, out: &mut [f32; 37]) {
        let mut hidden = [0.0f32; HIDDEN];
        for ((h, row), b) in hidden
            .iter_mut()
            .zip(self.w1.chunks_exact(PATCH_LEN))
            .zip(&self.b1)
        {
            *h = (b + dot(row, patch)).max(0.0);
        }
        for ((o, row), b) in out
            .iter_mut()
            .zip(self.w2.chunks_exact(HIDDEN))
            .zip(&self.b2)
        {
            *o = b + dot(row, &hidden);
        }
    }

    /// The best symbols for a patch with costs (negative log-probabilities).
    pub fn classify(&self, patch: &Patch) -> Candidates {
        let mut logits = [0.0f32; 37];
        self.logits(patch, &mut logits);
        let max = logits.iter().fold(f32::MIN, |m, &v| m.max(v));
        let log_z = max + logits.iter().map(|&v| (v - max).exp()).sum::<f32>().ln();
        let mut ranked: Vec<(u8, f32)> = ALPHABET
            .iter()
            .zip(logits)
            .map(|(&c, l)| (c, log_z - l))
            .collect();
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
        ranked.truncate(ALTERNATIVES);
        Candidates {
            alternatives: ranked,
        }
    }
}

/// Dot product in four independent lanes, which the compiler keeps in vector registers.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::PixelFormat;
    use crate::geometry::Point;

    /// The patch of a vertical stroke on paper (210), with the upper half of the ground
    /// darkened to `upper` (a portrait reaching into the zone).
    fn stroke_patch(upper: u8) -> Patch {
        let (w, h) = (40usize, 40usize);
        let mut px = vec![210u8; w * h];
        for y in 0..h {
            for x in 0..w {
                if y < 20 {
                    px[y * w + x] = upper;
                }
                if (19..=21).contains(&x) && (12..28).contains(&y) {
                    px[y * w + x] = 30;
                }
            }
        }
        let frame = Frame::new(&px, w as u32, h as u32, PixelFormat::Gray).unwrap();
        let line = Line {
            start: Point::new(20.0, 20.0),
            u: Point::new(1.0, 0.0),
            v: Point::new(0.0, 1.0),
            height: 16.0,
            pitch: 12.0,
            cells: vec![0.0],
        };
        let mut out = [0.0; PATCH_LEN];
        assert!(patch(&frame, &line, 0, (30.0, 210.0), &mut out));
        out
    }

    #[test]
    fn a_darker_ground_is_not_ink() {
        let paper = stroke_patch(210);
        let tinted = stroke_patch(150);
        let worst = paper
            .iter()
            .zip(&tinted)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 0.1, "patch differs by {worst}");
        // The stroke itself is still full ink.
        assert!(tinted.iter().any(|&v| v > 0.9));
    }

    #[test]
    fn dot_matches_scalar_for_every_remainder() {
        for n in 0..11 {
            let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 1.0).collect();
            let b: Vec<f32> = (0..n).map(|i| 2.0 - i as f32).collect();
            let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - want).abs() < 1e-4, "n={n}");
        }
    }

    #[test]
    fn model_bytes_round_trip_and_bad_bytes_are_refused() {
        let w1: Vec<f32> = (0..HIDDEN * PATCH_LEN)
            .map(|i| ((i % 13) as f32 - 6.0) / 6.0)
            .collect();
        let b1 = vec![0.1; HIDDEN];
        let w2: Vec<f32> = (0..37 * HIDDEN)
            .map(|i| ((i % 7) as f32 - 3.0) / 3.0)
            .collect();
        let b2 = vec![-0.2; 37];
        let bytes = Model::to_bytes(&w1, &b1, &w2, &b2);
        let m = Model::from_bytes(&bytes).unwrap();
        assert!((m.w1[5] - w1[5]).abs() < 0.01);
        assert_eq!(m.b2[3], -0.2);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"FWM1").is_err());
        assert!(Model::from_bytes(&[]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Model::from_bytes(&longer).is_err());
        assert!(Model::builtin().is_ok());
    }
}
