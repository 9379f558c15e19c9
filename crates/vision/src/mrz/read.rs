//! Reading one frame: locate → lines and cells → recognise → repair with the text rules.

use super::lines::{self, Layout, LinesScratch};
use super::locate::{self, LocateScratch};
use super::ocr::{self, Model, Patch, PATCH_LEN};
use super::parse::{self, parse, Format, Parsed};
use super::repair::{self, Candidates};
use crate::date::Date;
use crate::frame::{Frame, GrayImage};
use crate::geometry::Quad;

/// What one frame showed of an MRZ.
#[derive(Debug, Clone, Default)]
pub struct FrameRead {
    /// Where the MRZ is, when one was located.
    pub quad: Option<Quad>,
    /// Per line, per cell, the ranked symbols: the input of fusion across frames.
    pub cells: Vec<Vec<Candidates>>,
    /// The read, when every check digit holds after repair.
    pub accepted: Option<Parsed>,
    /// Otherwise, the recognised text as it stands (no repair) when it has a complete
    /// MRZ layout: a document whose check digits really are wrong reads like this.
    pub unverified: Option<Parsed>,
    /// Normalised patches of the chosen layout, line by line (for quality).
    pub patches: Vec<Patch>,
}

/// Buffers reused from frame to frame.
#[derive(Debug, Default, Clone)]
pub struct ReadScratch {
    pub(crate) locate: LocateScratch,
    lines: LinesScratch,
}

/// Reads the MRZ of `frame`, located on its working-resolution copy `small`
/// (`scale` = frame pixels per working pixel).
pub fn read_frame(
    frame: &Frame,
    small: &GrayImage,
    scale: f32,
    model: &Model,
    today: Date,
    s: &mut ReadScratch,
) -> FrameRead {
    let Some(region) = locate::locate(small, &mut s.locate) else {
        return FrameRead::default();
    };
    let layouts = lines::layouts(frame, &region.scaled(scale), &mut s.lines);
    let mut first: Option<FrameRead> = None;
    for layout in layouts {
        let (cells, patches) = recognise(frame, &layout, model);
        let accepted = repair::repair(&cells, today).filter(|p| plausible(p, &cells));
        let unverified = match accepted {
            Some(_) => None,
            None => as_read(&cells, today),
        };
        let read = FrameRead {
            quad: Some(layout.quad),
            cells,
            accepted,
            unverified,
            patches,
        };
        if read.accepted.is_some() {
            return read;
        }
        first.get_or_insert(read);
    }
    first.unwrap_or_default()
}

/// The best symbol of every cell, parsed as it stands.
fn as_read(cells: &[Vec<Candidates>], today: Date) -> Option<Parsed> {
    let lines: Vec<String> = cells
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|c| c.alternatives.first().map(|a| char::from(a.0)))
                .collect()
        })
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    parse(&refs, today).ok().filter(|p| !p.valid())
}

fn recognise(frame: &Frame, layout: &Layout, model: &Model) -> (Vec<Vec<Candidates>>, Vec<Patch>) {
    let mut patches = Vec::new();
    let mut out = Vec::with_capacity(layout.lines.len());
    let mut patch = [0.0f32; PATCH_LEN];
    for line in &layout.lines {
        let levels = ocr::line_levels(frame, line);
        let mut row = Vec::with_capacity(line.cells.len());
        for i in 0..line.cells.len() {
            if ocr::patch(frame, line, i, levels, &mut patch) {
                row.push(model.classify(&patch));
                patches.push(patch);
            }
        }
        out.push(row);
    }
    (out, patches)
}

/// Characters `start..end` of line `line`.
type Span = (usize, usize, usize);

/// Largest cost (negative log-probability) the classifier may have given a character
/// that no check digit covers (names, nationality, sex): above it the character is a
/// guess, and a single frame's read with a guess in it is not accepted (fusion across
/// frames can still settle it).
const MAX_UNCHECKED_COST: f32 = 1.6;

/// Whether a check-digit-valid read is also believable where check digits are blind:
/// country codes with fillers only at their end, and confident characters in the
/// fields no check digit covers.
pub fn plausible(p: &Parsed, cells: &[Vec<Candidates>]) -> bool {
    let lines: Vec<&[u8]> = p.lines.iter().map(|l| l.as_bytes()).collect();
    // The country codes, and the fields no check digit covers, from the format's own
    // layout (the one `parse` and `repair` use).
    let layout = parse::layout(p.format);
    let span = |s: parse::Span| (s.line, s.start, s.end);
    let countries: Vec<Span> = std::iter::once(layout.issuing_country)
        .chain(layout.nationality)
        .map(span)
        .collect();
    let names: Vec<Span> = match layout.names {
        parse::NameLayout::Icao(n) => vec![span(n)],
        parse::NameLayout::Split {
            surname,
            given_names,
        } => vec![span(surname), span(given_names)],
    };
    let (sex_line, sex_col) = layout.sex;
    let unchecked: Vec<Span> = countries
        .iter()
        .copied()
        .chain(names)
        .chain([(sex_line, sex_col, sex_col + 1)])
        .collect();
    let code_ok = |&(l, a, b): &Span| {
        let Some(code) = lines.get(l).and_then(|line| line.get(a..b)) else {
            return false;
        };
        let letters = code.iter().take_while(|&&c| c != b'<').count();
        letters > 0
            && code[..letters].iter().all(u8::is_ascii_uppercase)
            && code[letters..].iter().all(|&c| c == b'<')
    };
    let confident = |&(l, a, b): &Span| {
        (a..b).all(|i| {
            let Some(&ch) = lines.get(l).and_then(|line| line.get(i)) else {
                return false;
            };
            cells
                .get(l)
                .and_then(|row| row.get(i))
                .and_then(|c| c.alternatives.iter().find(|a| a.0 == ch))
                .is_some_and(|a| a.1 <= MAX_UNCHECKED_COST)
        })
    };
    // A check digit the classifier did not see (a confident filler past the print,
    // turned into whichever digit it ranked next) verifies nothing: 1 in 10 guesses
    // pass. A look-alike of what it saw is evidence (`B` read where `8` is printed).
    let digits_seen = layout.checks.iter().all(|check| {
        let (l, i) = check.digit;
        let Some(&ch) = lines.get(l).and_then(|line| line.get(i)) else {
            return false;
        };
        cells.get(l).and_then(|row| row.get(i)).is_some_and(|c| {
            c.alternatives.iter().any(|&(seen, cost)| {
                cost <= MAX_UNCHECKED_COST
                    && (seen == ch || repair::look_alikes(seen).contains(&ch))
            })
        })
    });
    countries.iter().all(code_ok)
        && unchecked.iter().all(confident)
        && digits_seen
        && dates_plausible(p)
}

/// A filler counts as 0 in a check digit, so fillers sprinkled over a date pass its check
/// as easily as digits: only whole unknown parts of a birth date are believable
/// (`74<<<<`, `7408<<`), and an expiry date must be a real date (the French ID has none).
fn dates_plausible(p: &Parsed) -> bool {
    let birth = p.fields.date_of_birth_raw.as_bytes();
    let birth_ok = p.fields.date_of_birth.is_some()
        || matches!(birth, [y1, y2, rest @ ..]
            if y1.is_ascii_digit() && y2.is_ascii_digit()
                && (rest == b"<<<<" || matches!(rest, [m1, m2, b'<', b'<'] if m1.is_ascii_digit() && m2.is_ascii_digit())));
    let expiry_ok = p.format == Format::FrenchId || p.fields.date_of_expiry.is_some();
    birth_ok && expiry_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 22).unwrap()
    }

    /// Cells that saw exactly `lines`, each character with cost `cost`.
    fn cells(lines: &[&str], cost: f32) -> Vec<Vec<Candidates>> {
        lines
            .iter()
            .map(|l| {
                l.bytes()
                    .map(|c| Candidates {
                        alternatives: vec![(c, cost)],
                    })
                    .collect()
            })
            .collect()
    }

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];

    #[test]
    fn confident_specimen_is_plausible() {
        let p = parse(&TD3, today()).unwrap();
        assert!(plausible(&p, &cells(&TD3, 0.1)));
    }

    #[test]
    fn unconfident_names_are_not() {
        let p = parse(&TD3, today()).unwrap();
        let mut c = cells(&TD3, 0.1);
        // The read has the K of ERIKSSON, which the classifier barely considered.
        c[0][8].alternatives = vec![(b'I', 0.3), (b'K', 3.0)];
        assert!(!plausible(&p, &c));
        // Or did not consider at all.
        c[0][8].alternatives = vec![(b'I', 0.3)];
        assert!(!plausible(&p, &c));
    }

    #[test]
    fn a_check_digit_the_classifier_did_not_see_is_not() {
        let p = parse(&TD3, today()).unwrap();
        let mut c = cells(&TD3, 0.1);
        // The composite check digit's cell held a filler (the cells ran one past the
        // print): the `0` the repair took from its fourth choice verifies nothing.
        c[1][43].alternatives = vec![(b'<', 0.1), (b'0', 2.9)];
        assert!(!plausible(&p, &c));
        // A look-alike of what it saw is evidence.
        c[1][43].alternatives = vec![(b'O', 0.2), (b'0', 2.9)];
        assert!(plausible(&p, &c));
    }

    #[test]
    fn fillers_inside_a_country_or_a_date_are_not() {
        let bad_country = [TD3[0].replacen("UTO", "U<O", 1), TD3[1].to_owned()];
        let lines: Vec<&str> = bad_country.iter().map(String::as_str).collect();
        let p = parse(&lines, today()).unwrap();
        assert!(!plausible(&p, &cells(&lines, 0.1)));

        let sprinkled = [TD3[0].to_owned(), TD3[1].replacen("740812", "7<08<2", 1)];
        let lines: Vec<&str> = sprinkled.iter().map(String::as_str).collect();
        let p = parse(&lines, today()).unwrap();
        assert!(!plausible(&p, &cells(&lines, 0.1)));

        let unknown_day = [TD3[0].to_owned(), TD3[1].replacen("740812", "7408<<", 1)];
        let lines: Vec<&str> = unknown_day.iter().map(String::as_str).collect();
        let p = parse(&lines, today()).unwrap();
        assert!(plausible(&p, &cells(&lines, 0.1)));
    }

    #[test]
    fn a_complete_read_with_wrong_digits_is_unverified_not_accepted() {
        let wrong = [TD3[0].to_owned(), TD3[1].replacen("C36", "C37", 1)];
        let lines: Vec<&str> = wrong.iter().map(String::as_str).collect();
        let unverified = as_read(&cells(&lines, 0.1), today()).unwrap();
        assert_eq!(unverified.lines, wrong);
        assert!(!unverified.valid());
        // A valid read is not "unverified", and a partial one is nothing.
        assert!(as_read(&cells(&TD3, 0.1), today()).is_none());
        assert!(as_read(&cells(&TD3[..1], 0.1), today()).is_none());
    }
}
