//! Captures: from uploaded bytes to a stored, metadata-free copy and the server's own
//! verdict. Decoding is guarded in order: the type from the bytes (not the header the
//! client sent), the pixel count from the image header before any pixel is decoded,
//! and the decoder's own allocation limit.

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use flow_protocol::{
    CaptureId, CaptureMeta, CaptureResponse, ReasonType, StepId, WebhookEventType,
    MAX_CAPTURE_META_BYTES,
};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use kyc_vision::{Analyzer, Date, Frame, PixelFormat};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::flows::hex;
use super::sessions::{self, Actor};
use super::steps;
use super::webhooks;
use crate::clock::utc_date;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{AuditEntry, CaptureRow, FlowRow, SessionRow};

/// What the server saw in a capture (stored as JSON with the capture row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureAnalysis {
    /// After EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub blur_score: f32,
    pub blurry: bool,
    pub glare_fraction: f32,
    pub glare: bool,
    pub glare_over_mrz: bool,
    /// `ok`, `dark` or `bright`.
    pub exposure: String,
    /// An MRZ outline was found (whether or not it read).
    pub mrz_located: bool,
    /// The server's read, present only when every check digit held.
    pub mrz: Option<Vec<String>>,
    pub format: Option<String>,
    /// Without a read: the recognised lines as they stand when they have a complete
    /// MRZ layout but failing check digits (`Analysis::unverified`). A hint only: the
    /// capture is refused, and the lines count only once the step's attempts are spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<Vec<String>>,
}

impl CaptureAnalysis {
    /// Quality good enough for document recognition on this side.
    pub fn quality_ok(&self, step: StepId) -> bool {
        match step {
            StepId::MrzSide => !self.blurry && !self.glare_over_mrz,
            StepId::OtherSide => !self.blurry && !self.glare && self.exposure == "ok",
        }
    }

    pub fn quality_problem(&self) -> &'static str {
        if self.blurry {
            "blurry"
        } else if self.glare_over_mrz {
            "glare over the MRZ"
        } else if self.glare {
            "glare"
        } else {
            "badly exposed"
        }
    }
}

/// The server's verdict on one capture: `None` accepts it, else the retake reason.
/// `quality_rules`: the step serves document recognition, whose image-quality rule
/// would fail the result later; better to ask for a retake now.
pub fn judge(step: StepId, quality_rules: bool, analysis: &CaptureAnalysis) -> Option<ReasonType> {
    match step {
        StepId::MrzSide if analysis.mrz.is_none() => Some(if analysis.blurry {
            ReasonType::ImageQuality
        } else if analysis.unverified.is_some() {
            // Most likely an OCR error: a retake reads it again.
            ReasonType::MrzCheckDigitMismatch
        } else {
            ReasonType::MrzNotFound
        }),
        StepId::MrzSide => {
            (quality_rules && !analysis.quality_ok(step)).then_some(ReasonType::ImageQuality)
        }
        StepId::OtherSide => (!analysis.quality_ok(step)).then_some(ReasonType::ImageQuality),
    }
}

/// The long side captures are analysed and stored at, at most.
pub const MAX_LONG_SIDE: u32 = 4000;

/// A decoded, oriented, analysed capture and its stored copy.
pub struct Prepared {
    pub stored: Bytes,
    pub stored_sha256: String,
    pub analysis: CaptureAnalysis,
}

/// The image types the spec allows, by their magic bytes.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat> {
    match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(format),
        _ => Err(Error::UnsupportedImage(
            "the body is not a JPEG, PNG or WebP image".to_owned(),
        )),
    }
}

/// Decodes with the limits, applies EXIF orientation, analyses, re-encodes as a JPEG
/// without any metadata. Blocking: run on the blocking pool.
pub fn prepare(
    bytes: &[u8],
    max_pixels: u64,
    analyzer: &mut Analyzer,
    today: Date,
) -> Result<Prepared> {
    let format = sniff(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(1024 * 1024 * 1024);
    reader.limits(limits);
    let unreadable = |e: image::ImageError| {
        Error::UnsupportedImage(format!("the {format:?} image cannot be decoded: {e}"))
    };
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Error::ImageTooLarge {
            width,
            height,
            limit: max_pixels,
        });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    // Photos beyond 4000 px on the long side are analysed and stored at that size, as the
    // widget itself sends them: the MRZ reads as well, at a fraction of memory and time.
    if image.width().max(image.height()) > MAX_LONG_SIDE {
        image = image.resize(
            MAX_LONG_SIDE,
            MAX_LONG_SIDE,
            image::imageops::FilterType::Triangle,
        );
    }

    let rgba = image.to_rgba8();
    let frame = Frame::new(
        rgba.as_raw(),
        rgba.width(),
        rgba.height(),
        PixelFormat::Rgba,
    )
    .map_err(|e| Error::UnsupportedImage(format!("the image cannot be analysed: {e}")))?;
    let found = analyzer.analyse(&frame, today);
    let q = found.quality;
    let analysis = CaptureAnalysis {
        width: rgba.width(),
        height: rgba.height(),
        blur_score: q.blur_score,
        blurry: q.blurry,
        glare_fraction: q.glare_fraction,
        glare: q.glare,
        glare_over_mrz: q.glare_over_mrz,
        exposure: exposure_name(q.exposure).to_owned(),
        mrz_located: found.quad.is_some(),
        format: found.read.as_ref().map(|p| p.format.as_str().to_owned()),
        mrz: found.read.map(|p| p.lines),
        unverified: found.unverified.map(|p| p.lines),
    };
    drop(rgba);

    // The stored copy: pixels only. Re-encoding drops EXIF (GPS, device), XMP, ICC.
    let rgb = image.to_rgb8();
    let mut stored = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut stored, 90)
        .encode_image(&rgb)
        .map_err(Error::internal)?;
    let stored_sha256 = hex(&Sha256::digest(&stored));
    Ok(Prepared {
        stored: Bytes::from(stored),
        stored_sha256,
        analysis,
    })
}

fn exposure_name(exposure: kyc_vision::quality::Exposure) -> &'static str {
    match exposure {
        kyc_vision::quality::Exposure::Ok => "ok",
        kyc_vision::quality::Exposure::Dark => "dark",
        kyc_vision::quality::Exposure::Bright => "bright",
    }
}

/// Analysers, reused (each holds its model and buffers), and a cap on concurrent
/// analyses so that a burst of uploads cannot take every core or all memory.
pub struct Analyzers {
    idle: Mutex<Vec<Analyzer>>,
    permits: Arc<Semaphore>,
}

impl Analyzers {
    pub fn new(concurrency: usize) -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Runs `prepare` on the blocking pool with a pooled analyser.
    pub async fn prepare(
        self: &Arc<Self>,
        bytes: Bytes,
        max_pixels: u64,
        today: Date,
    ) -> Result<Prepared> {
        let _permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(Error::internal)?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let taken = pool.idle.lock().ok().and_then(|mut idle| idle.pop());
            let mut analyzer = match taken {
                Some(a) => a,
                None => Analyzer::new().map_err(Error::internal)?,
            };
            let result = prepare(&bytes, max_pixels, &mut analyzer, today);
            if let Ok(mut idle) = pool.idle.lock() {
                idle.push(analyzer);
            }
            result
        })
        .await?
    }
}

/// Everything checked before the body is read.
pub struct UploadContext {
    pub session: SessionRow,
    pub flow: FlowRow,
    pub step: StepId,
    pub meta: CaptureMeta,
    pub capture_id: CaptureId,
}

/// Session, capture id and `X-Capture-Meta` checks (404/410/400, in that order),
/// before the body is read.
pub async fn begin_upload(
    state: &AppState,
    session_id: &str,
    capture_id: &str,
    meta: Option<&[u8]>,
) -> Result<UploadContext> {
    let (session, flow) = sessions::load_open_for_widget(state, session_id).await?;
    let capture_id: CaptureId = capture_id.parse().map_err(|_| Error::InvalidCaptureId)?;
    let meta = parse_meta(meta)?;
    let step: StepId = meta
        .step
        .parse()
        .map_err(|_| Error::UnknownStep(meta.step.chars().take(64).collect()))?;
    if steps::served_by(step, &flow.technologies).is_empty() {
        return Err(Error::UnknownStep(step.to_string()));
    }
    Ok(UploadContext {
        session,
        flow,
        step,
        meta,
        capture_id,
    })
}

fn parse_meta(raw: Option<&[u8]>) -> Result<CaptureMeta> {
    let raw = raw.ok_or_else(|| Error::InvalidMeta("the header is missing".to_owned()))?;
    if raw.len() > MAX_CAPTURE_META_BYTES {
        return Err(Error::InvalidMeta(format!(
            "longer than {MAX_CAPTURE_META_BYTES} bytes"
        )));
    }
    let meta: CaptureMeta = serde_json::from_slice(raw)
        .map_err(|e| Error::InvalidMeta(format!("not the expected JSON: {e}")))?;
    if let Some(lines) = &meta.client_mrz {
        let plausible = lines.len() <= 3
            && lines.iter().all(|l| {
                l.len() <= 64 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'<')
            });
        if !plausible {
            return Err(Error::InvalidMeta(
                "client_mrz must be up to 3 lines of A-Z, 0-9 and <".to_owned(),
            ));
        }
    }
    Ok(meta)
}

/// The rest of an upload, once the body is read: idempotency, quota, decoding,
/// analysis, the create-only write, then one transaction. Returns whether the capture
/// is new (201) or an identical retry (200).
pub async fn finish_upload(
    state: &AppState,
    ctx: UploadContext,
    body: Bytes,
) -> Result<(bool, CaptureResponse)> {
    let sid = ctx.session.id;
    let capture_id = ctx.capture_id;
    let sha256 = hex(&Sha256::digest(&body));
    if let Some(existing) = state.store.capture(&sid, &capture_id).await? {
        return replay(&existing, &sha256);
    }
    let quota = state.config.limits.capture_quota;
    let count = state.store.captures(&sid).await?.len();
    if count >= quota as usize {
        return Err(Error::QuotaExceeded(quota));
    }

    let today = utc_date(state.clock.now());
    let prepared = state
        .analyzers
        .prepare(body, state.config.limits.max_capture_pixels, today)
        .await?;
    let object_key = format!("sessions/{sid}/{}.jpg", prepared.stored_sha256);
    state.blobs.put_create(&object_key, prepared.stored).await?;
    state.hooks.crash_point("capture-before-commit")?;

    let served = steps::served_by(ctx.step, &ctx.flow.technologies);
    let quality_rules = served.iter().any(|t| t.is_doc_recognition());
    let mut retake = judge(ctx.step, quality_rules, &prepared.analysis);

    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let session = tx.lock_session(&sid).await?.ok_or(Error::SessionNotFound)?;
    if !session.status.is_open() {
        return Err(Error::SessionClosed(session.status));
    }
    // Re-checked under the lock: a concurrent twin of this request may have won.
    if let Some(existing) = tx.capture(&sid, &capture_id).await? {
        return replay(&existing, &sha256);
    }
    let captures = tx.captures(&sid).await?;
    if captures.len() >= quota as usize {
        return Err(Error::QuotaExceeded(quota));
    }
    let max_attempts = ctx.flow.config.max_attempts;
    if step_failed(&captures, ctx.step, max_attempts) {
        // The step failed for good: later captures cannot revive it.
        retake = Some(ReasonType::AttemptsExceeded);
    }
    let session = sessions::ensure_progress(&mut tx, &ctx.flow, session, now).await?;

    for tech in &served {
        let started = captures
            .iter()
            .any(|c| steps::served_by(c.step, &ctx.flow.technologies).contains(tech));
        if !started {
            webhooks::enqueue(
                &mut tx,
                &ctx.flow,
                &sid,
                WebhookEventType::TechnologyStart,
                session.status,
                Some(*tech),
                now,
            )
            .await?;
        }
    }

    let row = CaptureRow {
        session_id: sid,
        capture_id,
        seq: captures.iter().map(|c| c.seq).max().unwrap_or(0) + 1,
        step: ctx.step,
        sha256: sha256.clone(),
        object_key: Some(object_key),
        accepted: retake.is_none(),
        retake_reason: retake.map(|r| r.as_str().to_owned()),
        source: ctx.meta.source.map(|s| s.as_str().to_owned()),
        client_mrz: ctx
            .meta
            .client_mrz
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?,
        analysis: Some(serde_json::to_string(&prepared.analysis)?),
        created_at: now,
    };
    tx.insert_capture(&row).await?;
    tx.touch_session(&sid, now).await?;
    let action = if row.accepted {
        "capture.accepted"
    } else {
        "capture.rejected"
    };
    let mut entry = AuditEntry::new(now, &ctx.flow.id, sid, Actor::Widget.as_str(), action);
    if let Some(reason) = retake {
        entry = entry.because(reason.as_str());
    }
    tx.audit(&entry).await?;
    tx.commit().await?;
    state.wake_webhooks();
    Ok((
        true,
        CaptureResponse {
            capture_id,
            sha256,
            accepted: retake.is_none(),
            retake_reason: retake,
        },
    ))
}

/// The answer to a capture id seen before: the same bytes replay the first answer
/// (200), other bytes are a conflict (409).
fn replay(existing: &CaptureRow, sha256: &str) -> Result<(bool, CaptureResponse)> {
    if existing.sha256 != sha256 {
        return Err(Error::CaptureConflict);
    }
    Ok((
        false,
        CaptureResponse {
            capture_id: existing.capture_id,
            sha256: existing.sha256.clone(),
            accepted: existing.accepted,
            retake_reason: existing
                .retake_reason
                .as_deref()
                .and_then(|r| r.parse().ok()),
        },
    ))
}

/// How a step stands, from its captures.
#[derive(Debug, Clone)]
pub enum StepOutcome<'a> {
    /// The latest accepted capture.
    Accepted(&'a CaptureRow),
    /// `max_attempts` rejected captures and none accepted before them; `last` is the
    /// rejection that spent the last attempt.
    Failed { attempts: u32, last: &'a CaptureRow },
    /// Neither: the user may still try (`attempts` rejected so far).
    Pending { attempts: u32 },
}

pub fn step_outcome(captures: &[CaptureRow], step: StepId, max_attempts: u32) -> StepOutcome<'_> {
    if let Some(last) = failing_capture(captures, step, max_attempts) {
        return StepOutcome::Failed {
            attempts: max_attempts,
            last,
        };
    }
    let mine = captures.iter().filter(|c| c.step == step);
    match mine.clone().filter(|c| c.accepted).max_by_key(|c| c.seq) {
        Some(accepted) => StepOutcome::Accepted(accepted),
        None => StepOutcome::Pending {
            attempts: u32::try_from(mine.count()).unwrap_or(u32::MAX),
        },
    }
}

/// `max_attempts` rejections before any acceptance fail a step for good.
fn step_failed(captures: &[CaptureRow], step: StepId, max_attempts: u32) -> bool {
    failing_capture(captures, step, max_attempts).is_some()
}

/// The rejection that spent a step's last attempt, if it was spent before any
/// acceptance (captures in upload order, by `seq`).
fn failing_capture(
    captures: &[CaptureRow],
    step: StepId,
    max_attempts: u32,
) -> Option<&CaptureRow> {
    let mut mine: Vec<&CaptureRow> = captures.iter().filter(|c| c.step == step).collect();
    mine.sort_by_key(|c| c.seq);
    let mut rejected = 0u32;
    for capture in mine {
        if capture.accepted {
            return None;
        }
        rejected += 1;
        if rejected >= max_attempts {
            return Some(capture);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(read: bool, blurry: bool, glare_over_mrz: bool) -> CaptureAnalysis {
        CaptureAnalysis {
            width: 1280,
            height: 720,
            blur_score: if blurry { 0.1 } else { 0.9 },
            blurry,
            glare_fraction: 0.0,
            glare: glare_over_mrz,
            glare_over_mrz,
            exposure: "ok".into(),
            mrz_located: read,
            mrz: read.then(|| vec!["P<UTO".into()]),
            format: None,
            unverified: None,
        }
    }

    #[test]
    fn the_verdict_depends_on_the_read_and_on_the_rules_served() {
        use ReasonType::*;
        let mrz = StepId::MrzSide;
        assert_eq!(judge(mrz, true, &analysis(true, false, false)), None);
        assert_eq!(
            judge(mrz, true, &analysis(false, false, false)),
            Some(MrzNotFound)
        );
        assert_eq!(
            judge(mrz, false, &analysis(false, true, false)),
            Some(ImageQuality)
        );
        // A complete read with failing check digits: retake (most likely an OCR error).
        let mut unverified = analysis(false, false, false);
        unverified.unverified = Some(vec!["P<UTO".into()]);
        assert_eq!(judge(mrz, true, &unverified), Some(MrzCheckDigitMismatch));
        // A read with glare over the MRZ: fine for MRZ alone, not for document recognition.
        assert_eq!(judge(mrz, false, &analysis(true, false, true)), None);
        assert_eq!(
            judge(mrz, true, &analysis(true, false, true)),
            Some(ImageQuality)
        );
        let other = StepId::OtherSide;
        assert_eq!(judge(other, true, &analysis(false, false, false)), None);
        assert_eq!(
            judge(other, true, &analysis(false, true, false)),
            Some(ImageQuality)
        );
    }

    #[test]
    fn sniffing_ignores_what_the_client_claims() {
        assert!(sniff(b"GIF89a....").is_err());
        assert!(sniff(b"<html>").is_err());
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").ok(), Some(ImageFormat::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0....").ok(), Some(ImageFormat::Jpeg));
        assert_eq!(
            sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ").ok(),
            Some(ImageFormat::WebP)
        );
    }
}
