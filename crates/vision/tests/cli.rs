//! The `kyc-vision` command line against its contract (`shared/spec/vision.md`).
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kyc-vision"))
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

#[test]
fn parse_reads_paragraphs_and_reports_every_check() {
    let input = format!(
        "{TD3}\n\n{TD1}\n\nP<UTOERIKSSON<<ANNA\nSHORT\n\n{}\n",
        TD3.replace("C36", "C37")
    );
    let out = run_with_stdin(&["parse", "--today", "2026-11-22"], &input);
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["format"], "TD3");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["fields"]["document_number"], "L898902C3");
    assert_eq!(lines[0]["fields"]["date_of_expiry"], "2012-04-15");
    assert_eq!(lines[0]["fields"]["date_of_birth_raw"], "740812");
    assert_eq!(lines[0]["fields"]["optional_data_2"], Value::Null);
    let checks = lines[0]["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["ok"] == true));
    assert_eq!(checks[0]["field"], "document_number");
    assert_eq!(lines[1]["format"], "TD1");
    assert_eq!(lines[1]["valid"], true);
    // Not an MRZ layout: an error on its line, the run goes on.
    assert_eq!(lines[2]["valid"], false);
    assert!(lines[2]["error"].as_str().unwrap().contains("characters"));
    // A wrong check digit: parsed, not valid, the failing check named. No repair.
    assert_eq!(lines[3]["valid"], false);
    assert_eq!(lines[3]["fields"]["document_number"], "L898902C3");
    let failing: Vec<&Value> = lines[3]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .collect();
    assert_eq!(failing[0]["field"], "document_number");
}

#[test]
fn read_gives_one_line_per_file_and_errors_in_place() {
    let frames = frames_dir();
    let first = frames.join("mixed-16-0000.jpg");
    let bogus = std::env::temp_dir().join("kyc-vision-cli-not-an-image.jpg");
    std::fs::write(&bogus, b"this is not a JPEG").unwrap();
    let missing = frames.join("no-such-frame.jpg");
    let out = bin()
        .args(["read", "--json", "--today", "2026-11-22"])
        .arg(&first)
        .arg(&bogus)
        .arg(&missing)
        .output()
        .unwrap();
    assert!(out.status.success(), "a bad file is not a usage error");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    let ok = &lines[0];
    for key in [
        "file",
        "width",
        "height",
        "format",
        "mrz",
        "valid",
        "fields",
        "quad",
        "blurry",
        "blur_score",
        "glare",
        "glare_over_mrz",
        "glare_fraction",
        "exposure",
        "ms",
        "decode_ms",
    ] {
        assert!(ok.get(key).is_some(), "missing {key}");
    }
    assert_eq!(ok["width"], 1280);
    assert!(lines[1]["error"].is_string());
    assert!(lines[2]["error"].is_string());
    std::fs::remove_file(bogus).ok();
}

#[test]
fn frames_mode_adds_index_and_fused_read() {
    let seq = frames_dir().join("seq-001");
    let out = bin()
        .args(["read", "--json", "--today", "2026-11-22", "--frames"])
        .arg(&seq)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 8, "images only, truth.jsonl skipped");
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["frame_index"], i);
        assert!(l["fused"]["stable"].is_boolean());
    }
}

#[test]
fn usage_errors_exit_non_zero() {
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["read"],
        vec!["read", "--today", "2026-13-40", "x.jpg"],
        vec!["read", "--bogus"],
        vec!["parse", "file.txt"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
    }
}

/// From the run-time `CARGO_MANIFEST_DIR`, as in `frames.rs`.
fn frames_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
        .join("../../tests/data/frames")
}
