//! `kyc-vision`: the vision core on image files, one JSON line per file (the contract is
//! `shared/spec/vision.md`, "CLI contract").
//!
//! ```text
//! kyc-vision read [--json] [--today YYYY-MM-DD] FILE…
//! kyc-vision read [--json] [--today YYYY-MM-DD] --frames DIR
//! kyc-vision parse [--today YYYY-MM-DD] < mrz.txt
//! ```

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use image::{DynamicImage, ImageDecoder, ImageReader};
use kyc_vision::mrz::parse::{self, Parsed};
use kyc_vision::{Analysis, Analyzer, Date, Frame, Fused, PixelFormat};
use serde_json::{json, Value};

const USAGE: &str = "usage:
  kyc-vision read [--json] [--today YYYY-MM-DD] FILE...
  kyc-vision read [--json] [--today YYYY-MM-DD] --frames DIR
  kyc-vision parse [--today YYYY-MM-DD]   (MRZ text on stdin, documents separated by a blank line)";

/// Photos are downscaled to this long side before analysis (spec: "One frame in").
const MAX_LONG_SIDE: u32 = 4000;
/// Decoding refuses images above this many pixels (spec: 40 MP).
const MAX_PIXELS: u64 = 40_000_000;

struct Args {
    json: bool,
    today: Date,
    frames: Option<PathBuf>,
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("kyc-vision: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(argv: &[String]) -> Result<(), String> {
    let (command, rest) = argv.split_first().ok_or("missing command")?;
    let args = parse_args(rest)?;
    match command.as_str() {
        "read" => read(&args),
        "parse" => {
            if args.frames.is_some() || !args.files.is_empty() {
                return Err("parse reads standard input only".into());
            }
            parse_stdin(args.today)
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

fn parse_args(rest: &[String]) -> Result<Args, String> {
    let mut args = Args {
        json: false,
        today: today_utc().ok_or("the system clock is outside the years MRZ dates cover")?,
        frames: None,
        files: Vec::new(),
    };
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => args.json = true,
            "--today" => {
                let v = it.next().ok_or("--today needs a date")?;
                args.today = Date::parse_iso(v).ok_or(format!("--today: not a date: {v:?}"))?;
            }
            "--frames" => {
                args.frames = Some(PathBuf::from(
                    it.next().ok_or("--frames needs a directory")?,
                ));
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            file => args.files.push(PathBuf::from(file)),
        }
    }
    Ok(args)
}

/// The CLI, unlike the library, may read the clock: the default for `--today`.
fn today_utc() -> Option<Date> {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Days since 1970-01-01 to a civil date (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    Date::new(year, month, day)
}

fn read(args: &Args) -> Result<(), String> {
    let mut analyzer = Analyzer::new().map_err(|e| e.to_string())?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if let Some(dir) = &args.frames {
        if !args.files.is_empty() {
            return Err("give either --frames DIR or files".into());
        }
        let files = frame_files(dir)?;
        for (index, file) in files.iter().enumerate() {
            let analysed = decode(file).and_then(|(img, decode_ms)| {
                let start = Instant::now();
                let (analysis, fused) = with_frame(&img, |f| analyzer.push(f, args.today))?;
                Ok((
                    analysis,
                    fused,
                    start.elapsed().as_secs_f64() * 1e3,
                    decode_ms,
                ))
            });
            let line = match analysed {
                Ok((analysis, fused, ms, decode_ms)) => {
                    let mut v = record(file, &analysis, ms, decode_ms);
                    v["frame_index"] = json!(index);
                    v["fused"] = fused_json(&fused);
                    v
                }
                Err(e) => json!({"file": display(file), "frame_index": index, "error": e}),
            };
            emit(&mut out, args.json, &line)?;
        }
        return Ok(());
    }
    if args.files.is_empty() {
        return Err("no files given".into());
    }
    for file in &args.files {
        let analysed = decode(file).and_then(|(img, decode_ms)| {
            let start = Instant::now();
            let analysis = with_frame(&img, |f| analyzer.analyse(f, args.today))?;
            Ok((analysis, start.elapsed().as_secs_f64() * 1e3, decode_ms))
        });
        let line = match analysed {
            Ok((analysis, ms, decode_ms)) => record(file, &analysis, ms, decode_ms),
            Err(e) => json!({"file": display(file), "error": e}),
        };
        emit(&mut out, args.json, &line)?;
    }
    Ok(())
}

/// Image files of a directory, sorted by name (other files, e.g. `truth.jsonl`, skipped).
fn frame_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                matches!(
                    x.to_ascii_lowercase().as_str(),
                    "jpg" | "jpeg" | "png" | "webp"
                )
            })
        })
        .collect();
    files.sort();
    Ok(files)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn decode(path: &Path) -> Result<(image::RgbaImage, f64), String> {
    let start = Instant::now();
    let reader = ImageReader::open(path)
        .map_err(|e| e.to_string())?
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("{w}×{h} exceeds {MAX_PIXELS} pixels"));
    }
    let orientation = decoder.orientation().map_err(|e| e.to_string())?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    img.apply_orientation(orientation);
    let long = img.width().max(img.height());
    if long > MAX_LONG_SIDE {
        let k = MAX_LONG_SIDE as f32 / long as f32;
        img = img.resize(
            (img.width() as f32 * k) as u32,
            (img.height() as f32 * k) as u32,
            image::imageops::FilterType::Triangle,
        );
    }
    let rgba = img.to_rgba8();
    Ok((rgba, start.elapsed().as_secs_f64() * 1e3))
}

fn with_frame<T>(img: &image::RgbaImage, f: impl FnOnce(&Frame) -> T) -> Result<T, String> {
    let frame = Frame::new(img.as_raw(), img.width(), img.height(), PixelFormat::Rgba)
        .map_err(|e| e.to_string())?;
    Ok(f(&frame))
}

fn read_json(read: Option<&Parsed>) -> (Value, Value, Value) {
    match read {
        Some(p) => (
            json!(p.format.as_str()),
            json!(p.lines),
            serde_json::to_value(&p.fields).unwrap_or(Value::Null),
        ),
        None => (Value::Null, Value::Null, Value::Null),
    }
}

fn record(file: &Path, a: &Analysis, ms: f64, decode_ms: f64) -> Value {
    let (format, mrz, fields) = read_json(a.read.as_ref());
    let q = &a.quality;
    json!({
        "file": display(file),
        "width": a.width,
        "height": a.height,
        "format": format,
        "mrz": mrz,
        "valid": a.read.is_some(),
        "fields": fields,
        "quad": a.quad.map(|q| q.as_arrays().map(|[x, y]| [round1(x), round1(y)])),
        "blurry": q.blurry,
        "blur_score": round3(q.blur_score),
        "glare": q.glare,
        "glare_over_mrz": q.glare_over_mrz,
        "glare_fraction": round4(q.glare_fraction),
        "exposure": q.exposure,
        "ms": round3(ms as f32),
        "decode_ms": round3(decode_ms as f32),
    })
}

fn fused_json(f: &Fused) -> Value {
    let (format, mrz, _) = read_json(f.read.as_ref());
    json!({"mrz": mrz, "format": format, "stable": f.stable})
}

fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

fn round3(v: f32) -> f64 {
    (f64::from(v) * 1e3).round() / 1e3
}

fn round4(v: f32) -> f64 {
    (f64::from(v) * 1e4).round() / 1e4
}

fn emit(out: &mut impl Write, json: bool, v: &Value) -> Result<(), String> {
    let text = if json { v.to_string() } else { human(v) };
    writeln!(out, "{text}").map_err(|e| e.to_string())
}

fn human(v: &Value) -> String {
    let file = v["file"].as_str().unwrap_or("?");
    if let Some(e) = v["error"].as_str() {
        return format!("{file}: error: {e}");
    }
    let mrz = match v["mrz"].as_array() {
        Some(lines) => format!(
            "{} {}",
            v["format"].as_str().unwrap_or("?"),
            lines
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" / ")
        ),
        None if v["quad"].is_null() => "no MRZ".to_owned(),
        None => "MRZ found, not read".to_owned(),
    };
    format!(
        "{file}: {mrz}; blur {:.2}{}, glare {:.1}%{}, exposure {} ({:.1} ms)",
        v["blur_score"].as_f64().unwrap_or(0.0),
        if v["blurry"].as_bool() == Some(true) {
            " (blurry)"
        } else {
            ""
        },
        v["glare_fraction"].as_f64().unwrap_or(0.0) * 100.0,
        if v["glare_over_mrz"].as_bool() == Some(true) {
            " over the MRZ"
        } else {
            ""
        },
        v["exposure"].as_str().unwrap_or("?"),
        v["ms"].as_f64().unwrap_or(0.0),
    )
}

fn parse_stdin(today: Date) -> Result<(), String> {
    let stdin = io::stdin();
    let mut docs: Vec<Vec<String>> = vec![Vec::new()];
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| format!("stdin: {e}"))?;
        let line = line.trim_end_matches(['\r', ' ', '\t']).to_owned();
        if line.trim().is_empty() {
            if docs.last().is_some_and(|d| !d.is_empty()) {
                docs.push(Vec::new());
            }
        } else if let Some(doc) = docs.last_mut() {
            doc.push(line);
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for doc in docs.iter().filter(|d| !d.is_empty()) {
        let lines: Vec<&str> = doc.iter().map(String::as_str).collect();
        let v = match parse::parse(&lines, today) {
            Ok(p) => json!({
                "format": p.format.as_str(),
                "valid": p.valid(),
                "fields": serde_json::to_value(&p.fields).unwrap_or(Value::Null),
                "checks": serde_json::to_value(&p.checks).unwrap_or(Value::Null),
            }),
            Err(e) => json!({
                "format": parse::detect_format(&lines).map(|f| f.as_str()),
                "valid": false, "fields": null, "checks": [], "error": e.to_string(),
            }),
        };
        writeln!(out, "{v}").map_err(|e| e.to_string())?;
    }
    Ok(())
}
