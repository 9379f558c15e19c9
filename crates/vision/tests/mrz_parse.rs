// Native: reads files / uses proptest; tests/wasm.rs covers the browser build.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The MRZ text rules against the ICAO specimens, hand-built documents for the cases
//! the specimens do not reach, every error path, and a no-panic property.

use kyc_vision::date::Date;
use kyc_vision::mrz::parse::{
    check_digit, detect_format, parse, Check, CheckField, Fields, Format, ParseError, Parsed, Sex,
};
use proptest::prelude::*;

fn day(iso: &str) -> Date {
    Date::parse_iso(iso).unwrap()
}

/// Chosen so that every specimen date has one reading: births before it, the 2012
/// expiry in the past, the 1996 visa expiry too.
fn today() -> Date {
    day("2024-06-15")
}

fn read(lines: &[&str]) -> Parsed {
    parse(lines, today()).unwrap()
}

fn checks(fields: &[CheckField]) -> Vec<Check> {
    fields
        .iter()
        .map(|&field| Check { field, ok: true })
        .collect()
}

use CheckField::{Composite, DateOfBirth, DateOfExpiry, DocumentNumber, OptionalData};

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
/// Built by hand for this test: document number 190575012345 (check 8), birth
/// 850317 (check 2), composite over line 1 and line 2's first 35 characters (1).
const FRENCH_ID: [&str; 2] = [
    "IDFRAMARTIN<<<<<<<<<<<<<<<<<<<075123",
    "1905750123458JEAN<<PIERRE<<8503172M1",
];

#[test]
fn td3_specimen() {
    let parsed = read(&TD3);
    assert_eq!(parsed.format, Format::Td3);
    assert_eq!(parsed.lines, TD3.to_vec());
    assert_eq!(
        parsed.fields,
        Fields {
            document_code: "P".into(),
            issuing_country: "UTO".into(),
            document_number: "L898902C3".into(),
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            nationality: "UTO".into(),
            date_of_birth: Some(day("1974-08-12")),
            date_of_birth_raw: "740812".into(),
            sex: Sex::F,
            date_of_expiry: Some(day("2012-04-15")),
            date_of_expiry_raw: "120415".into(),
            optional_data: Some("ZE184226B".into()),
            optional_data_2: None,
        }
    );
    assert_eq!(
        parsed.checks,
        checks(&[
            DocumentNumber,
            DateOfBirth,
            DateOfExpiry,
            OptionalData,
            Composite
        ])
    );
    assert!(parsed.valid());
}

#[test]
fn td1_specimen() {
    let parsed = read(&TD1);
    assert_eq!(parsed.format, Format::Td1);
    assert_eq!(parsed.lines, TD1.to_vec());
    assert_eq!(
        parsed.fields,
        Fields {
            document_code: "I".into(),
            issuing_country: "UTO".into(),
            document_number: "D23145890".into(),
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            nationality: "UTO".into(),
            date_of_birth: Some(day("1974-08-12")),
            date_of_birth_raw: "740812".into(),
            sex: Sex::F,
            date_of_expiry: Some(day("2012-04-15")),
            date_of_expiry_raw: "120415".into(),
            optional_data: None,
            optional_data_2: None,
        }
    );
    assert_eq!(
        parsed.checks,
        checks(&[DocumentNumber, DateOfBirth, DateOfExpiry, Composite])
    );
    assert!(parsed.valid());
}

#[test]
fn td2_specimen() {
    let parsed = read(&TD2);
    assert_eq!(parsed.format, Format::Td2);
    assert_eq!(
        parsed.fields,
        Fields {
            document_code: "I".into(),
            issuing_country: "UTO".into(),
            document_number: "D23145890".into(),
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            nationality: "UTO".into(),
            date_of_birth: Some(day("1974-08-12")),
            date_of_birth_raw: "740812".into(),
            sex: Sex::F,
            date_of_expiry: Some(day("2012-04-15")),
            date_of_expiry_raw: "120415".into(),
            optional_data: None,
            optional_data_2: None,
        }
    );
    assert_eq!(
        parsed.checks,
        checks(&[DocumentNumber, DateOfBirth, DateOfExpiry, Composite])
    );
    assert!(parsed.valid());
}

#[test]
fn mrva_specimen() {
    let parsed = read(&MRVA);
    assert_eq!(parsed.format, Format::Mrva);
    assert_eq!(
        parsed.fields,
        Fields {
            document_code: "V".into(),
            issuing_country: "UTO".into(),
            document_number: "L8988901C".into(),
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            nationality: "XXX".into(),
            date_of_birth: Some(day("1974-08-12")),
            date_of_birth_raw: "740812".into(),
            sex: Sex::F,
            date_of_expiry: Some(day("1996-12-10")),
            date_of_expiry_raw: "961210".into(),
            optional_data: Some("6ZE184226B".into()),
            optional_data_2: None,
        }
    );
    assert_eq!(
        parsed.checks,
        checks(&[DocumentNumber, DateOfBirth, DateOfExpiry])
    );
    assert!(parsed.valid());
}

#[test]
fn mrvb_specimen() {
    let parsed = read(&MRVB);
    assert_eq!(parsed.format, Format::Mrvb);
    assert_eq!(
        parsed.fields,
        Fields {
            document_code: "V".into(),
            issuing_country: "UTO".into(),
            document_number: "L8988901C".into(),
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            nationality: "XXX".into(),
            date_of_birth: Some(day("1974-08-12")),
            date_of_birth_raw: "740812".into(),
            sex: Sex::F,
            date_of_expiry: Some(day("1996-12-10")),
            date_of_expiry_raw: "961210".into(),
            optional_data: None,
            optional_data_2: None,
        }
    );
    assert_eq!(
        parsed.checks,
        checks(&[DocumentNumber, DateOfBirth, DateOfExpiry])
    );
    assert!(parsed.valid());
}

#[test]
fn french_id_built_by_hand() {
    let parsed = read(&FRENCH_ID);
    assert_eq!(parsed.format, Format::FrenchId);
    assert_eq!(
        parsed.fields,
        Fields {
            document_code: "ID".into(),
            issuing_country: "FRA".into(),
            document_number: "190575012345".into(),
            surname: "MARTIN".into(),
            given_names: "JEAN PIERRE".into(),
            nationality: "FRA".into(),
            date_of_birth: Some(day("1985-03-17")),
            date_of_birth_raw: "850317".into(),
            sex: Sex::M,
            date_of_expiry: None,
            date_of_expiry_raw: String::new(),
            optional_data: Some("075123".into()),
            optional_data_2: None,
        }
    );
    assert_eq!(
        parsed.checks,
        checks(&[DocumentNumber, DateOfBirth, Composite])
    );
    assert!(parsed.valid());
}

/// The card widely published as a French ID sample: an independent confirmation that
/// the composite covers all of line 1 plus line 2 up to the composite digit.
#[test]
fn french_id_published_sample() {
    let parsed = read(&[
        "IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<",
        "9409923102854CORINNE<<<<<<<6512068F4",
    ]);
    assert!(parsed.valid(), "{:?}", parsed.checks);
    assert_eq!(parsed.fields.surname, "BERTHIER");
    assert_eq!(parsed.fields.given_names, "CORINNE");
    assert_eq!(parsed.fields.document_number, "940992310285");
    assert_eq!(parsed.fields.date_of_birth, Some(day("1965-12-06")));
    assert_eq!(parsed.fields.optional_data, None);
}

#[test]
fn french_id_composite_covers_line_one() {
    let parsed = read(&[
        "IDFRAMARTIM<<<<<<<<<<<<<<<<<<<075123",
        "1905750123458JEAN<<PIERRE<<8503172M1",
    ]);
    assert_eq!(
        parsed.checks,
        vec![
            Check {
                field: DocumentNumber,
                ok: true
            },
            Check {
                field: DateOfBirth,
                ok: true
            },
            Check {
                field: Composite,
                ok: false
            },
        ]
    );
}

#[test]
fn wrong_digits_are_reported_not_refused() {
    let parsed = read(&[TD3[0], "L898902C36UTO7508122F1204159ZE184226B<<<<<10"]);
    assert!(!parsed.valid());
    assert_eq!(
        parsed.checks,
        vec![
            Check {
                field: DocumentNumber,
                ok: true
            },
            Check {
                field: DateOfBirth,
                ok: false
            },
            Check {
                field: DateOfExpiry,
                ok: true
            },
            Check {
                field: OptionalData,
                ok: true
            },
            Check {
                field: Composite,
                ok: false
            },
        ]
    );
    assert_eq!(parsed.fields.date_of_birth, Some(day("1975-08-12")));
}

#[test]
fn a_check_digit_printed_as_filler_fails() {
    let parsed = read(&[TD3[0], "L898902C3<UTO7408122F1204159ZE184226B<<<<<10"]);
    assert!(!parsed.checks[0].ok);
}

fn td1_long(line1: &str, line2: &str) -> Parsed {
    read(&[line1, line2, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"])
}

#[test]
fn td1_long_document_number_without_filler_in_check() {
    // D23145890 + AB12, check 5 over "D23145890AB12".
    let parsed = td1_long(
        "I<UTOD23145890<AB125<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
    );
    assert_eq!(parsed.fields.document_number, "D23145890AB12");
    assert_eq!(parsed.fields.optional_data, None);
    assert!(parsed.valid(), "{:?}", parsed.checks);
}

#[test]
fn td1_long_document_number_with_filler_in_check() {
    // Check 1 over "D23145890<AB12".
    let parsed = td1_long(
        "I<UTOD23145890<AB121<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<2",
    );
    assert_eq!(parsed.fields.document_number, "D23145890AB12");
    assert!(parsed.valid(), "{:?}", parsed.checks);
}

#[test]
fn td1_long_document_number_wrong_digit_and_rest_of_optional_data() {
    // The ICAO Part 5 shape with optional data after the number's check digit.
    let parsed = td1_long(
        "I<UTOD23145890<AB127<XY9<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<0",
    );
    assert_eq!(parsed.fields.document_number, "D23145890AB12");
    assert_eq!(parsed.fields.optional_data.as_deref(), Some("XY9"));
    assert!(!parsed.checks[0].ok);
}

#[test]
fn td2_long_document_number() {
    let parsed = read(&[TD2[0], "D23145890<UTO7408122F1204159120<<<<0"]);
    assert_eq!(parsed.fields.document_number, "D2314589012");
    assert_eq!(parsed.fields.optional_data, None);
    assert!(parsed.valid(), "{:?}", parsed.checks);
}

#[test]
fn td3_empty_personal_number_accepts_filler_or_zero_check() {
    for line2 in [
        "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<8",
        "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<08",
    ] {
        let parsed = read(&[TD3[0], line2]);
        assert!(parsed.valid(), "{line2}: {:?}", parsed.checks);
        assert_eq!(parsed.fields.optional_data, None);
    }
    let parsed = read(&[TD3[0], "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<18"]);
    assert!(!parsed.checks[3].ok);
}

#[test]
fn unknown_birth_date_and_unspecified_sex() {
    let parsed = read(&[TD3[0], "L898902C36UTO74<<<<1<1204159ZE184226B<<<<<18"]);
    assert!(parsed.valid(), "{:?}", parsed.checks);
    assert_eq!(parsed.fields.date_of_birth, None);
    assert_eq!(parsed.fields.date_of_birth_raw, "74<<<<");
    assert_eq!(parsed.fields.sex, Sex::X);
}

#[test]
fn sex_x_and_m() {
    let x = read(&[TD3[0], "L898902C36UTO7408122X1204159ZE184226B<<<<<10"]);
    assert_eq!(x.fields.sex, Sex::X);
    let m = read(&[TD3[0], "L898902C36UTO7408122M1204159ZE184226B<<<<<10"]);
    assert_eq!(m.fields.sex, Sex::M);
    assert!(m.valid(), "sex is outside every check digit");
}

#[test]
fn impossible_calendar_date_is_null_with_raw_kept() {
    let parsed = read(&[TD3[0], "L898902C36UTO7413122F1204159ZE184226B<<<<<10"]);
    assert_eq!(parsed.fields.date_of_birth, None);
    assert_eq!(parsed.fields.date_of_birth_raw, "741312");
}

#[test]
fn century_follows_injected_today() {
    // Birth 240615 is today on 2024-06-15, a century ago the day before.
    let line2 = |dob: &str| format!("L898902C36UTO{dob}2F1204159ZE184226B<<<<<10");
    let born = line2("240615");
    let at = |iso: &str| parse(&[TD3[0], &born], day(iso)).unwrap().fields;
    assert_eq!(at("2024-06-15").date_of_birth, Some(day("2024-06-15")));
    assert_eq!(at("2024-06-14").date_of_birth, Some(day("1924-06-15")));
    // Expiry 120415: in the past for 2024, 100 years later seen from 2080.
    assert_eq!(at("2024-06-15").date_of_expiry, Some(day("2012-04-15")));
    // Exactly 50 years before today is out of the window, 50 years after is in.
    assert_eq!(at("2062-04-14").date_of_expiry, Some(day("2012-04-15")));
    assert_eq!(at("2062-04-15").date_of_expiry, Some(day("2112-04-15")));
    assert_eq!(at("1970-01-01").date_of_expiry, Some(day("2012-04-15")));
    assert_eq!(at("1962-04-15").date_of_expiry, Some(day("2012-04-15")));
    assert_eq!(at("1962-04-14").date_of_expiry, Some(day("1912-04-15")));
}

#[test]
fn names_split_at_first_double_filler() {
    let name = |field: &str| {
        let line1 = format!("P<UTO{field:<<39}");
        let fields = read(&[&line1, TD3[1]]).fields;
        (fields.surname, fields.given_names)
    };
    assert_eq!(name("ERIKSSON"), ("ERIKSSON".into(), String::new()));
    assert_eq!(
        name("VAN<DER<BERG<<JAN"),
        ("VAN DER BERG".into(), "JAN".into())
    );
    assert_eq!(name("<<ANNA"), (String::new(), "ANNA".into()));
    assert_eq!(name("SMITH<<<JOHN<K"), ("SMITH".into(), "JOHN K".into()));
    assert_eq!(name(""), (String::new(), String::new()));
    assert_eq!(
        name("ABCDEFGHIJKLMNOPQRSTUVWXYZ<<ABCDEFGHIJK"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ".into(), "ABCDEFGHIJK".into())
    );
}

#[test]
fn country_codes_drop_fillers() {
    let parsed = read(&[
        "P<D<<ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36D<<7408122F1204159ZE184226B<<<<<10",
    ]);
    assert_eq!(parsed.fields.issuing_country, "D");
    assert_eq!(parsed.fields.nationality, "D");
    assert!(parsed.valid());
}

#[test]
fn two_letter_document_code() {
    let line1 = format!("AC{}", &TD2[0][2..]);
    let parsed = read(&[&line1, TD2[1]]);
    assert_eq!(parsed.fields.document_code, "AC");
}

#[test]
fn detects_formats_from_shape() {
    assert_eq!(detect_format(&TD1), Some(Format::Td1));
    assert_eq!(detect_format(&TD2), Some(Format::Td2));
    assert_eq!(detect_format(&TD3), Some(Format::Td3));
    assert_eq!(detect_format(&MRVA), Some(Format::Mrva));
    assert_eq!(detect_format(&MRVB), Some(Format::Mrvb));
    assert_eq!(detect_format(&FRENCH_ID), Some(Format::FrenchId));
    assert_eq!(detect_format(&[]), None);
    assert_eq!(detect_format(&[TD3[0]]), None);
    assert_eq!(detect_format(&[TD3[0], TD2[1]]), None);
    assert_eq!(detect_format(&[TD1[0], TD1[1]]), None);
}

#[test]
fn format_names() {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(names, ["TD1", "TD2", "TD3", "MRVA", "MRVB", "FRENCH_ID"]);
    assert_eq!(Format::FrenchId.to_string(), "FRENCH_ID");
    assert_eq!(Sex::X.as_str(), "X");
    assert_eq!(CheckField::DateOfBirth.as_str(), "date_of_birth");
}

#[test]
fn check_digits() {
    assert_eq!(check_digit(b"L898902C3"), Some(6));
    assert_eq!(check_digit(b"740812"), Some(2));
    assert_eq!(check_digit(b"120415"), Some(9));
    assert_eq!(check_digit(b"<<<<<<"), Some(0));
    assert_eq!(check_digit(b"l898902C3"), None);
    assert_eq!(check_digit("É".as_bytes()), None);
}

fn error(lines: &[&str]) -> (ParseError, String) {
    let err = parse(lines, today()).unwrap_err();
    let message = err.to_string();
    (err, message)
}

#[test]
fn error_line_count() {
    assert_eq!(error(&[]).1, "0 lines: an MRZ has 2 or 3 lines");
    assert_eq!(
        error(&[TD3[0]]),
        (
            ParseError::LineCount { found: 1 },
            "1 line: an MRZ has 2 or 3 lines".into()
        )
    );
    assert_eq!(error(&[TD1[0]; 4]).0, ParseError::LineCount { found: 4 });
}

#[test]
fn error_alphabet() {
    let (err, message) = error(&[TD3[0], "L898902C36UTO7408122f1204159ZE184226B<<<<<10"]);
    assert_eq!(
        err,
        ParseError::InvalidCharacter {
            ch: 'f',
            line: 2,
            column: 21
        }
    );
    assert_eq!(
        message,
        "character 'f' at line 2, column 21 is not in A-Z 0-9 <"
    );
    // Columns count characters, not bytes.
    let (err, _) = error(&["PéUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3[1]]);
    assert_eq!(
        err,
        ParseError::InvalidCharacter {
            ch: 'é',
            line: 1,
            column: 2
        }
    );
    let (_, message) = error(&[TD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<10\r"]);
    assert_eq!(
        message,
        "character '\\r' at line 2, column 45 is not in A-Z 0-9 <"
    );
    let (err, _) = error(&["P UTO", TD3[1]]);
    assert_eq!(
        err,
        ParseError::InvalidCharacter {
            ch: ' ',
            line: 1,
            column: 2
        }
    );
}

#[test]
fn error_line_length() {
    let short = "L898902C36UTO7408122F1204159ZE184226B<<<<<1";
    let (err, message) = error(&[TD3[0], short]);
    assert_eq!(
        err,
        ParseError::LineLength {
            line: 2,
            found: 43,
            expected: 44
        }
    );
    assert_eq!(message, "line 2 has 43 characters, expected 44");
    let (_, message) = error(&["P<UTO", TD3[1]]);
    assert_eq!(message, "line 1 has 5 characters, expected 44");
    let (_, message) = error(&[TD1[0], TD1[1], "ERIKSSON"]);
    assert_eq!(message, "line 3 has 8 characters, expected 30");
    let (_, message) = error(&[TD3[0], TD2[1]]);
    assert_eq!(message, "line 2 has 36 characters, expected 44");
}

#[test]
fn error_layout() {
    let (err, message) = error(&[TD1[0], TD1[1]]);
    assert_eq!(
        err,
        ParseError::Layout {
            lengths: vec![30, 30]
        }
    );
    assert_eq!(message, "2 lines of 30: not an MRZ layout");
    let (_, message) = error(&[TD3[0], TD3[1], TD3[0]]);
    assert_eq!(message, "3 lines of 44: not an MRZ layout");
    let (_, message) = error(&["ABC", "ABCD"]);
    assert_eq!(message, "2 lines of 3 and 4 characters: not an MRZ layout");
    let (_, message) = error(&["", ""]);
    assert_eq!(message, "2 lines of 0: not an MRZ layout");
}

#[test]
fn error_sex() {
    let (err, message) = error(&[TD3[0], "L898902C36UTO7408122K1204159ZE184226B<<<<<10"]);
    assert_eq!(
        err,
        ParseError::InvalidSex {
            ch: 'K',
            line: 2,
            column: 21
        }
    );
    assert_eq!(message, "sex 'K' at line 2, column 21 is not M, F, X or <");
    let (err, _) = error(&[
        "IDFRAMARTIN<<<<<<<<<<<<<<<<<<<075123",
        "1905750123458JEAN<<PIERRE<<85031721M",
    ]);
    assert_eq!(
        err,
        ParseError::InvalidSex {
            ch: '1',
            line: 2,
            column: 35
        }
    );
}

#[test]
fn error_is_std_error() {
    let err: Box<dyn std::error::Error> = Box::new(ParseError::LineCount { found: 0 });
    assert!(!err.to_string().is_empty());
}

/// Lines of the exact MRZ shapes, so that random text reaches the field code.
fn shaped_lines() -> impl Strategy<Value = Vec<String>> {
    use proptest::collection::vec;
    prop_oneof![
        vec("[A-Z0-9<]{30}", 3),
        vec("[A-Z0-9<]{36}", 2),
        vec("[A-Z0-9<]{44}", 2),
        vec("V[A-Z0-9<]{43}", 2),
        vec("V[A-Z0-9<]{35}", 2),
        vec("IDFRA[A-Z0-9<]{31}", 2),
    ]
}

proptest! {
    #[test]
    fn parse_never_panics_on_any_text(lines in proptest::collection::vec(".{0,50}", 0..6)) {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let _ = parse(&refs, today());
        let _ = detect_format(&refs);
    }

    #[test]
    fn parse_never_panics_on_mrz_alphabet(lines in proptest::collection::vec("[A-Z0-9<]{0,46}", 0..5)) {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let _ = parse(&refs, today());
    }

    #[test]
    fn shaped_text_always_parses(lines in shaped_lines(), y in 1u16..9999, m in 1u8..13, d in 1u8..29) {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let today = Date::new(y, m, d).unwrap();
        match parse(&refs, today) {
            Ok(parsed) => {
                prop_assert_eq!(Some(parsed.format), detect_format(&refs));
                prop_assert!(!parsed.checks.is_empty());
                if let Some(birth) = parsed.fields.date_of_birth {
                    prop_assert!(birth <= today);
                }
            }
            Err(err) => prop_assert!(matches!(err, ParseError::InvalidSex { .. }), "{}", err),
        }
    }

    #[test]
    fn check_digit_is_a_digit(bytes in proptest::collection::vec(any::<u8>(), 0..60)) {
        if let Some(d) = check_digit(&bytes) {
            prop_assert!(d < 10);
        }
    }
}
