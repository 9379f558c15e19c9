//! Build-time check that every locale file defines exactly the message ids of `en.ftl`:
//! a missing translation is a build error, never a string silently shown in English.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

const LOCALES_DIR: &str = "src/i18n/locales";

fn message_ids(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|line| line.split_once('='))
        .map(|(id, _)| id.trim().to_owned())
        .collect()
}

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed={LOCALES_DIR}");
    let dir = Path::new(LOCALES_DIR);
    let read = |name: &str| {
        fs::read_to_string(dir.join(name)).map_err(|e| format!("{LOCALES_DIR}/{name}: {e}"))
    };
    let reference = message_ids(&read("en.ftl")?);
    let mut problems = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("{LOCALES_DIR}: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".ftl") {
            continue;
        }
        println!("cargo:rerun-if-changed={LOCALES_DIR}/{name}");
        let ids = message_ids(&read(&name)?);
        for missing in reference.difference(&ids) {
            problems.push(format!("{name}: missing `{missing}`"));
        }
        for extra in ids.difference(&reference) {
            problems.push(format!("{name}: `{extra}` is not in en.ftl"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "locale files disagree:\n  {}",
            problems.join("\n  ")
        ))
    }
}
