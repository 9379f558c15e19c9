//! From the located region to MRZ lines and character cells, at full resolution:
//! resample the region into a level strip, correct the residual skew, split it into
//! text lines, fit each line's own centre-line (perspective makes them non-parallel),
//! and place the fixed-pitch character cells.

use super::locate::Region;
use crate::frame::Frame;
use crate::geometry::{Point, Quad};
use std::ops::{Add, Sub};

/// Fewer character blobs than this on a line: not an MRZ line (or too blurred to read).
const MIN_BLOBS: usize = 12;
/// How many cells' worth of print a layout may leave uncovered (or cover in excess).
const MAX_UNCOVERED_CELLS: usize = 3;
/// Target strip height in samples (two or three lines of print and the gaps).
const STRIP_HEIGHT: f32 = 72.0;
/// Longest strip we resample; longer regions are sampled more coarsely.
const MAX_STRIP_LEN: f32 = 1400.0;
/// Extra room around the located region, as fractions of its length and thickness.
const PAD_ALONG: f32 = 0.1;
const PAD_ACROSS: f32 = 0.35;

/// One MRZ line in frame coordinates: the point on its centre-line at the first cell's
/// centre, the unit direction along it, the unit normal (downwards), the print height,
/// and the cells' centres as distances from `start` along `u`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub start: Point,
    pub u: Point,
    pub v: Point,
    pub height: f32,
    pub pitch: f32,
    pub cells: Vec<f32>,
}

impl Line {
    pub fn cell_center(&self, i: usize) -> Option<Point> {
        self.cells.get(i).map(|&s| self.start.add(self.u.scale(s)))
    }
}

/// A candidate layout: its lines (top first) and the MRZ's outline.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub lines: Vec<Line>,
    pub quad: Quad,
}

/// Buffers reused from frame to frame.
#[derive(Debug, Default, Clone)]
pub struct LinesScratch {
    strip: Vec<u8>,
    ink: Vec<bool>,
}

struct Strip {
    origin: Point,
    u: Point,
    v: Point,
    step: f32,
    w: usize,
    h: usize,
}

impl Strip {
    fn to_frame(&self, x: f32, y: f32) -> Point {
        self.origin
            .add(self.u.scale(x * self.step))
            .add(self.v.scale(y * self.step))
    }
}

/// The plausible layouts for a located region, most plausible first (a two-line MRZ
/// may be 36 or 44 characters long; the text layer decides).
pub fn layouts(frame: &Frame, region: &Region, s: &mut LinesScratch) -> Vec<Layout> {
    let Some(strip) = resample(frame, region, s) else {
        return Vec::new();
    };
    let skew = best_skew(&strip, s);
    let bands = text_bands(&strip, s, skew);
    let lines: Vec<FittedLine> = bands
        .iter()
        .filter_map(|&(top, bottom)| fit_line(&strip, s, skew, top, bottom))
        .collect();
    let Some(lines) = pick_mrz_lines(lines) else {
        return Vec::new();
    };
    let counts: &[usize] = if lines.len() == 3 { &[30] } else { &[44, 36] };
    let mut out: Vec<(f32, Layout)> = counts
        .iter()
        .filter_map(|&n| layout_for(&strip, &lines, n))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out.into_iter().map(|(_, l)| l).collect()
}

fn resample(frame: &Frame, region: &Region, s: &mut LinesScratch) -> Option<Strip> {
    let len = region.length * (1.0 + 2.0 * PAD_ALONG);
    let thick = region.thickness * (1.0 + 2.0 * PAD_ACROSS);
    if !(len.is_finite() && thick.is_finite()) || len < 8.0 || thick < 4.0 {
        return None;
    }
    // Coarse enough to be cheap, fine enough that a line of print stays ≥ 10 samples
    // tall: the cells themselves are read from the frame at full resolution.
    let step = (len / MAX_STRIP_LEN).max(thick / STRIP_HEIGHT).max(1.0);
    let origin = region
        .origin
        .sub(region.u.scale(region.length * PAD_ALONG))
        .sub(region.v.scale(region.thickness * PAD_ACROSS));
    let strip = Strip {
        origin,
        u: region.u,
        v: region.v,
        step,
        w: (len / step) as usize,
        h: (thick / step) as usize,
    };
    s.strip.clear();
    s.strip.reserve(strip.w * strip.h);
    for y in 0..strip.h {
        let row = strip.to_frame(0.0, y as f32);
        let du = strip.u.scale(step);
        for x in 0..strip.w {
            let p = row.add(du.scale(x as f32));
            s.strip.push(frame.sample(p.x, p.y) as u8);
        }
    }
    // Ink: darker than an Otsu threshold over the strip, which holds print and paper.
    let t = otsu(&s.strip);
    s.ink.clear();
    s.ink.extend(s.strip.iter().map(|&v| v < t));
    Some(strip)
}

fn otsu(values: &[u8]) -> u8 {
    let mut hist = [0u32; 256];
    for &v in values {
        hist[usize::from(v)] += 1;
    }
    let total = values.len() as f64;
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0.0, 0.0, -1.0, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c as f64;
        sum0 += t as f64 * c as f64;
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let m0 = sum0 / w0;
        let m1 = (sum_all - sum0) / w1;
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t.saturating_add(1)
}

/// Row profile of ink after shearing rows by `slope` (rows per column).
fn row_profile(strip: &Strip, s: &LinesScratch, slope: f32, col_step: usize) -> Vec<u32> {
    let mut prof = vec![0u32; strip.h];
    // Only the located part: the padding may hold the background past a card's edge,
    // whose ink in every row would fill the gaps between lines.
    let (x_lo, x_hi) = (
        (strip.w as f32 * PAD_ALONG) as usize,
        (strip.w as f32 * (1.0 - PAD_ALONG)) as usize,
    );
    for y in 0..strip.h {
        let row = &s.ink[y * strip.w..(y + 1) * strip.w];
        for x in (x_lo..x_hi.min(row.len())).step_by(col_step) {
            if !row[x] {
                continue;
            }
            let yy = y as f32 - slope * (x as f32 - strip.w as f32 / 2.0);
            if yy >= 0.0 && (yy as usize) < strip.h {
                prof[yy as usize] += 1;
            }
        }
    }
    prof
}

/// The residual skew (as a slope) that makes the text rows sharpest.
fn best_skew(strip: &Strip, s: &LinesScratch) -> f32 {
    let sharpness = |slope: f32| -> f64 {
        row_profile(strip, s, slope, 3)
            .iter()
            .map(|&c| f64::from(c) * f64::from(c))
            .sum()
    };
    let mut best = (0.0f32, sharpness(0.0));
    for (range, step) in [(0.05f32, 0.01f32), (0.01, 0.002)] {
        let centre = best.0;
        let n = (range / step).round() as i32;
        for k in -n..=n {
            let slope = centre + k as f32 * step;
            let v = sharpness(slope);
            if v > best.1 {
                best = (slope, v);
            }
        }
    }
    best.0
}

/// Row ranges (in the sheared strip) holding a line of print.
fn text_bands(strip: &Strip, s: &LinesScratch, slope: f32) -> Vec<(usize, usize)> {
    let prof = row_profile(strip, s, slope, 1);
    let peak = prof.iter().copied().max().unwrap_or(0);
    if peak == 0 {
        return Vec::new();
    }
    let on = |c: u32| c as f32 >= 0.2 * peak as f32;
    let mut bands = Vec::new();
    let mut start = None;
    for (y, &c) in prof.iter().enumerate() {
        match (on(c), start) {
            (true, None) => start = Some(y),
            (false, Some(s0)) => {
                bands.push((s0, y));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s0) = start {
        bands.push((s0, prof.len()));
    }
    bands.retain(|&(a, b)| b - a >= 3);
    bands
}

/// A text line in strip coordinates: centre-line y = a + b·x, print height, ink extent.
#[derive(Debug, Clone)]
struct FittedLine {
    a: f32,
    b: f32,
    height: f32,
    x0: usize,
    x1: usize,
    blobs: usize,
    /// Ink per strip column in the line's band.
    profile: Vec<f32>,
    /// The chain's ink spans (first and last column), left to right.
    spans: Vec<(usize, usize)>,
    /// Where its cells are (see `cell_model`).
    model: Option<(f32, f32, f32)>,
}

impl FittedLine {
    fn y_at(&self, x: f32) -> f32 {
        self.a + self.b * x
    }
}

fn ink(strip: &Strip, s: &LinesScratch, x: usize, y: f32) -> bool {
    if y < 0.0 {
        return false;
    }
    let y = y as usize;
    y < strip.h && x < strip.w && s.ink.get(y * strip.w + x).copied().unwrap_or(false)
}

/// Fits one line's own centre-line from the ink in its band, slice by slice.
fn fit_line(
    strip: &Strip,
    s: &LinesScratch,
    slope: f32,
    top: usize,
    bottom: usize,
) -> Option<FittedLine> {
    let mid = strip.w as f32 / 2.0;
    let half = (bottom - top) as f32 / 2.0 + 1.0;
    let y_mid = (top + bottom) as f32 / 2.0;
    let base = |x: usize| y_mid + slope * (x as f32 - mid);
    const SLICES: usize = 8;
    let mut pts = Vec::with_capacity(SLICES);
    for k in 0..SLICES {
        let (xa, xb) = (k * strip.w / SLICES, (k + 1) * strip.w / SLICES);
        let (mut n, mut sy, mut sx) = (0.0f32, 0.0f32, 0.0f32);
        for x in xa..xb {
            let c = base(x);
            let (ya, yb) = ((c - half).floor() as i32, (c + half).ceil() as i32);
            for y in ya..=yb {
                if ink(strip, s, x, y as f32) {
                    n += 1.0;
                    sy += y as f32;
                    sx += x as f32;
                }
            }
        }
        if n >= 4.0 {
            pts.push((sx / n, sy / n, n));
        }
    }
    if pts.len() < 2 {
        return None;
    }
    let wsum: f32 = pts.iter().map(|p| p.2).sum();
    let mx = pts.iter().map(|p| p.0 * p.2).sum::<f32>() / wsum;
    let my = pts.iter().map(|p| p.1 * p.2).sum::<f32>() / wsum;
    let sxx: f32 = pts.iter().map(|p| p.2 * (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f32 = pts.iter().map(|p| p.2 * (p.0 - mx) * (p.1 - my)).sum();
    let b = if sxx > 0.0 { sxy / sxx } else { slope };
    let a = my - b * mx;
    let mut line = FittedLine {
        a,
        b,
        height: 0.0,
        x0: 0,
        x1: 0,
        blobs: 0,
        profile: Vec::new(),
        spans: Vec::new(),
        model: None,
    };
    // Print height: rows (relative to the centre-line) where ink is common.
    let mut rows = vec![0u32; 2 * half.ceil() as usize + 5];
    let off = half.ceil() as i32 + 2;
    let mut cols = vec![false; strip.w];
    let mut profile = vec![0.0f32; strip.w];
    for (x, (col, prof)) in cols.iter_mut().zip(profile.iter_mut()).enumerate() {
        let c = line.y_at(x as f32);
        for dy in -off..=off {
            if ink(strip, s, x, c + dy as f32) {
                if let Some(r) = rows.get_mut((dy + off) as usize) {
                    *r += 1;
                }
                if dy.abs() as f32 <= half * 0.8 {
                    *col = true;
                    *prof += 1.0;
                }
            }
        }
    }
    let peak = rows.iter().copied().max().unwrap_or(0) as f32;
    let lit: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, &r)| r as f32 >= 0.25 * peak)
        .map(|(i, _)| i)
        .collect();
    let (first, last) = (lit.first().copied()?, lit.last().copied()?);
    line.height = (last - first + 1) as f32;
    line.a += ((first + last) as f32 / 2.0) - off as f32;
    // Character blobs along the line. The line is the chain of blobs around the
    // strip's middle with no gap wider than a character: an MRZ has no spaces (fillers
    // fill them), while stray ink (a card edge, a photo border) lies beyond such a gap.
    let mut blobs: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (x, &c) in cols.iter().enumerate() {
        match (c, start) {
            (true, None) => start = Some(x),
            (false, Some(x0)) => {
                blobs.push((x0, x - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(x0) = start {
        blobs.push((x0, cols.len() - 1));
    }
    let max_gap = (1.5 * line.height).max(2.0) as usize;
    let centre = strip.w / 2;
    let seed = blobs
        .iter()
        .enumerate()
        .min_by_key(|(_, b)| {
            if b.0 <= centre && centre <= b.1 {
                0
            } else {
                b.0.abs_diff(centre).min(b.1.abs_diff(centre))
            }
        })
        .map(|(i, _)| i)?;
    let (mut first, mut last) = (seed, seed);
    while first > 0 && blobs[first].0.saturating_sub(blobs[first - 1].1) <= max_gap {
        first -= 1;
    }
    while last + 1 < blobs.len() && blobs[last + 1].0.saturating_sub(blobs[last].1) <= max_gap {
        last += 1;
    }
    line.x0 = blobs[first].0;
    line.x1 = blobs[last].1;
    line.blobs = last - first + 1;
    line.profile = profile;
    line.spans = blobs[first..=last].to_vec();
    line.model = cell_model(&line);
    Some(line)
}

/// The MRZ's two or three lines: the last lines of equal height and length (the MRZ is
/// the bottom of the document; print above it may have been caught too).
fn pick_mrz_lines(mut lines: Vec<FittedLine>) -> Option<Vec<FittedLine>> {
    lines.retain(|l| l.x1 > l.x0 && l.height >= 4.0 && l.blobs >= MIN_BLOBS);
    lines.sort_by(|a, b| a.a.total_cmp(&b.a));
    let alike = |a: &FittedLine, b: &FittedLine| {
        let (la, lb) = ((a.x1 - a.x0) as f32, (b.x1 - b.x0) as f32);
        la.min(lb) / la.max(lb) >= 0.7 && a.height.min(b.height) / a.height.max(b.height) >= 0.7
    };
    // The lowest run of two or three alike lines; three when there are three.
    for n in [3, 2] {
        for end in (n..=lines.len()).rev() {
            let group = &lines[end - n..end];
            if group.windows(2).all(|p| alike(&p[0], &p[1])) {
                return Some(group.to_vec());
            }
        }
    }
    None
}

/// Places `n` cells on each line; returns the fit's misalignment (lower is better).
fn layout_for(strip: &Strip, lines: &[FittedLine], n: usize) -> Option<(f32, Layout)> {
    let cells: Vec<Cells> = lines
        .iter()
        .map(|l| fit_cells(l, n))
        .collect::<Option<_>>()?;
    let windows = align_windows(&cells)?;
    let misfit: f32 = cells.iter().map(|c| c.misfit).sum();
    // Cells that leave several characters of print uncovered (a 44-character line read
    // as 36) would let the text layer find a valid but wrong document.
    if windows.iter().any(|w| w.uncovered > MAX_UNCOVERED_CELLS) {
        return None;
    }
    let mut out = Vec::with_capacity(lines.len());
    for ((l, c), start) in lines
        .iter()
        .zip(&cells)
        .zip(windows.iter().map(|w| w.start))
    {
        let at = |k: usize| {
            let x = l.x0 as f32 + c.centre(start + k as f32);
            strip.to_frame(x, l.y_at(x))
        };
        let (p0, p1) = (at(0), at(n - 1));
        let dir = p1.sub(p0);
        let along = dir.len();
        if along <= 0.0 {
            return None;
        }
        let u = dir.scale(1.0 / along);
        out.push(Line {
            start: p0,
            u,
            v: Point::new(-u.y, u.x),
            height: l.height * strip.step,
            pitch: along / (n - 1) as f32,
            cells: (0..n).map(|k| at(k).sub(p0).dot(u)).collect(),
        });
    }
    let quad = outline(&out)?;
    Some((misfit, Layout { lines: out, quad }))
}

/// The centre model `(a, b, q)` of a line's cells: centre(k) = a + b·k + q·k² in chain
/// coordinates. Monospaced print makes the column ink profile periodic: the pitch is
/// the period with the strongest Fourier component (searched within the print height's
/// plausible range, coarse then fine) and its phase places the centres; the blobs then
/// refine both. Computed once per line, whatever the number of cells tried.
fn cell_model(l: &FittedLine) -> Option<(f32, f32, f32)> {
    let prof = l.profile.get(l.x0..=l.x1)?;
    if prof.len() < 8 {
        return None;
    }
    let mean = prof.iter().sum::<f32>() / prof.len() as f32;
    // One Fourier coefficient; the phasor turns by a fixed step per sample (a rotation,
    // renormalised now and then), which is far cheaper than a sine and cosine each.
    let component = |p: f32| -> (f32, f32) {
        let w = std::f64::consts::TAU / f64::from(p);
        let (step_c, step_s) = (w.cos(), w.sin());
        let (mut pc, mut ps) = (1.0f64, 0.0f64);
        let (mut c, mut s) = (0.0f64, 0.0f64);
        for (x, &v) in prof.iter().enumerate() {
            let d = f64::from(v - mean);
            c += d * pc;
            s += d * ps;
            (pc, ps) = (pc * step_c - ps * step_s, pc * step_s + ps * step_c);
            if x % 64 == 63 {
                let norm = (pc * pc + ps * ps).sqrt();
                (pc, ps) = (pc / norm, ps / norm);
            }
        }
        (c as f32, s as f32)
    };
    let power = |p: f32| {
        let (c, s) = component(p);
        c * c + s * s
    };
    let (lo, hi) = (0.45 * l.height, 1.5 * l.height);
    let mut best = (lo, f32::MIN);
    let coarse = (hi - lo) / 60.0;
    for k in 0..=60 {
        let p = lo + k as f32 * coarse;
        let v = power(p);
        if v > best.1 {
            best = (p, v);
        }
    }
    let centre = best.0;
    for k in -20..=20 {
        let p = centre + k as f32 * coarse / 20.0;
        if p > 2.0 {
            let v = power(p);
            if v > best.1 {
                best = (p, v);
            }
        }
    }
    let pitch = best.0;
    if pitch < 2.0 {
        return None;
    }
    // Ink peaks where cos(2πx/p − φ) = 1.
    let (c, s) = component(pitch);
    let phase = s.atan2(c).rem_euclid(std::f32::consts::TAU);
    Some(refine(
        &l.spans,
        l.x0,
        phase / std::f32::consts::TAU * pitch,
        pitch,
    ))
}

/// Places `n` cells on a line: the `n` consecutive cells holding the most ink are the
/// line (stray ink at an end falls outside). Several window positions are kept;
/// `align_windows` picks across lines. The misfit says how far the ink extent is from
/// `n` pitches (it picks between 36 and 44).
fn fit_cells(l: &FittedLine, n: usize) -> Option<Cells> {
    let prof = l.profile.get(l.x0..=l.x1)?;
    let model = l.model?;
    if n < 2 {
        return None;
    }
    // Ink wider than a character (a card edge, a shadow) is not print: it must not
    // pull the window of cells its way.
    let mut prof = prof.to_vec();
    for &(a, b) in &l.spans {
        if (b - a + 1) as f32 > 1.2 * model.1 {
            let (a, b) = (a.saturating_sub(l.x0), (b + 1).saturating_sub(l.x0));
            let b = b.min(prof.len());
            if let Some(run) = prof.get_mut(a..b) {
                run.iter_mut().for_each(|v| *v = 0.0);
            }
        }
    }
    // Cells from the first whose centre lies in the chain of print.
    let k0 = (-model.0 / model.1 - 0.5).ceil();
    let centre = |k: f32| model.0 + model.1 * k + model.2 * k * k;
    let ink_at = |k: f32| -> f32 {
        let (c, half) = (centre(k), model.1 / 2.0);
        let a = (c - half).max(0.0) as usize;
        let b = ((c + half).max(0.0) as usize).min(prof.len());
        prof.get(a..b).map_or(0.0, |v| v.iter().sum())
    };
    let total = ((prof.len() as f32 - centre(k0)) / model.1)
        .ceil()
        .max(n as f32) as usize
        + 1;
    let inks: Vec<f32> = (0..total).map(|i| ink_at(k0 + i as f32)).collect();
    let mut windows: Vec<Window> = (0..=inks.len().saturating_sub(n))
        .map(|a| {
            let inside = inks.get(a..a + n).unwrap_or_default();
            let ink: f32 = inside.iter().sum();
            let mut sorted = inside.to_vec();
            sorted.sort_by(|x, y| x.total_cmp(y));
            let typical = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
            let uncovered = inks
                .iter()
                .enumerate()
                .filter(|&(i, &v)| (i < a || i >= a + n) && v > 0.3 * typical)
                .count();
            Window {
                start: k0 + a as f32,
                ink,
                uncovered,
            }
        })
        .collect();
    windows.sort_by(|a, b| b.ink.total_cmp(&a.ink));
    windows.truncate(3);
    let misfit = (prof.len() as f32 / model.1 + 0.35 - n as f32).abs() / n as f32;
    Some(Cells {
        x0: l.x0 as f32,
        model,
        windows,
        misfit,
    })
}

/// Blob centres against their cell index (blobs in one cell, e.g. the two stems of a U,
/// averaged first), by least squares: linear, then with a quadratic term for the
/// foreshortening of a document seen in perspective. Starts from the spectral estimate,
/// whose peak is only as sharp as the line is long (~3 % for 30 cells). Returns
/// `(a, b, q)` with centre(k) = a + b·k + q·k² in chain coordinates.
fn refine(spans: &[(usize, usize)], x0: usize, first: f32, pitch: f32) -> (f32, f32, f32) {
    let mut model = (first, pitch, 0.0f32);
    for round in 0..3 {
        let (a, b, q) = model;
        let mut cells: Vec<(f32, f32, f32)> = Vec::new();
        for &(s0, s1) in spans {
            let width = (s1 - s0 + 1) as f32;
            if width > 0.9 * b {
                continue;
            }
            let c = (s0 + s1) as f32 / 2.0 - x0 as f32;
            // Index under the current model (q is small: one Newton step from linear).
            let k_lin = (c - a) / b;
            let k = ((c - a - q * k_lin * k_lin) / b).round();
            match cells.last_mut() {
                Some(last) if last.0 == k => {
                    last.1 += c * width;
                    last.2 += width;
                }
                _ => cells.push((k, c * width, width)),
            }
        }
        if cells.len() < MIN_BLOBS {
            break;
        }
        let pts: Vec<(f32, f32)> = cells.iter().map(|&(k, s, w)| (k, s / w)).collect();
        let fitted = if round == 0 {
            fit_line_ls(&pts).map(|(a, b)| (a, b, 0.0))
        } else {
            fit_quadratic(&pts)
        };
        match fitted {
            Some(m) if m.1.is_finite() && (m.1 - pitch).abs() < 0.15 * pitch => model = m,
            _ => break,
        }
    }
    model
}

fn fit_line_ls(pts: &[(f32, f32)]) -> Option<(f32, f32)> {
    let m = pts.len() as f32;
    let mk = pts.iter().map(|p| p.0).sum::<f32>() / m;
    let mc = pts.iter().map(|p| p.1).sum::<f32>() / m;
    let skk: f32 = pts.iter().map(|p| (p.0 - mk) * (p.0 - mk)).sum();
    let skc: f32 = pts.iter().map(|p| (p.0 - mk) * (p.1 - mc)).sum();
    if skk <= 0.0 {
        return None;
    }
    let b = skc / skk;
    Some((mc - b * mk, b))
}

/// Least-squares c = a + b·k + q·k², centred on the mean index for conditioning.
fn fit_quadratic(pts: &[(f32, f32)]) -> Option<(f32, f32, f32)> {
    let m = pts.len() as f64;
    let mk = pts.iter().map(|p| f64::from(p.0)).sum::<f64>() / m;
    let (mut s2, mut s3, mut s4, mut sy, mut sxy, mut sx2y) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut s1 = 0.0;
    for &(k, c) in pts {
        let x = f64::from(k) - mk;
        let y = f64::from(c);
        s1 += x;
        s2 += x * x;
        s3 += x * x * x;
        s4 += x * x * x * x;
        sy += y;
        sxy += x * y;
        sx2y += x * x * y;
    }
    // Normal equations [[m, s1, s2], [s1, s2, s3], [s2, s3, s4]]·[a, b, q] = [sy, sxy, sx2y].
    let det3 = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let a = [[m, s1, s2], [s1, s2, s3], [s2, s3, s4]];
    let d = det3(a);
    if d.abs() < 1e-9 {
        return None;
    }
    let r = [sy, sxy, sx2y];
    let solve = |col: usize| {
        let mut t = a;
        for (row, v) in t.iter_mut().zip(r) {
            row[col] = v;
        }
        det3(t) / d
    };
    let (ac, bc, q) = (solve(0), solve(1), solve(2));
    // Back from x = k − mk to k.
    let a0 = ac - bc * mk + q * mk * mk;
    let b0 = bc - 2.0 * q * mk;
    Some((a0 as f32, b0 as f32, q as f32))
}

/// A run of `n` cells: its first cell's index, the ink it covers, and how many inked
/// cells of the line it leaves out.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: f32,
    ink: f32,
    uncovered: usize,
}

/// The cells that may hold a line: the centre model and the best few windows, best
/// first.
struct Cells {
    x0: f32,
    model: (f32, f32, f32),
    windows: Vec<Window>,
    misfit: f32,
}

impl Cells {
    /// Centre of cell `k` in chain coordinates.
    fn centre(&self, k: f32) -> f32 {
        let (a, b, q) = self.model;
        a + b * k + q * k * k
    }
}

/// Where a window's first cell is, in strip columns shared by all lines.
fn x0s(c: &Cells, start: f32) -> f32 {
    c.x0 + c.centre(start)
}

/// One window per line such that the lines start together (an MRZ's lines are
/// left-aligned; a thin first character or stray ink past one line's end must not
/// shift that line by a cell), preferring more ink among equally aligned choices.
fn align_windows(cells: &[Cells]) -> Option<Vec<Window>> {
    let mut best: Option<(f32, Vec<Window>)> = None;
    let mut choice = vec![0usize; cells.len()];
    loop {
        let picked: Option<Vec<(Window, f32)>> = cells
            .iter()
            .zip(&choice)
            .map(|(c, &k)| c.windows.get(k).map(|w| (*w, x0s(c, w.start))))
            .collect();
        if let Some(picked) = picked {
            let firsts: Vec<f32> = picked.iter().map(|p| p.1).collect();
            let mean = firsts.iter().sum::<f32>() / firsts.len() as f32;
            let pitch = cells.iter().map(|c| c.model.1).sum::<f32>() / cells.len() as f32;
            let spread: f32 = firsts.iter().map(|f| ((f - mean) / pitch).abs()).sum();
            let rank: usize = choice.iter().sum();
            let score = spread.round() * 10.0 + rank as f32;
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, picked.iter().map(|p| p.0).collect()));
            }
        }
        // Next combination (odometer over each line's windows).
        let mut i = 0;
        loop {
            let Some(c) = choice.get_mut(i) else {
                return best.map(|(_, f)| f);
            };
            *c += 1;
            if *c < cells.get(i).map_or(0, |c| c.windows.len()) {
                break;
            }
            *c = 0;
            i += 1;
        }
    }
}

fn outline(lines: &[Line]) -> Option<Quad> {
    let (top, bottom) = (lines.first()?, lines.last()?);
    let corner = |l: &Line, i: usize, side: f32, up: f32| -> Option<Point> {
        Some(
            l.cell_center(i)?
                .add(l.u.scale(side * l.pitch / 2.0))
                .add(l.v.scale(up * l.height * 0.6)),
        )
    };
    let last = top.cells.len().checked_sub(1)?;
    Some(Quad([
        corner(top, 0, -1.0, -1.0)?,
        corner(top, last, 1.0, -1.0)?,
        corner(bottom, last, 1.0, 1.0)?,
        corner(bottom, 0, -1.0, 1.0)?,
    ]))
}
