//! Finds the MRZ in the working-resolution grey image: dark print on a lighter ground
//! (black-hat), characters merged into text bands, and the band or group of parallel
//! bands that looks like two or three long, equal, left-aligned lines of print.

use crate::filters::{extreme_2d, FilterScratch};
use crate::frame::GrayImage;
use crate::geometry::Point;
use std::ops::{Add, Sub};

/// Structuring-element radius of the black-hat: wider than any MRZ stroke at working
/// resolution, narrow enough not to fill whole characters' surroundings.
const BLACKHAT_RADIUS: usize = 3;
/// Minimum black-hat response of print (grey levels): below it is paper texture.
const MIN_PRINT_CONTRAST: u8 = 28;
/// Share of the strongest print response a pixel needs, so threshold follows exposure.
const PRINT_FRACTION_OF_P995: f32 = 0.38;
/// Horizontal merge radius joining the characters of a line into one band.
const MERGE_RADIUS: usize = 4;
/// A text band shorter than this (working pixels) cannot be an MRZ line.
const MIN_BAND_LENGTH: f32 = 60.0;
/// MRZ lines are long and thin.
const MIN_BAND_ASPECT: f32 = 5.0;
/// Tilt beyond which a band is not an MRZ line of a document held roughly level.
const MAX_TILT_DEG: f32 = 32.0;

/// An oriented rectangle in working-image coordinates: `origin` + s·`u` + t·`v` for s in
/// [0, `length`], t in [0, `thickness`]; `u` runs along the lines, `v` down across them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub origin: Point,
    pub u: Point,
    pub v: Point,
    pub length: f32,
    pub thickness: f32,
    /// How many text bands made it: 1 when the lines merged into one.
    pub bands: usize,
}

impl Region {
    pub fn scaled(&self, k: f32) -> Region {
        Region {
            origin: self.origin.scale(k),
            length: self.length * k,
            thickness: self.thickness * k,
            ..*self
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

#[derive(Debug, Clone, Copy)]
struct Band {
    label: u32,
    center: Point,
    dir: Point,
    length: f32,
    thickness: f32,
}

/// Buffers reused from frame to frame.
#[derive(Debug, Default, Clone)]
pub struct LocateScratch {
    filters: FilterScratch,
    a: Vec<u8>,
    b: Vec<u8>,
    labels: Vec<u32>,
    parent: Vec<u32>,
    moments: Vec<Moments>,
}

/// Locates the MRZ block; `None` when nothing in the image looks like one.
pub fn locate(img: &GrayImage, s: &mut LocateScratch) -> Option<Region> {
    let (w, h) = (img.width as usize, img.height as usize);
    if w < 16 || h < 16 {
        return None;
    }
    print_mask(img, s);
    let mask = std::mem::take(&mut s.b);
    label(&mask, w, h, s);
    s.b = mask;
    let bands = bands(s);
    let group = with_third_line(best_group(&bands)?, &bands);
    region(&group, w, h, s)
}

/// `s.b` := 255 where dark print stands out of its surroundings, merged along rows.
fn print_mask(img: &GrayImage, s: &mut LocateScratch) {
    let (w, h) = (img.width as usize, img.height as usize);
    let r = BLACKHAT_RADIUS;
    extreme_2d(&img.data, &mut s.a, w, h, r, r, true, &mut s.filters);
    extreme_2d(&s.a, &mut s.b, w, h, r, r, false, &mut s.filters);
    let mut hist = [0u32; 256];
    for (closed, &orig) in s.b.iter_mut().zip(&img.data) {
        *closed = closed.saturating_sub(orig);
        hist[usize::from(*closed)] += 1;
    }
    let p995 = percentile(&hist, 0.995);
    let threshold = MIN_PRINT_CONTRAST.max((f32::from(p995) * PRINT_FRACTION_OF_P995) as u8);
    for v in s.b.iter_mut() {
        *v = if *v >= threshold { 255 } else { 0 };
    }
    extreme_2d(&s.b, &mut s.a, w, h, MERGE_RADIUS, 0, true, &mut s.filters);
    std::mem::swap(&mut s.a, &mut s.b);
}

fn percentile(hist: &[u32; 256], q: f32) -> u8 {
    let total: u32 = hist.iter().sum();
    let target = (total as f32 * q) as u32;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc > target {
            return v as u8;
        }
    }
    255
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while let Some(&p) = parent.get(x as usize) {
        if p == x {
            break;
        }
        let gp = parent.get(p as usize).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(x as usize) {
            *slot = gp;
        }
        x = gp;
    }
    x
}

/// 8-connected components of `mask`: `s.labels` (0 = background) and per-label moments.
fn label(mask: &[u8], w: usize, h: usize, s: &mut LocateScratch) {
    s.labels.clear();
    s.labels.resize(w * h, 0);
    s.parent.clear();
    s.parent.push(0);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if mask.get(i).copied().unwrap_or(0) == 0 {
                continue;
            }
            let mut neighbours = [0u32; 4];
            if x > 0 {
                neighbours[0] = s.labels[i - 1];
            }
            if y > 0 {
                let up = i - w;
                neighbours[1] = s.labels[up];
                if x > 0 {
                    neighbours[2] = s.labels[up - 1];
                }
                if x + 1 < w {
                    neighbours[3] = s.labels[up + 1];
                }
            }
            let mut l = 0;
            for &n in neighbours.iter().filter(|&&n| n != 0) {
                let root = find(&mut s.parent, n);
                if l == 0 {
                    l = root;
                } else if root != l {
                    let (keep, drop) = (l.min(root), l.max(root));
                    s.parent[drop as usize] = keep;
                    l = keep;
                }
            }
            if l == 0 {
                l = s.parent.len() as u32;
                s.parent.push(l);
            }
            s.labels[i] = l;
        }
    }
    s.moments.clear();
    s.moments.resize(s.parent.len(), Moments::default());
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let l = s.labels[i];
            if l == 0 {
                continue;
            }
            let root = find(&mut s.parent, l);
            s.labels[i] = root;
            let m = &mut s.moments[root as usize];
            let (fx, fy) = (x as f64, y as f64);
            m.n += 1.0;
            m.sx += fx;
            m.sy += fy;
            m.sxx += fx * fx;
            m.syy += fy * fy;
            m.sxy += fx * fy;
        }
    }
}

/// Components shaped like a line (or a few merged lines) of print.
fn bands(s: &LocateScratch) -> Vec<Band> {
    let max_tilt = MAX_TILT_DEG.to_radians().cos();
    let mut out = Vec::new();
    for (l, m) in s.moments.iter().enumerate() {
        if m.n < 50.0 {
            continue;
        }
        let (cx, cy) = (m.sx / m.n, m.sy / m.n);
        let vxx = m.sxx / m.n - cx * cx;
        let vyy = m.syy / m.n - cy * cy;
        let vxy = m.sxy / m.n - cx * cy;
        let tr = vxx + vyy;
        let disc = ((vxx - vyy).powi(2) / 4.0 + vxy * vxy).sqrt();
        let (l1, l2) = (tr / 2.0 + disc, (tr / 2.0 - disc).max(0.0));
        let angle = 0.5 * (2.0 * vxy).atan2(vxx - vyy);
        let dir = Point::new(angle.cos() as f32, angle.sin() as f32);
        let length = (12.0 * l1).sqrt() as f32;
        let thickness = ((12.0 * l2).sqrt() as f32).max(1.0);
        let fill = m.n as f32 / (length * thickness);
        if length >= MIN_BAND_LENGTH
            && length / thickness >= MIN_BAND_ASPECT
            && dir.x.abs() >= max_tilt
            && fill > 0.55
        {
            let dir = if dir.x < 0.0 { dir.scale(-1.0) } else { dir };
            out.push(Band {
                label: l as u32,
                center: Point::new(cx as f32, cy as f32),
                dir,
                length,
                thickness,
            });
        }
    }
    out
}

/// The group of parallel, adjacent, equally long bands most likely to be the MRZ: the
/// MRZ's lines are the longest print on a document, of one length, left-aligned.
fn best_group(bands: &[Band]) -> Option<Vec<Band>> {
    let mut best: Option<(f32, Vec<Band>)> = None;
    for seed in bands {
        let normal = Point::new(-seed.dir.y, seed.dir.x);
        let mut group = vec![*seed];
        for other in bands {
            if other.label == seed.label {
                continue;
            }
            let parallel = other.dir.dot(seed.dir) >= 5f32.to_radians().cos();
            let ratio = other.length.min(seed.length) / other.length.max(seed.length);
            let d = other.center.sub(seed.center);
            let across = d.dot(normal).abs();
            let along = d.dot(seed.dir).abs();
            let near = across <= 5.0 * seed.thickness.max(other.thickness) && across >= 1.0;
            if parallel && ratio >= 0.75 && near && along <= 0.15 * seed.length {
                group.push(*other);
            }
        }
        if group.len() > 3 {
            continue;
        }
        let merged_lines = group.len() == 1 && seed.length / seed.thickness < 18.0;
        if group.len() == 1 && !merged_lines {
            continue;
        }
        let score: f32 = group.iter().map(|b| b.length).sum();
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, group));
        }
    }
    best.map(|(_, g)| g)
}

/// Share of the two lines' length that pieces of print must cover, one line spacing
/// beyond them, to be taken for a third line.
const MIN_THIRD_LINE_COVER: f32 = 0.5;

/// A pair of lines may be two lines of a three-line MRZ whose third line did not come
/// out as one band (print touching a card's guilloche, or broken at wide gaps): add
/// the pieces of print lying one line spacing below (or above) the pair, parallel and
/// within its extent, when together they cover most of its length.
fn with_third_line(group: Vec<Band>, bands: &[Band]) -> Vec<Band> {
    let [a, b] = group[..] else {
        return group;
    };
    let dir = a.dir;
    let normal = Point::new(-dir.y, dir.x);
    let (ta, tb) = (a.center.dot(normal), b.center.dot(normal));
    let (top, bottom) = (ta.min(tb), ta.max(tb));
    let spacing = bottom - top;
    let ends = |x: &Band| {
        let c = x.center.dot(dir);
        (c - x.length / 2.0, c + x.length / 2.0)
    };
    let ((a0, a1), (b0, b1)) = (ends(&a), ends(&b));
    let (lo, hi) = (a0.min(b0), a1.max(b1));
    let slack = 0.1 * (hi - lo);
    let parallel = 5f32.to_radians().cos();
    let side = |at: f32| -> (f32, Vec<Band>) {
        let pieces: Vec<Band> = bands
            .iter()
            .filter(|x| x.label != a.label && x.label != b.label)
            .filter(|x| x.dir.dot(dir) >= parallel)
            .filter(|x| (x.center.dot(normal) - at).abs() <= 0.25 * spacing)
            .filter(|x| {
                let (x0, x1) = ends(x);
                x0 >= lo - slack && x1 <= hi + slack
            })
            .copied()
            .collect();
        (pieces.iter().map(|x| x.length).sum(), pieces)
    };
    let need = MIN_THIRD_LINE_COVER * (a.length + b.length) / 2.0;
    let (below, above) = (side(bottom + spacing), side(top - spacing));
    let (cover, pieces) = if below.0 >= above.0 { below } else { above };
    if cover < need || pieces.is_empty() || pieces.len() > 3 {
        return group;
    }
    group.into_iter().chain(pieces).collect()
}

/// The oriented box around the group's pixels, along the longest band's direction.
fn region(group: &[Band], w: usize, h: usize, s: &LocateScratch) -> Option<Region> {
    // Length-weighted mean direction: one band stretched by a merged neighbour (a card
    // edge, a photo border) must not tilt the whole region.
    let sum = group
        .iter()
        .fold(Point::default(), |acc, b| acc.add(b.dir.scale(b.length)));
    let norm = sum.len();
    if norm <= 0.0 {
        return None;
    }
    let u = sum.scale(1.0 / norm);
    let v = Point::new(-u.y, u.x);
    let (mut min_s, mut max_s, mut min_t, mut max_t) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    let labels: Vec<u32> = group.iter().map(|b| b.label).collect();
    for y in 0..h {
        for x in 0..w {
            let l = s.labels.get(y * w + x).copied().unwrap_or(0);
            if l == 0 || !labels.contains(&l) {
                continue;
            }
            let p = Point::new(x as f32, y as f32);
            let (ps, pt) = (p.dot(u), p.dot(v));
            min_s = min_s.min(ps);
            max_s = max_s.max(ps);
            min_t = min_t.min(pt);
            max_t = max_t.max(pt);
        }
    }
    if min_s > max_s {
        return None;
    }
    // The merge radius widened each band at both ends.
    let pad = MERGE_RADIUS as f32;
    let (min_s, max_s) = (min_s + pad * 0.5, max_s - pad * 0.5);
    Some(Region {
        origin: u.scale(min_s).add(v.scale(min_t)),
        u,
        v,
        length: (max_s - min_s).max(1.0),
        thickness: (max_t - min_t + 1.0).max(1.0),
        bands: group.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(label: u32, x: f32, y: f32, length: f32) -> Band {
        Band {
            label,
            center: Point::new(x, y),
            dir: Point::new(1.0, 0.0),
            length,
            thickness: 8.0,
        }
    }

    #[test]
    fn a_third_line_in_pieces_joins_the_pair() {
        let pair = vec![band(1, 200.0, 100.0, 300.0), band(2, 200.0, 115.0, 300.0)];
        let pieces = [band(3, 110.0, 130.0, 110.0), band(4, 280.0, 131.0, 120.0)];
        let all: Vec<Band> = pair.iter().chain(&pieces).copied().collect();
        let labels: Vec<u32> = with_third_line(pair.clone(), &all)
            .iter()
            .map(|b| b.label)
            .collect();
        assert_eq!(labels, [1, 2, 3, 4]);
    }

    #[test]
    fn a_short_or_distant_piece_does_not() {
        let pair = vec![band(1, 200.0, 100.0, 300.0), band(2, 200.0, 115.0, 300.0)];
        // Too little of a line, or two line spacings away, or past the pair's end.
        for other in [
            band(3, 110.0, 130.0, 100.0),
            band(3, 200.0, 145.0, 300.0),
            band(3, 420.0, 130.0, 200.0),
        ] {
            let all = [pair[0], pair[1], other];
            assert_eq!(with_third_line(pair.clone(), &all).len(), 2);
        }
    }
}
