//! MRZ text → fields and check-digit results (ICAO Doc 9303 TD1/TD2/TD3/MRV-A/MRV-B and
//! the 2×36 French national ID), exactly as given: no repair here (see `repair`).
//!
//! Why not the `mrz` crate (0.9.1): it is careful and covers the five ICAO layouts with
//! per-field checks and long document numbers, but it has no French ID, expands years
//! with a fixed two-digit pivot instead of our birth/expiry rules against an injected
//! "today", and its repair works on one text reading, not on ranked per-character OCR
//! alternatives with costs, which `repair` needs. The rules are small, so we own them.

use std::fmt;
use std::ops::Range;

use crate::date::Date;
use CheckField::{Composite, DateOfBirth, DateOfExpiry, DocumentNumber, OptionalData};

/// The layouts this crate reads. `detect_format` decides from the line shape alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Format {
    #[cfg_attr(feature = "serde", serde(rename = "TD1"))]
    Td1,
    #[cfg_attr(feature = "serde", serde(rename = "TD2"))]
    Td2,
    #[cfg_attr(feature = "serde", serde(rename = "TD3"))]
    Td3,
    #[cfg_attr(feature = "serde", serde(rename = "MRVA"))]
    Mrva,
    #[cfg_attr(feature = "serde", serde(rename = "MRVB"))]
    Mrvb,
    #[cfg_attr(feature = "serde", serde(rename = "FRENCH_ID"))]
    FrenchId,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Td1,
        Format::Td2,
        Format::Td3,
        Format::Mrva,
        Format::Mrvb,
        Format::FrenchId,
    ];

    /// The name the spec's JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
            Format::Mrva => "MRVA",
            Format::Mrvb => "MRVB",
            Format::FrenchId => "FRENCH_ID",
        }
    }

    pub fn line_count(self) -> usize {
        match self {
            Format::Td1 => 3,
            _ => 2,
        }
    }

    pub fn line_length(self) -> usize {
        match self {
            Format::Td1 => 30,
            Format::Td2 | Format::Mrvb | Format::FrenchId => 36,
            Format::Td3 | Format::Mrva => 44,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sex as printed; the filler `<` (unspecified) reads as `X`, as the spec asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Sex {
    M,
    F,
    X,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::M => "M",
            Sex::F => "F",
            Sex::X => "X",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a check digit protects, in the order the spec lists checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CheckField {
    DocumentNumber,
    DateOfBirth,
    DateOfExpiry,
    OptionalData,
    Composite,
}

impl CheckField {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckField::DocumentNumber => "document_number",
            CheckField::DateOfBirth => "date_of_birth",
            CheckField::DateOfExpiry => "date_of_expiry",
            CheckField::OptionalData => "optional_data",
            CheckField::Composite => "composite",
        }
    }
}

/// One printed check digit and whether it agrees with what it protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Check {
    pub field: CheckField,
    pub ok: bool,
}

/// The spec's `fields` object. Text is as printed with fillers dropped; the optional
/// data fields are `None` when the format has no such field or it holds only fillers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Fields {
    pub document_code: String,
    pub issuing_country: String,
    pub document_number: String,
    pub surname: String,
    pub given_names: String,
    pub nationality: String,
    pub date_of_birth: Option<Date>,
    pub date_of_birth_raw: String,
    pub sex: Sex,
    pub date_of_expiry: Option<Date>,
    pub date_of_expiry_raw: String,
    pub optional_data: Option<String>,
    pub optional_data_2: Option<String>,
}

/// A zone with the right layout; `checks` says whether its digits agree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Parsed {
    pub format: Format,
    pub lines: Vec<String>,
    pub fields: Fields,
    pub checks: Vec<Check>,
}

impl Parsed {
    /// A read is accepted only when every check digit holds.
    pub fn valid(&self) -> bool {
        self.checks.iter().all(|check| check.ok)
    }
}

/// Why text is not an MRZ at all (wrong digits are not errors: see `Parsed::checks`).
/// Lines and columns count from 1, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    LineCount {
        found: usize,
    },
    InvalidCharacter {
        ch: char,
        line: usize,
        column: usize,
    },
    LineLength {
        line: usize,
        found: usize,
        expected: usize,
    },
    Layout {
        lengths: Vec<usize>,
    },
    InvalidSex {
        ch: char,
        line: usize,
        column: usize,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::LineCount { found } => {
                let plural = if *found == 1 { "line" } else { "lines" };
                write!(f, "{found} {plural}: an MRZ has 2 or 3 lines")
            }
            ParseError::InvalidCharacter { ch, line, column } => write!(
                f,
                "character {ch:?} at line {line}, column {column} is not in A-Z 0-9 <"
            ),
            ParseError::LineLength {
                line,
                found,
                expected,
            } => write!(f, "line {line} has {found} characters, expected {expected}"),
            ParseError::Layout { lengths } => {
                let n = lengths.len();
                match lengths.split_last() {
                    Some((last, rest)) if rest.iter().any(|len| len != last) => {
                        let rest: Vec<String> = rest.iter().map(ToString::to_string).collect();
                        write!(
                            f,
                            "{n} lines of {} and {last} characters: not an MRZ layout",
                            rest.join(", ")
                        )
                    }
                    Some((len, _)) => write!(f, "{n} lines of {len}: not an MRZ layout"),
                    None => write!(f, "no lines: not an MRZ layout"),
                }
            }
            ParseError::InvalidSex { ch, line, column } => write!(
                f,
                "sex {ch:?} at line {line}, column {column} is not M, F, X or <"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// ICAO value of one MRZ character (`<` counts as 0, A = 10 … Z = 35).
pub(crate) fn char_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'Z' => Some(c - b'A' + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// Weights of the ICAO check digit, repeated along the data.
pub(crate) const WEIGHTS: [u8; 3] = [7, 3, 1];

fn weighted_digit(chars: impl IntoIterator<Item = u8>) -> Option<u8> {
    chars
        .into_iter()
        .zip(WEIGHTS.iter().cycle())
        .try_fold(0u8, |sum, (c, &w)| {
            Some((sum + char_value(c)? * w % 10) % 10)
        })
}

/// ICAO 9303 check digit (7-3-1 weights, mod 10) as a number 0–9; `None` when a byte
/// is outside `A–Z 0–9 <`.
pub fn check_digit(chars: &[u8]) -> Option<u8> {
    weighted_digit(chars.iter().copied())
}

fn digit_matches(data: impl IntoIterator<Item = u8>, printed: u8) -> bool {
    printed.is_ascii_digit() && weighted_digit(data) == Some(printed - b'0')
}

/// The layout from the line shape: count, lengths, and the few leading characters that
/// tell visas and the French ID apart from their same-sized ICAO siblings.
pub fn detect_format(lines: &[&str]) -> Option<Format> {
    let first = lines.first()?;
    let len = first.chars().count();
    if lines.iter().any(|line| line.chars().count() != len) {
        return None;
    }
    match (lines.len(), len) {
        (3, 30) => Some(Format::Td1),
        (2, 44) if first.starts_with('V') => Some(Format::Mrva),
        (2, 44) => Some(Format::Td3),
        (2, 36) if first.starts_with("IDFRA") => Some(Format::FrenchId),
        (2, 36) if first.starts_with('V') => Some(Format::Mrvb),
        (2, 36) => Some(Format::Td2),
        _ => None,
    }
}

/// Reads an MRZ exactly as given. `today` places two-digit years in their century.
///
/// `Err` only when the text cannot be an MRZ (line count, alphabet, lengths, sex
/// letter); wrong check digits come back as `Ok` with failing `checks`.
pub fn parse(lines: &[&str], today: Date) -> Result<Parsed, ParseError> {
    if !(2..=3).contains(&lines.len()) {
        return Err(ParseError::LineCount { found: lines.len() });
    }
    for (l, line) in lines.iter().enumerate() {
        if let Some((c, ch)) = line.chars().enumerate().find(|&(_, ch)| !is_mrz_char(ch)) {
            return Err(ParseError::InvalidCharacter {
                ch,
                line: l + 1,
                column: c + 1,
            });
        }
    }
    let format = detect_format(lines).ok_or_else(|| shape_error(lines))?;
    let rows: Vec<&[u8]> = lines.iter().map(|line| line.as_bytes()).collect();
    let layout = layout(format);
    let zone = Zone(&rows);

    let sex = match zone.at(layout.sex) {
        b'M' => Sex::M,
        b'F' => Sex::F,
        b'X' | b'<' => Sex::X,
        other => {
            return Err(ParseError::InvalidSex {
                ch: char::from(other),
                line: layout.sex.0 + 1,
                column: layout.sex.1 + 1,
            })
        }
    };

    let long = layout
        .long_number
        .and_then(|def| read_long_number(zone, layout.document_number, def));
    let (document_number, optional_data) = match &long {
        Some(long) => (long.number.clone(), optional(long.rest)),
        None => (
            text(trim_end(zone.span(layout.document_number))),
            layout.optional_data.and_then(|s| optional(zone.span(s))),
        ),
    };

    let (surname, given_names) = match layout.names {
        NameLayout::Icao(span) => icao_names(zone.span(span)),
        NameLayout::Split {
            surname,
            given_names,
        } => (words(zone.span(surname)), words(zone.span(given_names))),
    };
    let nationality = match layout.nationality {
        Some(span) => text(trim_end(zone.span(span))),
        // The French card is issued to French nationals only and prints no nationality.
        None => "FRA".to_owned(),
    };
    let birth_raw = zone.span(layout.date_of_birth);
    let expiry_raw = layout.date_of_expiry.map_or(&[][..], |s| zone.span(s));

    let checks = layout
        .checks
        .iter()
        .map(|def| {
            let printed = zone.at(def.digit);
            let data = || def.data.iter().flat_map(|&s| zone.span(s).iter().copied());
            let ok = match (def.field, &long) {
                (CheckField::DocumentNumber, Some(long)) => long.check_ok,
                (CheckField::OptionalData, _) if data().all(|c| c == b'<') => {
                    // An empty personal number may carry `<` or `0` as its check digit.
                    printed == b'<' || printed == b'0'
                }
                _ => digit_matches(data(), printed),
            };
            Check {
                field: def.field,
                ok,
            }
        })
        .collect();

    let fields = Fields {
        document_code: zone
            .span(layout.document_code)
            .iter()
            .filter(|&&c| c != b'<')
            .map(|&c| char::from(c))
            .collect(),
        issuing_country: text(trim_end(zone.span(layout.issuing_country))),
        document_number,
        surname,
        given_names,
        nationality,
        date_of_birth: birth_date(birth_raw, today),
        date_of_birth_raw: text(birth_raw),
        sex,
        date_of_expiry: expiry_date(expiry_raw, today),
        date_of_expiry_raw: text(expiry_raw),
        optional_data,
        optional_data_2: layout.optional_data_2.and_then(|s| optional(zone.span(s))),
    };
    Ok(Parsed {
        format,
        lines: lines.iter().map(|line| (*line).to_owned()).collect(),
        fields,
        checks,
    })
}

fn is_mrz_char(ch: char) -> bool {
    ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '<'
}

/// The closest explanation for lines of the right count and alphabet but no layout:
/// name the first line that disagrees with a plausible length, else list the lengths.
fn shape_error(lines: &[&str]) -> ParseError {
    let lengths: Vec<usize> = lines.iter().map(|line| line.chars().count()).collect();
    let plausible: &[usize] = if lines.len() == 3 { &[30] } else { &[36, 44] };
    if let Some(&expected) = lengths.iter().find(|len| plausible.contains(len)) {
        if let Some((i, &found)) = lengths.iter().enumerate().find(|&(_, &n)| n != expected) {
            return ParseError::LineLength {
                line: i + 1,
                found,
                expected,
            };
        }
    }
    ParseError::Layout { lengths }
}

// ---- Layouts, shared with `repair` so that both agree on every position. ----

/// Columns `start..end` of one line (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) line: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Span {
    pub(crate) fn columns(self) -> Range<usize> {
        self.start..self.end
    }
}

const fn sp(line: usize, start: usize, end: usize) -> Span {
    Span { line, start, end }
}

/// (line, column), 0-based.
pub(crate) type Pos = (usize, usize);

pub(crate) struct CheckDef {
    pub(crate) field: CheckField,
    /// Concatenated in order, then weighted 7-3-1.
    pub(crate) data: &'static [Span],
    pub(crate) digit: Pos,
}

#[derive(Clone, Copy)]
pub(crate) enum NameLayout {
    /// Surname `<<` given names, in one field.
    Icao(Span),
    /// The French ID prints surname and given names in separate fields.
    Split { surname: Span, given_names: Span },
}

/// Where a document number longer than its field continues (TD1: Doc 9303 Part 5,
/// TD2: Part 6, note j): `<` at `check`, then the rest of the number and its check
/// digit at the start of `continuation`.
#[derive(Clone, Copy)]
pub(crate) struct LongNumberDef {
    pub(crate) check: Pos,
    pub(crate) continuation: Span,
}

pub(crate) struct Layout {
    pub(crate) document_code: Span,
    pub(crate) issuing_country: Span,
    pub(crate) document_number: Span,
    pub(crate) names: NameLayout,
    pub(crate) nationality: Option<Span>,
    pub(crate) date_of_birth: Span,
    pub(crate) sex: Pos,
    pub(crate) date_of_expiry: Option<Span>,
    pub(crate) optional_data: Option<Span>,
    pub(crate) optional_data_2: Option<Span>,
    /// In the spec's order; exactly the check digits the format prints.
    pub(crate) checks: &'static [CheckDef],
    pub(crate) long_number: Option<LongNumberDef>,
}

const fn check(field: CheckField, data: &'static [Span], digit: Pos) -> CheckDef {
    CheckDef { field, data, digit }
}

const TD1: Layout = Layout {
    document_code: sp(0, 0, 2),
    issuing_country: sp(0, 2, 5),
    document_number: sp(0, 5, 14),
    names: NameLayout::Icao(sp(2, 0, 30)),
    nationality: Some(sp(1, 15, 18)),
    date_of_birth: sp(1, 0, 6),
    sex: (1, 7),
    date_of_expiry: Some(sp(1, 8, 14)),
    optional_data: Some(sp(0, 15, 30)),
    optional_data_2: Some(sp(1, 18, 29)),
    checks: &[
        check(DocumentNumber, &[sp(0, 5, 14)], (0, 14)),
        check(DateOfBirth, &[sp(1, 0, 6)], (1, 6)),
        check(DateOfExpiry, &[sp(1, 8, 14)], (1, 14)),
        check(
            Composite,
            &[sp(0, 5, 30), sp(1, 0, 7), sp(1, 8, 15), sp(1, 18, 29)],
            (1, 29),
        ),
    ],
    long_number: Some(LongNumberDef {
        check: (0, 14),
        continuation: sp(0, 15, 30),
    }),
};

const TD2: Layout = Layout {
    document_code: sp(0, 0, 2),
    issuing_country: sp(0, 2, 5),
    document_number: sp(1, 0, 9),
    names: NameLayout::Icao(sp(0, 5, 36)),
    nationality: Some(sp(1, 10, 13)),
    date_of_birth: sp(1, 13, 19),
    sex: (1, 20),
    date_of_expiry: Some(sp(1, 21, 27)),
    optional_data: Some(sp(1, 28, 35)),
    optional_data_2: None,
    checks: &[
        check(DocumentNumber, &[sp(1, 0, 9)], (1, 9)),
        check(DateOfBirth, &[sp(1, 13, 19)], (1, 19)),
        check(DateOfExpiry, &[sp(1, 21, 27)], (1, 27)),
        check(
            Composite,
            &[sp(1, 0, 10), sp(1, 13, 20), sp(1, 21, 35)],
            (1, 35),
        ),
    ],
    long_number: Some(LongNumberDef {
        check: (1, 9),
        continuation: sp(1, 28, 35),
    }),
};

const TD3: Layout = Layout {
    document_code: sp(0, 0, 2),
    issuing_country: sp(0, 2, 5),
    document_number: sp(1, 0, 9),
    names: NameLayout::Icao(sp(0, 5, 44)),
    nationality: Some(sp(1, 10, 13)),
    date_of_birth: sp(1, 13, 19),
    sex: (1, 20),
    date_of_expiry: Some(sp(1, 21, 27)),
    optional_data: Some(sp(1, 28, 42)),
    optional_data_2: None,
    checks: &[
        check(DocumentNumber, &[sp(1, 0, 9)], (1, 9)),
        check(DateOfBirth, &[sp(1, 13, 19)], (1, 19)),
        check(DateOfExpiry, &[sp(1, 21, 27)], (1, 27)),
        check(OptionalData, &[sp(1, 28, 42)], (1, 42)),
        check(
            Composite,
            &[sp(1, 0, 10), sp(1, 13, 20), sp(1, 21, 43)],
            (1, 43),
        ),
    ],
    long_number: None,
};

/// Visas print no composite and no optional-data check digit.
const VISA_CHECKS: &[CheckDef] = &[
    check(DocumentNumber, &[sp(1, 0, 9)], (1, 9)),
    check(DateOfBirth, &[sp(1, 13, 19)], (1, 19)),
    check(DateOfExpiry, &[sp(1, 21, 27)], (1, 27)),
];

const MRVA: Layout = Layout {
    names: NameLayout::Icao(sp(0, 5, 44)),
    optional_data: Some(sp(1, 28, 44)),
    checks: VISA_CHECKS,
    ..TD3
};

const MRVB: Layout = Layout {
    names: NameLayout::Icao(sp(0, 5, 36)),
    optional_data: Some(sp(1, 28, 36)),
    checks: VISA_CHECKS,
    long_number: None,
    ..TD2
};

/// Pre-2021 French identity card. Its composite covers all of line 1 and line 2 up to
/// the composite digit itself; `optional_data` carries line 1's department and office
/// codes; the card prints no expiry date.
const FRENCH_ID: Layout = Layout {
    document_code: sp(0, 0, 2),
    issuing_country: sp(0, 2, 5),
    document_number: sp(1, 0, 12),
    names: NameLayout::Split {
        surname: sp(0, 5, 30),
        given_names: sp(1, 13, 27),
    },
    nationality: None,
    date_of_birth: sp(1, 27, 33),
    sex: (1, 34),
    date_of_expiry: None,
    optional_data: Some(sp(0, 30, 36)),
    optional_data_2: None,
    checks: &[
        check(DocumentNumber, &[sp(1, 0, 12)], (1, 12)),
        check(DateOfBirth, &[sp(1, 27, 33)], (1, 33)),
        check(Composite, &[sp(0, 0, 36), sp(1, 0, 35)], (1, 35)),
    ],
    long_number: None,
};

pub(crate) fn layout(format: Format) -> &'static Layout {
    match format {
        Format::Td1 => &TD1,
        Format::Td2 => &TD2,
        Format::Td3 => &TD3,
        Format::Mrva => &MRVA,
        Format::Mrvb => &MRVB,
        Format::FrenchId => &FRENCH_ID,
    }
}

// ---- Reading fields. ----

/// The lines as bytes; out-of-range reads give fillers, so a layout bug can never panic.
#[derive(Clone, Copy)]
struct Zone<'a>(&'a [&'a [u8]]);

impl<'a> Zone<'a> {
    fn span(self, s: Span) -> &'a [u8] {
        self.0
            .get(s.line)
            .and_then(|line| line.get(s.columns()))
            .unwrap_or(&[])
    }

    fn at(self, (line, column): Pos) -> u8 {
        self.0
            .get(line)
            .and_then(|l| l.get(column))
            .copied()
            .unwrap_or(b'<')
    }
}

struct LongNumber<'a> {
    number: String,
    check_ok: bool,
    /// The optional data after the number's check digit.
    rest: &'a [u8],
}

/// The long form applies when the check position holds `<`, the principal field is
/// full, and the continuation holds at least one character plus a check digit.
pub(crate) fn long_number_run(principal: &[u8], check: u8, continuation: &[u8]) -> Option<usize> {
    let full = principal.last().is_some_and(|&c| c != b'<');
    let run = continuation
        .iter()
        .position(|&c| c == b'<')
        .unwrap_or(continuation.len());
    (check == b'<' && full && run >= 2).then_some(run)
}

fn read_long_number<'a>(
    zone: Zone<'a>,
    number: Span,
    def: LongNumberDef,
) -> Option<LongNumber<'a>> {
    let principal = zone.span(number);
    let continuation = zone.span(def.continuation);
    let run = long_number_run(principal, zone.at(def.check), continuation)?;
    let (head, rest) = continuation.split_at_checked(run)?;
    let (&digit, tail) = head.split_last()?;
    let joined = || principal.iter().chain(tail).copied();
    // Issuers disagree on whether the `<` at the check position enters the digit.
    let with_filler = principal.iter().chain(b"<").chain(tail).copied();
    let check_ok = digit_matches(joined(), digit) || digit_matches(with_filler, digit);
    Some(LongNumber {
        number: joined().map(char::from).collect(),
        check_ok,
        rest,
    })
}

fn text(bytes: &[u8]) -> String {
    bytes.iter().map(|&c| char::from(c)).collect()
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&c| c != b'<').map_or(0, |i| i + 1);
    bytes.get(..end).unwrap_or(&[])
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&c| c != b'<').unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

/// Optional data without surrounding fillers; `None` when nothing is left.
fn optional(bytes: &[u8]) -> Option<String> {
    let inner = trim_start(trim_end(bytes));
    (!inner.is_empty()).then(|| text(inner))
}

/// Fillers inside a name are word breaks.
fn spaced(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&c| if c == b'<' { ' ' } else { char::from(c) })
        .collect()
}

/// ICAO primary/secondary identifier: split at the first `<<`.
fn icao_names(field: &[u8]) -> (String, String) {
    let field = trim_end(field);
    match field.windows(2).position(|pair| pair == b"<<") {
        Some(i) => (
            spaced(field.get(..i).unwrap_or(&[])),
            spaced(trim_start(field.get(i + 2..).unwrap_or(&[]))),
        ),
        None => (spaced(field), String::new()),
    }
}

/// French fields separate given names with `<<`; any run of fillers is one space.
fn words(field: &[u8]) -> String {
    field
        .split(|&c| c == b'<')
        .filter(|word| !word.is_empty())
        .map(text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `YYMMDD` as numbers; `None` if any character is not a digit (e.g. `<` for unknown).
fn yymmdd(raw: &[u8]) -> Option<(i32, u8, u8)> {
    let [y1, y2, m1, m2, d1, d2] = <[u8; 6]>::try_from(raw).ok()?;
    let all = [y1, y2, m1, m2, d1, d2];
    if !all.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |a: u8, b: u8| (a - b'0') * 10 + (b - b'0');
    Some((i32::from(two(y1, y2)), two(m1, m2), two(d1, d2)))
}

fn from_parts(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::new(u16::try_from(year).ok()?, month, day)
}

fn ymd(date: Date) -> (i32, u8, u8) {
    (i32::from(date.year()), date.month(), date.day())
}

/// Birth: the latest century that does not put the date after `today`.
pub(crate) fn birth_date(raw: &[u8], today: Date) -> Option<Date> {
    let (yy, month, day) = yymmdd(raw)?;
    let (ty, tm, td) = ymd(today);
    let mut year = ty - ty % 100 + yy;
    if (year, month, day) > (ty, tm, td) {
        year -= 100;
    }
    from_parts(year, month, day)
}

/// Expiry: the century that puts the date within 50 years of `today`, i.e. after
/// `today` − 50 years and no later than `today` + 50 years.
pub(crate) fn expiry_date(raw: &[u8], today: Date) -> Option<Date> {
    let (yy, month, day) = yymmdd(raw)?;
    let (ty, tm, td) = ymd(today);
    let mut year = ty - ty % 100 + yy;
    if (year, month, day) > (ty + 50, tm, td) {
        year -= 100;
    } else if (year, month, day) <= (ty - 50, tm, td) {
        year += 100;
    }
    from_parts(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_values() {
        assert_eq!(check_digit(b"L898902C3"), Some(6));
        assert_eq!(check_digit(b"740812"), Some(2));
        assert_eq!(check_digit(b"<<<<"), Some(0));
        assert_eq!(check_digit(b""), Some(0));
        assert_eq!(
            check_digit(b"ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"),
            Some(5)
        );
        assert_eq!(check_digit(b"a"), None);
        assert_eq!(check_digit(b" "), None);
    }

    #[test]
    fn every_check_digit_position_lies_inside_its_layout() {
        for format in Format::ALL {
            let layout = layout(format);
            let (lines, width) = (format.line_count(), format.line_length());
            for def in layout.checks {
                assert!(def.digit.0 < lines && def.digit.1 < width);
                for s in def.data {
                    assert!(s.line < lines && s.end <= width && s.start < s.end);
                }
            }
        }
    }

    #[test]
    fn long_number_run_needs_filler_full_field_and_two_characters() {
        assert_eq!(long_number_run(b"D23145890", b'<', b"7349<<<"), Some(4));
        assert_eq!(long_number_run(b"D23145890", b'7', b"7349<<<"), None);
        assert_eq!(long_number_run(b"D2314589<", b'<', b"7349<<<"), None);
        assert_eq!(long_number_run(b"D23145890", b'<', b"7<<<<<<"), None);
        assert_eq!(long_number_run(b"D23145890", b'<', b"7349999"), Some(7));
    }

    fn day(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn birth_century_never_after_today() {
        let today = day("2024-06-15");
        assert_eq!(birth_date(b"240615", today), Some(day("2024-06-15")));
        assert_eq!(birth_date(b"240616", today), Some(day("1924-06-16")));
        assert_eq!(birth_date(b"000229", today), Some(day("2000-02-29")));
        assert_eq!(birth_date(b"000229", day("2000-01-01")), None); // 1900 was no leap year
        assert_eq!(birth_date(b"74<812", today), None);
        assert_eq!(birth_date(b"741312", today), None);
        assert_eq!(birth_date(b"7408", today), None);
    }

    #[test]
    fn expiry_within_fifty_years() {
        let today = day("2024-06-15");
        assert_eq!(expiry_date(b"740615", today), Some(day("2074-06-15")));
        assert_eq!(expiry_date(b"740616", today), Some(day("1974-06-16")));
        assert_eq!(expiry_date(b"740614", today), Some(day("2074-06-14")));
        assert_eq!(expiry_date(b"120415", today), Some(day("2012-04-15")));
        assert_eq!(expiry_date(b"991231", today), Some(day("1999-12-31")));
        let late = day("2090-01-01");
        assert_eq!(expiry_date(b"050101", late), Some(day("2105-01-01")));
        assert_eq!(expiry_date(b"400102", late), Some(day("2040-01-02")));
        assert_eq!(expiry_date(b"400101", late), Some(day("2140-01-01")));
    }
}
