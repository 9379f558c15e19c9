//! From one frame's analysis to what the user is told and whether to capture: the
//! hint for the frame, a stabiliser so messages do not flicker, and the auto-capture
//! rule. Pure logic, tested natively; `capture` feeds it and the UI shows its output.

use kyc_vision::quality::Exposure;
use kyc_vision::{Analysis, Fused, Parsed};

/// What the user is asked to do, most urgent first when several apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    TooDark,
    TooBright,
    Searching,
    Closer,
    Align,
    Glare,
    HoldStill,
    /// The MRZ reads; the pooled read is not stable yet.
    Reading,
}

impl Hint {
    /// The message id in the locale files.
    pub fn message(self) -> &'static str {
        match self {
            Hint::TooDark => "guidance-too-dark",
            Hint::TooBright => "guidance-too-bright",
            Hint::Searching => "guidance-searching",
            Hint::Closer => "guidance-closer",
            Hint::Align => "guidance-align",
            Hint::Glare => "guidance-glare",
            Hint::HoldStill => "guidance-hold-still",
            Hint::Reading => "guidance-reading",
        }
    }
}

/// An MRZ narrower than this share of the frame is too far away to read reliably.
const CLOSER_BELOW: f32 = 0.45;

/// The hint for one frame of the MRZ step.
pub fn mrz_hint(analysis: &Analysis) -> Hint {
    let q = &analysis.quality;
    match q.exposure {
        Exposure::Dark => return Hint::TooDark,
        Exposure::Bright => return Hint::TooBright,
        Exposure::Ok => {}
    }
    let Some(quad) = analysis.quad else {
        return if q.glare {
            Hint::Glare
        } else {
            Hint::Searching
        };
    };
    if q.glare_over_mrz {
        return Hint::Glare;
    }
    let xs = quad.0.map(|p| p.x);
    let span =
        xs.iter().cloned().fold(f32::MIN, f32::max) - xs.iter().cloned().fold(f32::MAX, f32::min);
    if analysis.width > 0 && span / (analysis.width as f32) < CLOSER_BELOW {
        return Hint::Closer;
    }
    if q.blurry {
        return Hint::HoldStill;
    }
    if analysis.read.is_some() {
        Hint::Reading
    } else {
        Hint::Align
    }
}

/// The hint for one frame of a side without an MRZ: quality only.
pub fn quality_hint(analysis: &Analysis) -> Option<Hint> {
    let q = &analysis.quality;
    match q.exposure {
        Exposure::Dark => Some(Hint::TooDark),
        Exposure::Bright => Some(Hint::TooBright),
        Exposure::Ok if q.glare => Some(Hint::Glare),
        Exposure::Ok if q.blurry => Some(Hint::HoldStill),
        Exposure::Ok => None,
    }
}

/// The read to capture on, when this frame may be captured automatically: the pooled
/// read is stable (it already needs several agreeing frames), and this very frame is
/// sharp, evenly lit, free of glare on the MRZ and read on its own as the same text.
pub fn auto_capture<'a>(analysis: &Analysis, fused: &'a Fused) -> Option<&'a Parsed> {
    let read = fused.read.as_ref().filter(|_| fused.stable)?;
    let q = &analysis.quality;
    let frame_agrees = analysis
        .read
        .as_ref()
        .is_some_and(|r| r.lines == read.lines);
    (frame_agrees && !q.blurry && !q.glare_over_mrz && q.exposure == Exposure::Ok).then_some(read)
}

/// A new hint replaces the shown one only after it has held this long, so a message
/// stays readable while the camera moves; `None` (nothing to say) obeys it too.
pub const HOLD_MS: f64 = 700.0;

/// Keeps the shown hint steady against frame-to-frame changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Stabiliser<T> {
    shown: T,
    candidate: T,
    since_ms: f64,
}

impl<T: Copy + PartialEq> Stabiliser<T> {
    pub fn new(initial: T) -> Self {
        Stabiliser {
            shown: initial,
            candidate: initial,
            since_ms: f64::NEG_INFINITY,
        }
    }

    /// Feeds the latest frame's hint at `now_ms`; returns what to show.
    pub fn update(&mut self, hint: T, now_ms: f64) -> T {
        if hint == self.shown {
            self.candidate = hint;
        } else if hint != self.candidate {
            self.candidate = hint;
            self.since_ms = now_ms;
        } else if now_ms - self.since_ms >= HOLD_MS {
            self.shown = hint;
        }
        self.shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_must_hold_before_it_shows() {
        let mut s = Stabiliser::new(Hint::Searching);
        assert_eq!(s.update(Hint::Glare, 0.0), Hint::Searching);
        assert_eq!(s.update(Hint::Glare, 400.0), Hint::Searching);
        assert_eq!(s.update(Hint::Glare, HOLD_MS), Hint::Glare);
        assert_eq!(s.update(Hint::Glare, 2000.0), Hint::Glare);
    }

    #[test]
    fn flicker_never_reaches_the_user() {
        let mut s = Stabiliser::new(Hint::Align);
        for i in 0..100 {
            let hint = if i % 2 == 0 {
                Hint::HoldStill
            } else {
                Hint::Glare
            };
            assert_eq!(s.update(hint, f64::from(i) * 100.0), Hint::Align);
        }
    }

    #[test]
    fn returning_to_the_shown_hint_cancels_a_pending_change() {
        let mut s = Stabiliser::new(Hint::Align);
        s.update(Hint::Glare, 0.0);
        s.update(Hint::Align, 500.0);
        assert_eq!(s.update(Hint::Glare, 800.0), Hint::Align);
        assert_eq!(s.update(Hint::Glare, 800.0 + HOLD_MS), Hint::Glare);
    }
}
