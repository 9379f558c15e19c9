//! The verdict at `finish` (and at expiry): pure, with "today" passed in. The server's
//! read of each MRZ capture was made from the uploaded pixels when the capture arrived
//! (`capture::prepare`); here its lines are parsed again with the day of evaluation,
//! so that century and expiry decisions use that day, and the flow's rules applied.

use flow_protocol::{
    CheckValue, Checks, Document, FailureReason, FlowConfig, Reason, ReasonType, Status, Technology,
};
use kyc_vision::mrz::parse::parse;
use kyc_vision::{Date, Parsed};
use serde::{Deserialize, Serialize};

use super::capture::CaptureAnalysis;
use super::steps::is_card;
use flow_protocol::StepId;

/// What `finish` stores: the status it decided and one block per technology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub status: Status,
    pub overall_result: bool,
    pub blocks: Vec<Block>,
    pub failure_reasons: Vec<FailureReason>,
}

/// One technology's verdict, with capture ids where the result document shows images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub technology: Technology,
    pub result: bool,
    pub failure_reason: Option<Reason>,
    pub document: Option<Document>,
    pub checks: Checks,
    pub mrz_capture: Option<String>,
    pub other_capture: Option<String>,
}

/// A step's accepted capture, as evaluation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub capture_id: String,
    pub analysis: CaptureAnalysis,
    pub client_mrz: Option<Vec<String>>,
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Accepted(Accepted),
    /// `unverified`: the rejection that spent the last attempt, when it read a complete
    /// MRZ whose check digits fail (`CaptureAnalysis::unverified`). For the MRZ side,
    /// such a read is the document's verdict: rejected with `mrz_check_digit_mismatch`.
    AttemptsExceeded {
        attempts: u32,
        unverified: Option<Accepted>,
    },
    /// No capture (only reachable when `finish` is forced, e.g. by tests).
    Missing,
}

/// A block's verdict before it is written out: `Undecided` fails the session.
enum Verdict {
    Decided(Block),
    Undecided(Block),
}

pub fn evaluate(
    technologies: &[Technology],
    config: &FlowConfig,
    today: Date,
    mrz_side: &Outcome,
    other_side: &Outcome,
) -> Evaluation {
    let verdicts: Vec<Verdict> = technologies
        .iter()
        .map(|&tech| technology_verdict(tech, config, today, mrz_side, other_side))
        .collect();
    let decided = verdicts.iter().all(|v| matches!(v, Verdict::Decided(_)));
    let blocks: Vec<Block> = verdicts
        .into_iter()
        .map(|v| match v {
            Verdict::Decided(b) | Verdict::Undecided(b) => b,
        })
        .collect();
    finish(blocks, decided)
}

/// Every technology fails with `session_expired`: the lifetime passed before `finish`.
pub fn expired(technologies: &[Technology]) -> Evaluation {
    let blocks = technologies
        .iter()
        .map(|&tech| {
            let mut block = empty_block(tech);
            block.failure_reason = Some(Reason {
                kind: ReasonType::SessionExpired,
                detail: "the session's lifetime passed before it was finished".to_owned(),
            });
            block
        })
        .collect();
    finish(blocks, false)
}

fn finish(blocks: Vec<Block>, decided: bool) -> Evaluation {
    let failure_reasons = blocks
        .iter()
        .filter_map(|b| {
            b.failure_reason.as_ref().map(|r| FailureReason {
                kind: r.kind,
                detail: r.detail.clone(),
                technology: b.technology,
            })
        })
        .collect();
    Evaluation {
        status: if decided {
            Status::Finished
        } else {
            Status::Failed
        },
        overall_result: decided && blocks.iter().all(|b| b.result),
        blocks,
        failure_reasons,
    }
}

fn empty_block(technology: Technology) -> Block {
    let rule = technology
        .is_doc_recognition()
        .then_some(CheckValue::NotApplied);
    Block {
        technology,
        result: false,
        failure_reason: None,
        document: None,
        checks: Checks {
            mrz_check_digits: CheckValue::NotApplied,
            not_expired: rule,
            holder_age: rule,
            country_allowed: rule,
            document_type_allowed: rule,
            image_quality: rule,
            client_server_agreement: rule,
        },
        mrz_capture: None,
        other_capture: None,
    }
}

fn reason(kind: ReasonType, detail: impl Into<String>) -> Option<Reason> {
    Some(Reason {
        kind,
        detail: detail.into(),
    })
}

fn technology_verdict(
    tech: Technology,
    config: &FlowConfig,
    today: Date,
    mrz_side: &Outcome,
    other_side: &Outcome,
) -> Verdict {
    let mut block = empty_block(tech);
    let (capture, lines, unverified) = match mrz_side {
        Outcome::Accepted(c) => (c, c.analysis.mrz.as_deref(), false),
        Outcome::AttemptsExceeded {
            unverified: Some(c),
            ..
        } if c.analysis.unverified.is_some() => (c, c.analysis.unverified.as_deref(), true),
        Outcome::AttemptsExceeded { attempts, .. } => {
            block.failure_reason = reason(
                ReasonType::AttemptsExceeded,
                format!("no capture of the MRZ side was accepted in {attempts} attempts"),
            );
            return Verdict::Undecided(block);
        }
        Outcome::Missing => {
            block.failure_reason = reason(ReasonType::NoCapture, "the MRZ side was not captured");
            return Verdict::Undecided(block);
        }
    };
    block.mrz_capture = Some(capture.capture_id.clone());
    let lines: Vec<&str> = lines
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    let parsed = match parse(&lines, today) {
        Ok(parsed) if !lines.is_empty() => parsed,
        _ if unverified => {
            // Not expected (the lines parsed when the capture arrived): no verdict.
            block.mrz_capture = None;
            block.failure_reason = reason(
                ReasonType::AttemptsExceeded,
                "no capture of the MRZ side was accepted",
            );
            return Verdict::Undecided(block);
        }
        _ => {
            block.failure_reason = reason(
                ReasonType::MrzNotFound,
                "the server found no readable MRZ in the capture",
            );
            return Verdict::Undecided(block);
        }
    };
    block.document = Some(document(&parsed));
    // An unverified read never passes, whatever it parses to now.
    let digits_ok = parsed.valid() && !unverified;
    block.checks.mrz_check_digits = pass(digits_ok);
    if !digits_ok {
        block.failure_reason = reason(
            ReasonType::MrzCheckDigitMismatch,
            "a check digit of the MRZ does not match",
        );
    }
    if !tech.is_doc_recognition() {
        block.result = digits_ok;
        return Verdict::Decided(block);
    }

    // Document recognition: the other side of a card, then the rules in spec order.
    let format = parsed.format.as_str();
    let mut quality_ok = capture.analysis.quality_ok(StepId::MrzSide);
    let mut quality_detail = format!("MRZ side: {}", capture.analysis.quality_problem());
    if is_card(format) {
        match other_side {
            Outcome::Accepted(other) => {
                block.other_capture = Some(other.capture_id.clone());
                if quality_ok && !other.analysis.quality_ok(StepId::OtherSide) {
                    quality_ok = false;
                    quality_detail = format!("other side: {}", other.analysis.quality_problem());
                }
            }
            // A document already rejected by its check digits needs no other side
            // (`finish` does not wait for one).
            _ if unverified => {}
            Outcome::AttemptsExceeded { attempts, .. } => {
                block.failure_reason = reason(
                    ReasonType::AttemptsExceeded,
                    format!(
                        "no capture of the card's other side was accepted in {attempts} attempts"
                    ),
                );
                return Verdict::Undecided(block);
            }
            Outcome::Missing => {
                block.failure_reason = reason(
                    ReasonType::NoCapture,
                    "the card's other side was not captured",
                );
                return Verdict::Undecided(block);
            }
        }
    }
    let fields = &parsed.fields;
    let rules = &config.doc_recognition_config;
    let mut failures: Vec<Option<Reason>> = Vec::new();

    block.checks.not_expired = Some(match (rules.reject_expired, fields.date_of_expiry) {
        (true, Some(expiry)) if expiry < today => {
            failures.push(reason(
                ReasonType::DocumentExpired,
                format!("expired on {expiry}"),
            ));
            CheckValue::Failed
        }
        (true, Some(_)) => CheckValue::Passed,
        // No expiry printed (`<<<<<<`): nothing to be past.
        _ => CheckValue::NotApplied,
    });
    block.checks.holder_age = Some(match (rules.minimal_holder_age, fields.date_of_birth) {
        (None, _) => CheckValue::NotApplied,
        (Some(min), Some(birth)) => {
            let age = birth.whole_years_until(today);
            if age >= i32::try_from(min).unwrap_or(i32::MAX) {
                CheckValue::Passed
            } else {
                failures.push(reason(
                    ReasonType::HolderTooYoung,
                    format!("the holder is {age}; the minimum is {min}"),
                ));
                CheckValue::Failed
            }
        }
        // An age rule cannot be met by a birth date that is not fully printed.
        (Some(min), None) => {
            failures.push(reason(
                ReasonType::HolderTooYoung,
                format!("the date of birth is not fully printed; the minimum age is {min}"),
            ));
            CheckValue::Failed
        }
    });
    block.checks.country_allowed = Some(match &rules.allowed_countries {
        None => CheckValue::NotApplied,
        Some(list) if list.contains(&fields.issuing_country) => CheckValue::Passed,
        Some(_) => {
            failures.push(reason(
                ReasonType::CountryNotAllowed,
                format!("issuing state {} is not allowed", fields.issuing_country),
            ));
            CheckValue::Failed
        }
    });
    block.checks.document_type_allowed = Some(match &rules.allowed_document_types {
        None => CheckValue::NotApplied,
        Some(list) if list.iter().any(|t| t == format) => CheckValue::Passed,
        Some(_) => {
            failures.push(reason(
                ReasonType::DocumentTypeNotAllowed,
                format!("document type {format} is not allowed"),
            ));
            CheckValue::Failed
        }
    });
    block.checks.image_quality = Some(if quality_ok {
        CheckValue::Passed
    } else {
        failures.push(reason(ReasonType::ImageQuality, quality_detail));
        CheckValue::Failed
    });
    block.checks.client_server_agreement = Some(match &capture.client_mrz {
        Some(client) if !client.is_empty() => {
            if agrees(client, &parsed.lines) {
                CheckValue::Passed
            } else {
                failures.push(reason(
                    ReasonType::ClientServerMismatch,
                    "the widget's MRZ read differs from the server's",
                ));
                CheckValue::Failed
            }
        }
        _ => CheckValue::NotApplied,
    });

    if block.failure_reason.is_none() {
        block.failure_reason = failures.into_iter().flatten().next();
    }
    block.result = block.failure_reason.is_none();
    Verdict::Decided(block)
}

fn pass(ok: bool) -> CheckValue {
    if ok {
        CheckValue::Passed
    } else {
        CheckValue::Failed
    }
}

/// The client's lines against the server's, ignoring case and surrounding spaces.
fn agrees(client: &[String], server: &[String]) -> bool {
    client.len() == server.len()
        && client
            .iter()
            .zip(server)
            .all(|(c, s)| c.trim().eq_ignore_ascii_case(s.trim()))
}

pub fn document(parsed: &Parsed) -> Document {
    let f = &parsed.fields;
    Document {
        format: parsed.format.as_str().to_owned(),
        document_code: f.document_code.clone(),
        issuing_country: f.issuing_country.clone(),
        document_number: f.document_number.clone(),
        surname: f.surname.clone(),
        given_names: f.given_names.clone(),
        nationality: f.nationality.clone(),
        date_of_birth: f.date_of_birth.map(|d| d.to_string()),
        date_of_birth_raw: f.date_of_birth_raw.clone(),
        sex: f.sex.as_str().to_owned(),
        date_of_expiry: f.date_of_expiry.map(|d| d.to_string()),
        date_of_expiry_raw: f.date_of_expiry_raw.clone(),
        optional_data: f.optional_data.clone(),
        optional_data_2: f.optional_data_2.clone(),
        mrz: parsed.lines.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];
    const TD1: [&str; 3] = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ];

    fn day(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn analysis(lines: &[&str], sharp: bool) -> CaptureAnalysis {
        CaptureAnalysis {
            width: 1280,
            height: 720,
            blur_score: if sharp { 0.9 } else { 0.1 },
            blurry: !sharp,
            glare_fraction: 0.0,
            glare: false,
            glare_over_mrz: false,
            exposure: "ok".into(),
            mrz_located: true,
            mrz: Some(lines.iter().map(|l| l.to_string()).collect()),
            format: None,
            unverified: None,
        }
    }

    fn accepted(lines: &[&str], client: Option<&[&str]>) -> Outcome {
        Outcome::Accepted(Accepted {
            capture_id: "c1".into(),
            analysis: analysis(lines, true),
            client_mrz: client.map(|c| c.iter().map(|l| l.to_string()).collect()),
        })
    }

    const BOTH: [Technology; 2] = [Technology::Mrz, Technology::DocumentRecognition];

    #[test]
    fn the_specimen_is_finished_but_expired() {
        let eval = evaluate(
            &BOTH,
            &FlowConfig::default(),
            day("2026-11-22"),
            &accepted(&TD3, Some(&TD3)),
            &Outcome::Missing,
        );
        assert_eq!(eval.status, Status::Finished);
        assert!(!eval.overall_result);
        let [mrz, doc] = eval.blocks.as_slice() else {
            panic!("two blocks")
        };
        assert!(mrz.result);
        assert_eq!(mrz.checks.not_expired, None);
        assert!(!doc.result);
        assert_eq!(doc.checks.not_expired, Some(CheckValue::Failed));
        assert_eq!(doc.checks.client_server_agreement, Some(CheckValue::Passed));
        assert_eq!(doc.checks.holder_age, Some(CheckValue::NotApplied));
        let reason = doc.failure_reason.as_ref().unwrap();
        assert_eq!(reason.kind, ReasonType::DocumentExpired);
        assert_eq!(reason.detail, "expired on 2012-04-15");
        assert_eq!(eval.failure_reasons.len(), 1);
        assert_eq!(
            doc.document.as_ref().unwrap().date_of_birth.as_deref(),
            Some("1974-08-12")
        );
    }

    #[test]
    fn rules_pass_and_fail() {
        let mut config = FlowConfig::default();
        config.doc_recognition_config.reject_expired = false;
        config.doc_recognition_config.minimal_holder_age = Some(18);
        config.doc_recognition_config.allowed_countries = Some(vec!["UTO".into()]);
        config.doc_recognition_config.allowed_document_types = Some(vec!["TD3".into()]);
        let today = day("2026-11-22");
        let ok = evaluate(
            &BOTH,
            &config,
            today,
            &accepted(&TD3, None),
            &Outcome::Missing,
        );
        assert!(ok.overall_result, "{ok:?}");
        let doc = &ok.blocks[1];
        assert_eq!(
            doc.checks.client_server_agreement,
            Some(CheckValue::NotApplied)
        );
        assert_eq!(doc.checks.country_allowed, Some(CheckValue::Passed));

        config.doc_recognition_config.minimal_holder_age = Some(60);
        let young = evaluate(
            &BOTH,
            &config,
            today,
            &accepted(&TD3, None),
            &Outcome::Missing,
        );
        assert_eq!(
            young.blocks[1].failure_reason.as_ref().unwrap().kind,
            ReasonType::HolderTooYoung
        );
        assert_eq!(young.status, Status::Finished);

        config.doc_recognition_config.minimal_holder_age = None;
        config.doc_recognition_config.allowed_countries = Some(vec!["D".into()]);
        let country = evaluate(
            &BOTH,
            &config,
            today,
            &accepted(&TD3, None),
            &Outcome::Missing,
        );
        assert_eq!(
            country.failure_reasons[0].kind,
            ReasonType::CountryNotAllowed
        );
        assert_eq!(
            country.failure_reasons[0].technology,
            Technology::DocumentRecognition
        );

        let lying = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "X"];
        let mismatch = evaluate(
            &BOTH,
            &FlowConfig::default(),
            today,
            &accepted(&TD3, Some(&lying)),
            &Outcome::Missing,
        );
        assert_eq!(
            mismatch.blocks[1].checks.client_server_agreement,
            Some(CheckValue::Failed)
        );
    }

    #[test]
    fn spent_attempts_with_an_unverified_read_reject_the_document() {
        // The specimen with its document number's check digit changed (6 → 7).
        let wrong = [
            TD1[0].replacen("D231458907", "D231458908", 1),
            TD1[1].to_owned(),
            TD1[2].to_owned(),
        ];
        let lines: Vec<&str> = wrong.iter().map(String::as_str).collect();
        let today = day("2010-01-01");
        assert!(!parse(&lines, today).unwrap().valid());
        let mut last = analysis(&[], true);
        last.mrz = None;
        last.unverified = Some(wrong.to_vec());
        let spent = Outcome::AttemptsExceeded {
            attempts: 3,
            unverified: Some(Accepted {
                capture_id: "c3".into(),
                analysis: last,
                client_mrz: None,
            }),
        };
        // A card: its other side is not needed once the document is rejected.
        let eval = evaluate(
            &BOTH,
            &FlowConfig::default(),
            today,
            &spent,
            &Outcome::Missing,
        );
        assert_eq!(eval.status, Status::Finished, "{eval:?}");
        assert!(!eval.overall_result);
        assert_eq!(eval.failure_reasons.len(), 2);
        for block in &eval.blocks {
            assert!(!block.result);
            assert_eq!(
                block.failure_reason.as_ref().unwrap().kind,
                ReasonType::MrzCheckDigitMismatch
            );
            assert_eq!(block.checks.mrz_check_digits, CheckValue::Failed);
            assert_eq!(block.mrz_capture.as_deref(), Some("c3"));
            let document = block.document.as_ref().unwrap();
            assert_eq!(document.document_number, "D23145890");
            assert_eq!(document.surname, "ERIKSSON");
            assert_eq!(document.mrz, wrong);
        }
        // Without the unverified read, spent attempts still fail the session.
        let plain = Outcome::AttemptsExceeded {
            attempts: 3,
            unverified: None,
        };
        let eval = evaluate(
            &BOTH,
            &FlowConfig::default(),
            today,
            &plain,
            &Outcome::Missing,
        );
        assert_eq!(eval.status, Status::Failed);
        assert_eq!(eval.failure_reasons[0].kind, ReasonType::AttemptsExceeded);
    }

    #[test]
    fn cards_need_their_other_side_and_failures_fail_the_session() {
        let today = day("2010-01-01");
        let pending = evaluate(
            &BOTH,
            &FlowConfig::default(),
            today,
            &accepted(&TD1, None),
            &Outcome::AttemptsExceeded {
                attempts: 3,
                unverified: None,
            },
        );
        assert_eq!(pending.status, Status::Failed);
        assert!(!pending.overall_result);
        assert!(
            pending.blocks[0].result,
            "the MRZ block still has its verdict"
        );
        assert_eq!(
            pending.blocks[1].failure_reason.as_ref().unwrap().kind,
            ReasonType::AttemptsExceeded
        );
        let other = Outcome::Accepted(Accepted {
            capture_id: "c2".into(),
            analysis: analysis(&[], false),
            client_mrz: None,
        });
        let blurry_back = evaluate(
            &BOTH,
            &FlowConfig::default(),
            today,
            &accepted(&TD1, None),
            &other,
        );
        assert_eq!(blurry_back.status, Status::Finished);
        assert_eq!(
            blurry_back.blocks[1].checks.image_quality,
            Some(CheckValue::Failed)
        );
        assert_eq!(blurry_back.blocks[1].other_capture.as_deref(), Some("c2"));

        let failed = evaluate(
            &[Technology::Mrz],
            &FlowConfig::default(),
            today,
            &Outcome::AttemptsExceeded {
                attempts: 3,
                unverified: None,
            },
            &Outcome::Missing,
        );
        assert_eq!(failed.status, Status::Failed);
        assert_eq!(failed.failure_reasons[0].kind, ReasonType::AttemptsExceeded);

        let expired = expired(&BOTH);
        assert_eq!(expired.status, Status::Failed);
        assert_eq!(expired.failure_reasons.len(), 2);
        assert!(expired
            .failure_reasons
            .iter()
            .all(|r| r.kind == ReasonType::SessionExpired));
    }
}
