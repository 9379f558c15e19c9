//! `startSession` options, read from the host's JavaScript object and checked once.
//!
//! The loader has already resolved the mount target (a bad one is a `TypeError` there);
//! everything wrong here is reported inside the widget instead, as the spec asks.

use flow_protocol::SessionId;
use wasm_bindgen::{JsCast, JsValue};

/// The colour scheme; `Auto` follows `prefers-color-scheme` in the stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    Auto,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// The raw `id` as given, for events and the handle, even when it is invalid.
    pub raw_id: String,
    /// The parsed id, or why the widget cannot run (`invalid_options`).
    pub id: Result<SessionId, String>,
    pub locale: Option<String>,
    pub locale_list: Option<Vec<String>>,
    pub theme: Theme,
    pub assets_base: String,
    /// Where the session server is (the loader defaults it to the assets' origin).
    pub api_base: String,
    /// Problems that do not stop the widget (an unknown theme), for console warnings.
    pub warnings: Vec<String>,
}

impl Options {
    pub fn from_js(value: &JsValue) -> Options {
        let get = |key: &str| js_sys::Reflect::get(value, &JsValue::from_str(key)).ok();
        let mut problems = Vec::new();
        let mut warnings = Vec::new();

        let raw_id = get("id").and_then(|v| v.as_string());
        let id = match (&raw_id, get("id")) {
            (Some(s), _) => s.parse::<SessionId>().map_err(|e| e.to_string()),
            (None, Some(v)) if !v.is_undefined() && !v.is_null() => {
                Err("session id must be a string".to_owned())
            }
            _ => Err("missing session id".to_owned()),
        };

        let locale = match get("locale") {
            Some(v) if v.is_undefined() || v.is_null() => None,
            Some(v) => match v.as_string() {
                Some(s) => Some(s),
                None => {
                    problems.push("`locale` must be a string".to_owned());
                    None
                }
            },
            None => None,
        };

        let locale_list = match get("localeList") {
            Some(v) if v.is_undefined() || v.is_null() => None,
            Some(v) => match string_array(&v) {
                Some(list) if !list.is_empty() => Some(list),
                _ => {
                    problems.push("`localeList` must be a non-empty array of strings".to_owned());
                    None
                }
            },
            None => None,
        };

        let theme = match get("theme").and_then(|v| v.as_string()).as_deref() {
            None | Some("auto") => Theme::Auto,
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some(other) => {
                warnings.push(format!("unknown theme {other:?}, using \"auto\""));
                Theme::Auto
            }
        };

        let assets_base = get("assetsBase")
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let api_base = get("apiBase")
            .and_then(|v| v.as_string())
            .unwrap_or_default();

        let id = match (id, problems.is_empty()) {
            (Ok(id), true) => Ok(id),
            (Ok(_), false) => Err(problems.join("; ")),
            (Err(e), _) => Err(std::iter::once(e)
                .chain(problems)
                .collect::<Vec<_>>()
                .join("; ")),
        };

        Options {
            raw_id: raw_id.unwrap_or_default(),
            id,
            locale,
            locale_list,
            theme,
            assets_base,
            api_base,
            warnings,
        }
    }
}

fn string_array(value: &JsValue) -> Option<Vec<String>> {
    let array = value.dyn_ref::<js_sys::Array>()?;
    array.iter().map(|v| v.as_string()).collect()
}
