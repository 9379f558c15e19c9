//! Image filters the analysis needs. Radii are small (a few working pixels), so each
//! filter is a handful of passes of element-wise max/min over shifted, contiguous
//! slices, which the compiler vectorises (SIMD on x86 and on wasm32 with simd128).

/// Scratch buffer for the filters, kept between frames.
#[derive(Debug, Default, Clone)]
pub struct FilterScratch {
    tmp: Vec<u8>,
}

/// `dst[i] = max(dst[i], src[i])` (or min) over equal-length slices; monomorphised so
/// the loop vectorises.
#[inline]
fn combine<const MAX: bool>(dst: &mut [u8], src: &[u8]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = if MAX { (*d).max(s) } else { (*d).min(s) };
    }
}

/// Grey dilation (`max`) or erosion over a `(2rx+1)×(2ry+1)` rectangle, separably;
/// the window is clipped at the image border.
#[allow(clippy::too_many_arguments)]
pub fn extreme_2d(
    src: &[u8],
    dst: &mut Vec<u8>,
    width: usize,
    height: usize,
    rx: usize,
    ry: usize,
    max: bool,
    scratch: &mut FilterScratch,
) {
    if max {
        extreme::<true>(src, dst, width, height, rx, ry, scratch);
    } else {
        extreme::<false>(src, dst, width, height, rx, ry, scratch);
    }
}

fn extreme<const MAX: bool>(
    src: &[u8],
    dst: &mut Vec<u8>,
    width: usize,
    height: usize,
    rx: usize,
    ry: usize,
    scratch: &mut FilterScratch,
) {
    let n = width * height;
    let src = src.get(..n).unwrap_or_default();
    let tmp = &mut scratch.tmp;
    tmp.clear();
    tmp.extend_from_slice(src);
    // Along rows: each row against itself shifted by 1..=rx either way.
    for (out, row) in tmp.chunks_exact_mut(width).zip(src.chunks_exact(width)) {
        for d in 1..=rx.min(width.saturating_sub(1)) {
            combine::<MAX>(&mut out[..width - d], &row[d..]);
            combine::<MAX>(&mut out[d..], &row[..width - d]);
        }
    }
    // Along columns: each row against the rows up to ry above and below.
    dst.clear();
    dst.extend_from_slice(tmp);
    for d in 1..=ry.min(height.saturating_sub(1)) {
        let shift = d * width;
        combine::<MAX>(&mut dst[..n - shift], &tmp[shift..]);
        combine::<MAX>(&mut dst[shift..], &tmp[..n - shift]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(src: &[u8], w: usize, h: usize, rx: usize, ry: usize, max: bool) -> Vec<u8> {
        let mut out = vec![0; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut v = if max { 0 } else { 255 };
                for yy in y.saturating_sub(ry)..=(y + ry).min(h - 1) {
                    for xx in x.saturating_sub(rx)..=(x + rx).min(w - 1) {
                        let p = src[yy * w + xx];
                        v = if max { v.max(p) } else { v.min(p) };
                    }
                }
                out[y * w + x] = v;
            }
        }
        out
    }

    #[test]
    fn matches_the_naive_filter_on_odd_sizes() {
        let (w, h) = (23, 11);
        let src: Vec<u8> = (0..w * h).map(|i| ((i * 7919) % 251) as u8).collect();
        let mut scratch = FilterScratch::default();
        let mut dst = Vec::new();
        for (rx, ry) in [(0, 0), (1, 2), (3, 1), (7, 5), (30, 30)] {
            for max in [true, false] {
                extreme_2d(&src, &mut dst, w, h, rx, ry, max, &mut scratch);
                assert_eq!(
                    dst,
                    naive(&src, w, h, rx, ry, max),
                    "r=({rx},{ry}) max={max}"
                );
            }
        }
    }
}
