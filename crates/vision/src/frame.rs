//! Frames in: a checked view of caller pixels, and the small grey image analysis runs on.

use std::fmt;

/// How the caller's bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// 4 bytes per pixel, as a canvas `ImageData` gives them.
    Rgba,
    /// 1 byte per pixel.
    Gray,
}

impl PixelFormat {
    fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgba => 4,
            PixelFormat::Gray => 1,
        }
    }
}

/// Why a buffer is not a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    Empty,
    TooLarge { width: u32, height: u32 },
    WrongLength { expected: usize, actual: usize },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Empty => f.write_str("frame has no pixels"),
            FrameError::TooLarge { width, height } => write!(
                f,
                "frame of {width}×{height} exceeds {MAX_PIXELS} pixels; downscale it first"
            ),
            FrameError::WrongLength { expected, actual } => {
                write!(f, "frame buffer has {actual} bytes, expected {expected}")
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// The decoding cap of the spec (40 MP); larger frames are refused, not analysed slowly.
pub const MAX_PIXELS: u64 = 40_000_000;

/// A borrowed image whose size and length have been checked, so analysis can trust it.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
    format: PixelFormat,
}

impl<'a> Frame<'a> {
    pub fn new(
        data: &'a [u8],
        width: u32,
        height: u32,
        format: PixelFormat,
    ) -> Result<Self, FrameError> {
        if width == 0 || height == 0 {
            return Err(FrameError::Empty);
        }
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(FrameError::TooLarge { width, height });
        }
        let expected = width as usize * height as usize * format.bytes_per_pixel();
        if data.len() != expected {
            return Err(FrameError::WrongLength {
                expected,
                actual: data.len(),
            });
        }
        Ok(Frame {
            data,
            width,
            height,
            format,
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// Luma (BT.601 integer weights) at a pixel; coordinates are clamped to the frame.
    #[inline]
    pub fn luma(&self, x: i32, y: i32) -> u8 {
        let x = x.clamp(0, self.width as i32 - 1) as usize;
        let y = y.clamp(0, self.height as i32 - 1) as usize;
        let i = y * self.width as usize + x;
        match self.format {
            PixelFormat::Gray => self.data.get(i).copied().unwrap_or(0),
            PixelFormat::Rgba => match self.data.get(i * 4..i * 4 + 3) {
                Some(&[r, g, b]) => luma(r, g, b),
                _ => 0,
            },
        }
    }

    /// Bilinear luma at a sub-pixel position, for rectifying the MRZ at full resolution.
    #[inline]
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        let x0 = x.floor();
        let y0 = y.floor();
        let (fx, fy) = (x - x0, y - y0);
        let (x0, y0) = (x0 as i32, y0 as i32);
        let p00 = f32::from(self.luma(x0, y0));
        let p10 = f32::from(self.luma(x0 + 1, y0));
        let p01 = f32::from(self.luma(x0, y0 + 1));
        let p11 = f32::from(self.luma(x0 + 1, y0 + 1));
        let top = p00 + (p10 - p00) * fx;
        let bottom = p01 + (p11 - p01) * fx;
        top + (bottom - top) * fy
    }

    /// Box-averages the frame into `out` at 1/`factor` of its size (grey), the working
    /// resolution of location and quality: cost and thresholds then do not grow with the
    /// camera's resolution.
    pub fn downscale_into(&self, factor: u32, out: &mut GrayImage) {
        let (w, h) = (self.width as usize, self.height as usize);
        let factor = (factor as usize).clamp(1, w.min(h));
        let (ow, oh) = ((w / factor).max(1), (h / factor).max(1));
        out.resize(ow as u32, oh as u32);
        let bpp = self.format.bytes_per_pixel();
        let row_bytes = w * bpp;
        // The block's rows are first added byte by byte (channels still interleaved: a
        // loop of plain 16-bit adds that vectorises on any SIMD flavour), then each
        // output pixel gathers its columns and takes the luma once.
        let mut acc = vec![0u16; row_bytes];
        for (oy, out_row) in out.data.chunks_exact_mut(ow).enumerate() {
            acc.iter_mut().for_each(|a| *a = 0);
            let mut rows = 0u32;
            for y in (oy * factor)..((oy + 1) * factor).min(h) {
                let Some(row) = self.data.get(y * row_bytes..(y + 1) * row_bytes) else {
                    continue;
                };
                rows += 1;
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a += u16::from(v);
                }
            }
            let n = (rows * factor as u32).max(1);
            for (o, block) in out_row.iter_mut().zip(acc.chunks_exact(factor * bpp)) {
                *o = match self.format {
                    PixelFormat::Gray => {
                        let sum: u32 = block.iter().map(|&v| u32::from(v)).sum();
                        ((sum + n / 2) / n) as u8
                    }
                    PixelFormat::Rgba => {
                        let (mut r, mut g, mut b) = (0u32, 0u32, 0u32);
                        for px in block.chunks_exact(4) {
                            r += u32::from(px[0]);
                            g += u32::from(px[1]);
                            b += u32::from(px[2]);
                        }
                        ((77 * r + 150 * g + 29 * b + 128 * n) / (256 * n)) as u8
                    }
                };
            }
        }
    }
}

#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// An owned grey image, reused across frames to avoid allocating per frame.
#[derive(Debug, Clone, Default)]
pub struct GrayImage {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) data: Vec<u8>,
}

impl GrayImage {
    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn pixels(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn resize(&mut self, width: u32, height: u32) {
        self.width = width;
        self.height = height;
        self.data.resize(width as usize * height as usize, 0);
    }

    #[inline]
    pub(crate) fn get(&self, x: usize, y: usize) -> u8 {
        self.data
            .get(y * self.width as usize + x)
            .copied()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_buffers() {
        assert_eq!(
            Frame::new(&[], 0, 10, PixelFormat::Gray).err(),
            Some(FrameError::Empty)
        );
        assert!(matches!(
            Frame::new(&[0; 10], 2, 2, PixelFormat::Rgba),
            Err(FrameError::WrongLength {
                expected: 16,
                actual: 10
            })
        ));
        assert!(matches!(
            Frame::new(&[], 100_000, 100_000, PixelFormat::Gray),
            Err(FrameError::TooLarge { .. })
        ));
    }

    #[test]
    fn downscale_averages_blocks_and_handles_remainders() {
        // 5×3 grey, factor 2 → 2×1; the fifth column and third row are dropped.
        let px = [0, 100, 200, 200, 9, 100, 0, 200, 200, 9, 7, 7, 7, 7, 7];
        let frame = Frame::new(&px, 5, 3, PixelFormat::Gray).unwrap();
        let mut out = GrayImage::default();
        frame.downscale_into(2, &mut out);
        assert_eq!((out.width(), out.height()), (2, 1));
        assert_eq!(out.pixels(), &[50, 200]);
        let rgba = [255, 255, 255, 255, 0, 0, 0, 255].repeat(2);
        let frame = Frame::new(&rgba, 2, 2, PixelFormat::Rgba).unwrap();
        frame.downscale_into(2, &mut out);
        assert_eq!(out.pixels(), &[128]);
        // A factor larger than the frame is clamped: never an empty image.
        frame.downscale_into(10, &mut out);
        assert_eq!((out.width(), out.height()), (1, 1));
    }

    #[test]
    fn bilinear_sampling_interpolates_and_clamps() {
        let px = [0, 100, 100, 200];
        let frame = Frame::new(&px, 2, 2, PixelFormat::Gray).unwrap();
        assert_eq!(frame.sample(0.5, 0.5), 100.0);
        assert_eq!(frame.sample(-5.0, -5.0), 0.0);
        assert_eq!(frame.sample(9.0, 9.0), 200.0);
    }
}
