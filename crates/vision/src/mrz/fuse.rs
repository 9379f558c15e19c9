//! Agreement across frames. Moving glare and sensor noise hide different characters in
//! different frames, and some misreads pass every check digit (names have none; two
//! errors can cancel). So per-character evidence is pooled over recent frames, the
//! pooled read is repaired like a single frame's, and a read is reported only once it
//! has been the same for several frames and was also read on its own in some of them.

use std::collections::VecDeque;

use super::ocr::ALPHABET;
use super::parse::Parsed;
use super::repair::{self, Candidates};
use crate::date::Date;

/// Frames whose evidence is pooled.
const WINDOW: usize = 8;
/// Consecutive frames the pooled read must stay the same to be stable.
const STABLE_FOR: usize = 3;
/// Frames in the window that must have read exactly the pooled text on their own.
const SINGLE_READS: usize = 2;
/// Frames without an MRZ after which the document is taken to have changed.
const FORGET_AFTER: usize = 5;
/// Probability floor for a symbol a frame did not rank.
const FLOOR: f32 = 1e-4;

/// The pooled read so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fused {
    /// The pooled, check-digit-valid read, if any (not yet trustworthy unless `stable`).
    pub read: Option<Parsed>,
    pub stable: bool,
}

#[derive(Debug, Clone)]
struct Evidence {
    /// Per position, the probability of each symbol (ALPHABET order).
    probs: Vec<[f32; 37]>,
    /// This frame's own accepted text, if any.
    single: Option<Vec<String>>,
}

/// Pools evidence frame after frame; one per camera stream.
#[derive(Debug, Clone, Default)]
pub struct Fuser {
    shape: Vec<usize>,
    window: VecDeque<Evidence>,
    history: VecDeque<Option<Vec<String>>>,
    missing: usize,
}

impl Fuser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one frame's cells (empty when no MRZ was located) and its own accepted read.
    pub fn push(
        &mut self,
        cells: &[Vec<Candidates>],
        single: Option<&Parsed>,
        today: Date,
    ) -> Fused {
        if cells.is_empty() {
            self.missing += 1;
            if self.missing >= FORGET_AFTER {
                self.reset();
            }
            return self.current(today);
        }
        self.missing = 0;
        let shape: Vec<usize> = cells.iter().map(Vec::len).collect();
        if shape != self.shape {
            self.reset();
            self.shape = shape;
        }
        let probs = cells
            .iter()
            .flatten()
            .map(|c| {
                let mut p = [FLOOR; 37];
                for &(ch, cost) in &c.alternatives {
                    if let Some(i) = ALPHABET.iter().position(|&a| a == ch) {
                        p[i] = p[i].max((-cost).exp());
                    }
                }
                p
            })
            .collect();
        self.window.push_back(Evidence {
            probs,
            single: single.map(|p| p.lines.clone()),
        });
        if self.window.len() > WINDOW {
            self.window.pop_front();
        }
        let fused = self.current(today);
        self.history
            .push_back(fused.read.as_ref().map(|p| p.lines.clone()));
        if self.history.len() > STABLE_FOR {
            self.history.pop_front();
        }
        let stable = fused.read.as_ref().is_some_and(|read| {
            let same = self.history.len() == STABLE_FOR
                && self.history.iter().all(|h| h.as_ref() == Some(&read.lines));
            let singles = self
                .window
                .iter()
                .filter(|e| e.single.as_ref() == Some(&read.lines))
                .count();
            same && singles >= SINGLE_READS
        });
        Fused { stable, ..fused }
    }

    pub fn reset(&mut self) {
        self.shape.clear();
        self.window.clear();
        self.history.clear();
        self.missing = 0;
    }

    /// The pooled read of the window (not yet judged for stability).
    fn current(&self, today: Date) -> Fused {
        let Some(first) = self.window.front() else {
            return Fused::default();
        };
        let positions = first.probs.len();
        let mut sums = vec![[0.0f32; 37]; positions];
        for e in &self.window {
            for (sum, p) in sums.iter_mut().zip(&e.probs) {
                for (s, v) in sum.iter_mut().zip(p) {
                    *s += v;
                }
            }
        }
        let n = self.window.len() as f32;
        let mut flat = sums.into_iter().map(|sum| {
            let mut ranked: Vec<(u8, f32)> = ALPHABET
                .iter()
                .zip(sum)
                .map(|(&c, s)| (c, -(s / n).max(FLOOR).ln()))
                .collect();
            ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
            ranked.truncate(4);
            Candidates {
                alternatives: ranked,
            }
        });
        let cells: Vec<Vec<Candidates>> = self
            .shape
            .iter()
            .map(|&len| flat.by_ref().take(len).collect())
            .collect();
        Fused {
            read: repair::repair(&cells, today),
            stable: false,
        }
    }
}
