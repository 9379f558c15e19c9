//! One frame in, everything the widget and the server need out: quality, where the MRZ
//! is, and its read; with `Analyzer::push`, also the read pooled across frames.

use crate::date::Date;
use crate::frame::{Frame, GrayImage};
use crate::geometry::{Point, Quad};
use crate::mrz::fuse::{Fused, Fuser};
use crate::mrz::ocr::{Model, ModelError};
use crate::mrz::parse::Parsed;
use crate::mrz::read::{read_frame, ReadScratch};
use crate::quality::{self, Quality};

/// Working resolution: frames are box-averaged to about this long side, so the cost of
/// location and quality, and their thresholds, do not depend on the camera.
const WORKING_LONG_SIDE: f32 = 640.0;

/// The analysis of one frame.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub width: u32,
    pub height: u32,
    pub quality: Quality,
    /// The MRZ's outline in frame pixels, when located.
    pub quad: Option<Quad>,
    /// The read, only when every check digit holds.
    pub read: Option<Parsed>,
    /// When there is no read: the recognised text as it stands, if it has a complete
    /// MRZ layout but failing check digits. A hint, not a read — OCR errors look the
    /// same as a document printed with wrong digits; the server uses it only as the
    /// last word once every retake is spent.
    pub unverified: Option<Parsed>,
}

/// Reusable analysis state: buffers, the glyph model, and the fusion of one stream.
pub struct Analyzer {
    model: Model,
    small: GrayImage,
    scratch: ReadScratch,
    fuser: Fuser,
}

impl Analyzer {
    pub fn new() -> Result<Analyzer, ModelError> {
        Ok(Analyzer {
            model: Model::builtin()?,
            small: GrayImage::default(),
            scratch: ReadScratch::default(),
            fuser: Fuser::new(),
        })
    }

    /// Analyses a frame on its own (a photo, an upload).
    pub fn analyse(&mut self, frame: &Frame, today: Date) -> Analysis {
        self.run(frame, today).0
    }

    /// Analyses the next frame of a video stream and pools its read with earlier ones.
    pub fn push(&mut self, frame: &Frame, today: Date) -> (Analysis, Fused) {
        let (analysis, read) = self.run(frame, today);
        let fused = self.fuser.push(&read.cells, read.accepted.as_ref(), today);
        (analysis, fused)
    }

    /// Quality alone, for captures that carry no MRZ (a card's other side).
    pub fn assess_quality(&mut self, frame: &Frame) -> Quality {
        let factor = working_factor(frame);
        frame.downscale_into(factor, &mut self.small);
        quality::assess(&self.small, None, &[])
    }

    /// Forgets the stream (a new document, a retake).
    pub fn reset_stream(&mut self) {
        self.fuser.reset();
    }

    fn run(&mut self, frame: &Frame, today: Date) -> (Analysis, crate::mrz::read::FrameRead) {
        let factor = working_factor(frame);
        frame.downscale_into(factor, &mut self.small);
        let scale = factor as f32;
        let read = read_frame(
            frame,
            &self.small,
            scale,
            &self.model,
            today,
            &mut self.scratch,
        );
        let quad_small = read
            .quad
            .map(|q| Quad(q.0.map(|p| Point::new(p.x / scale, p.y / scale))));
        let patches = if read.accepted.is_some() || read.cells.len() >= 2 {
            read.patches.as_slice()
        } else {
            &[]
        };
        let quality = quality::assess(&self.small, quad_small.as_ref(), patches);
        let analysis = Analysis {
            width: frame.width(),
            height: frame.height(),
            quality,
            quad: read.quad,
            read: read.accepted.clone(),
            unverified: read.unverified.clone(),
        };
        (analysis, read)
    }
}

/// Frame pixels per working pixel.
pub fn working_factor(frame: &Frame) -> u32 {
    let long = frame.width().max(frame.height()) as f32;
    (long / WORKING_LONG_SIDE).round().max(1.0) as u32
}
