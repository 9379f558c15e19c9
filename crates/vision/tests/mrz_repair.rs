// Native: reads files / uses proptest; tests/wasm.rs covers the browser build.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Check-digit-guided repair: clean reads come back unchanged, each look-alike is
//! resolved by field type or check digit, and reads that would need too many changes
//! come back as nothing.

use kyc_vision::date::Date;
use kyc_vision::mrz::parse::{parse, Format};
use kyc_vision::mrz::repair::{repair, Candidates, MAX_CHANGE_COST};
use proptest::prelude::*;

fn today() -> Date {
    Date::parse_iso("2024-06-15").unwrap()
}

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];
const TD1: [&str; 3] = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
];
const TD2: [&str; 2] = [
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
];
const MRVA: [&str; 2] = [
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX7408122F96121096ZE184226B<<<<<<",
];
const MRVB: [&str; 2] = [
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "L8988901C4XXX7408122F9612109<<<<<<<<",
];
const FRENCH_ID: [&str; 2] = [
    "IDFRAMARTIN<<<<<<<<<<<<<<<<<<<075123",
    "1905750123458JEAN<<PIERRE<<8503172M1",
];
const TD1_LONG_PLAIN: [&str; 3] = [
    "I<UTOD23145890<AB125<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
];
const TD1_LONG_FILLER: [&str; 3] = [
    "I<UTOD23145890<AB121<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<2",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
];
const TD3_UNKNOWN_BIRTH: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO74<<<<1<1204159ZE184226B<<<<<18",
];

/// What a confident OCR gives for clean print: one guess per cell.
fn clean(lines: &[&str]) -> Vec<Vec<Candidates>> {
    lines
        .iter()
        .map(|line| {
            line.bytes()
                .map(|c| Candidates {
                    alternatives: vec![(c, 0.05)],
                })
                .collect()
        })
        .collect()
}

/// The OCR's ranking at (line, column).
type Edit<'a> = (usize, usize, &'a [(u8, f32)]);

/// `lines` read cleanly except where `edits` give the OCR's ranking.
fn misread(lines: &[&str], edits: &[Edit]) -> Vec<Vec<Candidates>> {
    let mut cells = clean(lines);
    for &(line, column, alternatives) in edits {
        cells[line][column].alternatives = alternatives.to_vec();
    }
    cells
}

fn repaired(cells: &[Vec<Candidates>]) -> Option<Vec<String>> {
    repair(cells, today()).map(|parsed| {
        assert!(parsed.valid());
        parsed.lines
    })
}

fn owned(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn clean_reads_round_trip() {
    let documents: [(&[&str], Format); 9] = [
        (&TD3, Format::Td3),
        (&TD1, Format::Td1),
        (&TD2, Format::Td2),
        (&MRVA, Format::Mrva),
        (&MRVB, Format::Mrvb),
        (&FRENCH_ID, Format::FrenchId),
        (&TD1_LONG_PLAIN, Format::Td1),
        (&TD1_LONG_FILLER, Format::Td1),
        (&TD3_UNKNOWN_BIRTH, Format::Td3),
    ];
    for (lines, format) in documents {
        let parsed = repair(&clean(lines), today()).unwrap_or_else(|| panic!("{lines:?}"));
        assert_eq!(parsed.format, format);
        assert_eq!(parsed, parse(lines, today()).unwrap());
        assert!(parsed.valid());
    }
}

#[test]
fn a_clean_read_with_runner_up_guesses_stays_as_read() {
    let mut cells = clean(&TD3);
    for (cell, c) in cells
        .iter_mut()
        .flatten()
        .zip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<".iter().cycle())
    {
        cell.alternatives.push((*c, 2.0));
        cell.alternatives.push((b'<', 2.5));
    }
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
}

/// Look-alikes in fields whose type decides alone: the OCR offers only the wrong one.
#[test]
fn look_alikes_resolved_by_field_type() {
    let cases: [(usize, usize, u8); 14] = [
        (1, 15, b'O'), // birth date 0
        (1, 15, b'D'),
        (1, 15, b'Q'),
        (1, 17, b'I'), // birth date 1
        (1, 16, b'B'), // birth date 8
        (1, 19, b'Z'), // birth check digit 2
        (1, 26, b'S'), // expiry 5
        (1, 9, b'G'),  // document number check digit 6
        (1, 43, b'O'), // composite 0
        (0, 4, b'0'),  // issuing country O
        (1, 12, b'0'), // nationality O
        (0, 7, b'1'),  // name I
        (0, 9, b'5'),  // name S
        (0, 0, b'P'),  // already right: nothing to do
    ];
    for (line, column, wrong) in cases {
        let cells = misread(&TD3, &[(line, column, &[(wrong, 0.1)])]);
        assert_eq!(
            repaired(&cells),
            Some(owned(&TD3)),
            "{} at {line}:{column}",
            wrong as char
        );
    }
}

#[test]
fn look_alikes_in_letter_fields_of_other_layouts() {
    // No check digit covers TD1 names or nationality: the field type decides, even
    // when the letter it picks is not the printed one.
    let cells = misread(&TD1, &[(2, 0, &[(b'8', 0.1)])]);
    let parsed = repair(&cells, today()).unwrap();
    assert_eq!(parsed.fields.surname, "BRIKSSON");
    let cells = misread(&TD1, &[(1, 16, &[(b'6', 0.1)]), (1, 17, &[(b'2', 0.1)])]);
    let parsed = repair(&cells, today()).unwrap();
    assert_eq!(parsed.fields.nationality, "UGZ");
}

/// Look-alikes in alphanumeric fields: both are allowed, the check digits decide
/// between the OCR's own alternatives.
#[test]
fn look_alikes_resolved_by_check_digits() {
    let cases: [(usize, usize, u8, u8); 6] = [
        (1, 5, b'O', b'0'),  // document number
        (1, 3, b'B', b'8'),  // document number
        (1, 1, b'B', b'8'),  // document number
        (1, 28, b'2', b'Z'), // optional data
        (1, 30, b'I', b'1'), // optional data
        (1, 36, b'8', b'B'), // optional data
    ];
    for (line, column, wrong, right) in cases {
        let cells = misread(&TD3, &[(line, column, &[(wrong, 0.2), (right, 0.9)])]);
        assert_eq!(
            repaired(&cells),
            Some(owned(&TD3)),
            "{} at {line}:{column}",
            wrong as char
        );
    }
}

#[test]
fn a_look_alike_the_ocr_did_not_rank_is_a_last_resort() {
    // O alone where the check digits need 0: nothing else satisfies them.
    let cells = misread(&TD3, &[(1, 5, &[(b'O', 0.1)])]);
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
}

#[test]
fn ambiguous_reads_give_nothing() {
    // B alone at column 3: turning it back into 8 fixes every check digit, and so does
    // turning the 8 at column 1 into B (8 → B weighs 3 × 3 there, B → 8 weighs −3 × 7
    // here: both ≡ 9 mod 10). Nothing but a guess could choose.
    let cells = misread(&TD3, &[(1, 3, &[(b'B', 0.1)])]);
    assert_eq!(repaired(&cells), None);
}

/// K is worth 20 and `<` 0: the same modulo 10, so only the field's shape can tell.
#[test]
fn filler_read_as_k_in_filler_tails() {
    let cells = misread(
        &TD3,
        &[
            (0, 30, &[(b'K', 0.1)]),
            (0, 43, &[(b'K', 0.1), (b'<', 0.4)]),
            (1, 40, &[(b'K', 0.1)]),
            (1, 41, &[(b'K', 0.1)]),
        ],
    );
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
    let cells = misread(&TD1, &[(0, 29, &[(b'K', 0.1)]), (1, 28, &[(b'K', 0.1)])]);
    assert_eq!(repaired(&cells), Some(owned(&TD1)));
    // A K runner-up in a filler run would satisfy every check digit just as well; it
    // must not make the read ambiguous.
    let cells = misread(&TD3, &[(1, 41, &[(b'<', 0.1), (b'K', 0.2)])]);
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
    let cells = misread(&FRENCH_ID, &[(1, 26, &[(b'<', 0.1), (b'K', 0.2)])]);
    assert_eq!(repaired(&cells), Some(owned(&FRENCH_ID)));
    // ERIKSSON keeps its K; a single filler before K marks an initial.
    let line1 = format!("{:<<44}", "P<UTOERIKSSON<<ANNA<K");
    let initial = [line1.as_str(), TD3[1]];
    assert_eq!(repaired(&clean(&initial)), Some(owned(&initial)));
}

#[test]
fn two_fixes_in_one_field_are_allowed() {
    let cells = misread(
        &TD3,
        &[
            (1, 13, &[(b'1', 0.1), (b'7', 0.6)]),
            (1, 14, &[(b'9', 0.1), (b'4', 0.6)]),
        ],
    );
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
}

#[test]
fn three_fixes_in_one_field_are_refused() {
    let cells = misread(
        &TD3,
        &[
            (1, 13, &[(b'1', 0.1), (b'7', 0.6)]),
            (1, 14, &[(b'9', 0.1), (b'4', 0.6)]),
            (1, 18, &[(b'3', 0.1), (b'2', 0.6)]),
        ],
    );
    assert_eq!(repaired(&cells), None);
}

#[test]
fn four_fixes_across_the_zone_are_refused() {
    let cells = misread(
        &TD3,
        &[
            (1, 2, &[(b'3', 0.1), (b'9', 0.6)]),
            (1, 14, &[(b'9', 0.1), (b'4', 0.6)]),
            (1, 22, &[(b'7', 0.1), (b'2', 0.6)]),
            (1, 31, &[(b'7', 0.1), (b'8', 0.6)]),
        ],
    );
    assert_eq!(repaired(&cells), None);
    // Three of them are within budget.
    let cells = misread(
        &TD3,
        &[
            (1, 2, &[(b'3', 0.1), (b'9', 0.6)]),
            (1, 14, &[(b'9', 0.1), (b'4', 0.6)]),
            (1, 22, &[(b'7', 0.1), (b'2', 0.6)]),
        ],
    );
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
}

#[test]
fn wrong_digit_without_alternatives_is_refused() {
    let cells = misread(&TD3, &[(1, 14, &[(b'9', 0.1)])]);
    assert_eq!(repaired(&cells), None);
}

#[test]
fn far_fetched_alternatives_are_not_used() {
    let cost = 0.1 + MAX_CHANGE_COST + 0.5;
    let cells = misread(&TD3, &[(1, 14, &[(b'9', 0.1), (b'4', cost)])]);
    assert_eq!(repaired(&cells), None);
}

#[test]
fn cheapest_valid_reading_wins_by_a_margin() {
    // 9 and J (19) weigh the same modulo 10: both satisfy every check digit, so only
    // the OCR's costs can decide, and only when they disagree clearly.
    let cells = misread(&TD3, &[(1, 2, &[(b'3', 0.1), (b'9', 0.3), (b'J', 2.0)])]);
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
    let cells = misread(&TD3, &[(1, 2, &[(b'3', 0.1), (b'J', 0.3), (b'9', 2.0)])]);
    let lines = repaired(&cells).unwrap();
    assert_eq!(lines[1], "L8J8902C36UTO7408122F1204159ZE184226B<<<<<10");
    let cells = misread(&TD3, &[(1, 2, &[(b'3', 0.1), (b'9', 0.3), (b'J', 0.5)])]);
    assert_eq!(repaired(&cells), None);
    // A clean read is contested too when the OCR hesitated at a checked position.
    let cells = misread(&TD3, &[(1, 2, &[(b'9', 0.1), (b'J', 0.4)])]);
    assert_eq!(repaired(&cells), None);
}

#[test]
fn french_composite_repairs_a_surname_letter() {
    let cells = misread(&FRENCH_ID, &[(0, 7, &[(b'I', 0.1), (b'R', 0.7)])]);
    assert_eq!(repaired(&cells), Some(owned(&FRENCH_ID)));
}

#[test]
fn long_document_number_with_a_look_alike() {
    let cells = misread(&TD1_LONG_PLAIN, &[(0, 16, &[(b'8', 0.2), (b'B', 0.9)])]);
    assert_eq!(repaired(&cells), Some(owned(&TD1_LONG_PLAIN)));
    let cells = misread(&TD1_LONG_FILLER, &[(0, 17, &[(b'I', 0.2), (b'1', 0.9)])]);
    assert_eq!(repaired(&cells), Some(owned(&TD1_LONG_FILLER)));
}

#[test]
fn visa_or_passport_by_first_letter() {
    let parsed = repair(&clean(&MRVA), today()).unwrap();
    assert_eq!(parsed.format, Format::Mrva);
    let cells = misread(&MRVB, &[(0, 0, &[(b'Y', 0.1), (b'V', 0.8)])]);
    assert_eq!(repair(&cells, today()).unwrap().format, Format::Mrvb);
}

#[test]
fn impossible_dates_are_refused() {
    // Month 13 and 31 April, with every check digit right.
    for line2 in [
        "L898902C36UTO7413128F1204159ZE184226B<<<<<10",
        "L898902C36UTO7404319F1204159ZE184226B<<<<<14",
    ] {
        assert!(parse(&[TD3[0], line2], today()).unwrap().valid());
        assert_eq!(repaired(&clean(&[TD3[0], line2])), None);
    }
}

#[test]
fn shapes_that_are_no_mrz() {
    assert_eq!(repaired(&[]), None);
    assert_eq!(repaired(&clean(&[TD3[0]])), None);
    assert_eq!(repaired(&clean(&[TD3[0], TD2[1]])), None);
    assert_eq!(repaired(&clean(&[TD1[0], TD1[1]])), None);
    assert_eq!(repaired(&clean(&["", ""])), None);
}

#[test]
fn unusable_candidates() {
    assert_eq!(repaired(&misread(&TD3, &[(1, 5, &[])])), None);
    assert_eq!(repaired(&misread(&TD3, &[(1, 5, &[(b'a', 0.1)])])), None);
    assert_eq!(
        repaired(&misread(&TD3, &[(1, 5, &[(b'0', f32::NAN)])])),
        None
    );
    // A usable guess behind junk still counts; negative costs count as zero.
    let cells = misread(
        &TD3,
        &[(1, 5, &[(b'a', 0.0), (b'0', f32::INFINITY), (b'0', -1.0)])],
    );
    assert_eq!(repaired(&cells), Some(owned(&TD3)));
}

fn any_candidates() -> impl Strategy<Value = Candidates> {
    let byte = prop_oneof![
        4 => proptest::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<".to_vec()),
        1 => any::<u8>(),
    ];
    let cost = prop_oneof![8 => 0.0f32..6.0, 1 => any::<f32>()];
    proptest::collection::vec((byte, cost), 0..5)
        .prop_map(|alternatives| Candidates { alternatives })
}

fn any_zone() -> impl Strategy<Value = Vec<Vec<Candidates>>> {
    use proptest::collection::vec;
    prop_oneof![
        vec(vec(any_candidates(), 30), 3),
        vec(vec(any_candidates(), 36), 2),
        vec(vec(any_candidates(), 44), 2),
        vec(vec(any_candidates(), 0..50), 0..4),
    ]
}

/// A specimen with random runner-up guesses and a few random top guesses.
fn noisy_specimen() -> impl Strategy<Value = Vec<Vec<Candidates>>> {
    let specimens: Vec<Vec<&'static str>> = vec![
        TD3.to_vec(),
        TD1.to_vec(),
        TD2.to_vec(),
        MRVA.to_vec(),
        MRVB.to_vec(),
        FRENCH_ID.to_vec(),
        TD1_LONG_PLAIN.to_vec(),
    ];
    (
        proptest::sample::select(specimens),
        proptest::collection::vec((0usize..90, any_candidates()), 0..6),
    )
        .prop_map(|(lines, noise)| {
            let mut cells = clean(&lines);
            let width = cells[0].len();
            for (at, candidates) in noise {
                if let Some(cell) = cells
                    .get_mut(at / width)
                    .and_then(|line| line.get_mut(at % width))
                {
                    *cell = candidates;
                }
            }
            cells
        })
}

proptest! {
    #[test]
    fn repair_never_panics(cells in any_zone()) {
        if let Some(parsed) = repair(&cells, today()) {
            prop_assert!(parsed.valid());
        }
    }

    #[test]
    fn repaired_reads_are_what_parse_accepts(cells in noisy_specimen()) {
        if let Some(parsed) = repair(&cells, today()) {
            let lines: Vec<&str> = parsed.lines.iter().map(String::as_str).collect();
            let again = parse(&lines, today()).unwrap();
            prop_assert!(again.valid());
            prop_assert_eq!(again, parsed);
        }
    }
}
