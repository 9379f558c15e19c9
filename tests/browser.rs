//! Browser tests of the mounted widget, in headless Chromium (`scripts/test.sh`).
#![cfg(target_arch = "wasm32")]
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;

use flow_widget::js_api::mount;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

wasm_bindgen_test_configure!(run_in_browser);

const ID: &str = "0b7e2f52-3c1d-4a8e-9f60-1d2c3b4a5e6f";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh host element in the page, with an open shadow root as the loader makes it.
fn host() -> (HtmlElement, ShadowRoot) {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    (host, shadow)
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

fn list(codes: &[&str]) -> JsValue {
    codes
        .iter()
        .map(|c| JsValue::from_str(c))
        .collect::<js_sys::Array>()
        .into()
}

/// Lets the reactive system and queued events run.
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback(&resolve)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

fn find(shadow: &ShadowRoot, selector: &str) -> web_sys::Element {
    shadow
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

/// Records the `detail` of every `name` event that reaches `window`.
fn record(name: &str) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            sink.borrow_mut().push(e.detail());
        });
    web_sys::window()
        .unwrap()
        .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    seen
}

fn field(detail: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(detail, &JsValue::from_str(key))
        .unwrap()
        .as_string()
}

#[wasm_bindgen_test]
async fn mounts_session_and_switches_language_live() {
    let (host, shadow) = host();
    let changes = record("flow:localechange");
    let handle = mount(
        host,
        shadow.clone(),
        options(&[
            ("id", JsValue::from_str(ID)),
            ("locale", JsValue::from_str("ru")),
            ("localeList", list(&["en", "ru", "fa"])),
        ]),
    );
    tick().await;

    assert_eq!(handle.session_id(), ID);
    let root = find(&shadow, ".fw-root");
    assert_eq!(root.get_attribute("lang").as_deref(), Some("ru"));
    assert_eq!(root.get_attribute("dir").as_deref(), Some("ltr"));
    assert_eq!(
        find(&shadow, "h1").text_content().unwrap(),
        "Подтверждение личности"
    );
    assert_eq!(shadow.query_selector_all("option").unwrap().length(), 3);
    let link = find(&shadow, "link[rel=stylesheet]");
    assert!(link
        .get_attribute("href")
        .unwrap()
        .ends_with("flow-widget.css"));

    handle.set_locale("fa");
    tick().await;
    assert_eq!(root.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(root.get_attribute("lang").as_deref(), Some("fa"));
    assert_eq!(find(&shadow, "h1").text_content().unwrap(), "احراز هویت");
    let select: web_sys::HtmlSelectElement = find(&shadow, "select").unchecked_into();
    assert_eq!(select.value(), "fa");
    assert_eq!(
        changes.borrow().last().and_then(|d| field(d, "locale")),
        Some("fa".to_owned())
    );

    // A language that is not offered changes nothing.
    let before = changes.borrow().len();
    handle.set_locale("de");
    tick().await;
    assert_eq!(root.get_attribute("lang").as_deref(), Some("fa"));
    assert_eq!(changes.borrow().len(), before);

    handle.destroy();
    assert_eq!(shadow.child_element_count(), 0);
    handle.destroy();
    assert_eq!(shadow.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn kazakh_alias_is_reported_as_listed() {
    let (host, shadow) = host();
    let changes = record("flow:localechange");
    let handle = mount(
        host,
        shadow.clone(),
        options(&[
            ("id", JsValue::from_str(ID)),
            ("locale", JsValue::from_str("en")),
            ("localeList", list(&["en", "kk"])),
        ]),
    );
    tick().await;
    handle.set_locale("kz");
    tick().await;
    assert_eq!(
        find(&shadow, ".fw-root").get_attribute("lang").as_deref(),
        Some("kk")
    );
    assert_eq!(
        changes.borrow().last().and_then(|d| field(d, "locale")),
        Some("kk".to_owned())
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn bad_options_are_shown_in_the_widget_and_reported() {
    let errors = record("flow:error");
    let cases: Vec<(JsValue, &str)> = vec![
        (options(&[]), "missing session id"),
        (options(&[("id", JsValue::from_str("42"))]), "not a UUID"),
        (
            options(&[("id", JsValue::from_f64(42.0))]),
            "must be a string",
        ),
        (
            options(&[
                ("id", JsValue::from_str(ID)),
                ("localeList", JsValue::from_str("en,ru")),
            ]),
            "localeList",
        ),
        (
            options(&[
                ("id", JsValue::from_str(ID)),
                ("locale", JsValue::from_f64(1.0)),
            ]),
            "locale",
        ),
    ];
    for (opts, expected) in cases {
        let (host, shadow) = host();
        let before = errors.borrow().len();
        let handle = mount(host, shadow.clone(), opts);
        tick().await;
        let alert = find(&shadow, "[role=alert]");
        assert!(!alert.text_content().unwrap().is_empty());
        assert!(shadow
            .query_selector("[data-testid=session-id]")
            .unwrap()
            .is_none());
        let seen = errors.borrow();
        assert_eq!(seen.len(), before + 1, "one flow:error for {expected}");
        let detail = &seen[before];
        assert_eq!(field(detail, "type").as_deref(), Some("invalid_options"));
        let text = field(detail, "detail").unwrap();
        assert!(
            text.contains(expected),
            "{text:?} should mention {expected}"
        );
        drop(seen);
        handle.destroy();
    }
}

/// Waits (in reactive ticks) until `selector` shows up in `shadow`.
async fn wait_for(shadow: &ShadowRoot, selector: &str) -> web_sys::Element {
    for _ in 0..200 {
        if let Some(el) = shadow.query_selector(selector).unwrap() {
            return el;
        }
        tick().await;
    }
    panic!("{selector} never appeared");
}

#[wasm_bindgen_test]
async fn an_unknown_session_is_shown_and_reported_once() {
    // The test runner's own server knows no sessions: its 404 is an unknown session.
    let errors = record("flow:error");
    let ready = record("flow:ready");
    let (host, shadow) = host();
    let before = (errors.borrow().len(), ready.borrow().len());
    let handle = mount(
        host,
        shadow.clone(),
        options(&[("id", JsValue::from_str(ID))]),
    );
    assert_eq!(
        errors.borrow().len(),
        before.0,
        "not before startSession returns"
    );
    let alert = wait_for(&shadow, "[role=alert]").await;
    assert_eq!(
        alert.get_attribute("data-error").as_deref(),
        Some("error-not-found")
    );
    assert!(shadow
        .query_selector("[data-testid=retry]")
        .unwrap()
        .is_none());
    let seen = errors.borrow();
    assert_eq!(seen.len(), before.0 + 1);
    assert_eq!(
        field(&seen[before.0], "type").as_deref(),
        Some("session_not_found")
    );
    assert_eq!(field(&seen[before.0], "session_id").as_deref(), Some(ID));
    assert_eq!(
        ready.borrow().len(),
        before.1,
        "no flow:ready without a session"
    );
    drop(seen);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn nothing_is_announced_after_destroy() {
    let errors = record("flow:error");
    let ready = record("flow:ready");
    let (host, shadow) = host();
    let before = (errors.borrow().len(), ready.borrow().len());
    let handle = mount(
        host,
        shadow.clone(),
        options(&[("id", JsValue::from_str(ID))]),
    );
    handle.destroy();
    // Long enough for the bootstrap's answer (a 404 from the runner) to arrive.
    for _ in 0..50 {
        tick().await;
    }
    let late: Vec<Option<String>> = errors.borrow()[before.0..]
        .iter()
        .map(|d| field(d, "type"))
        .collect();
    assert!(late.is_empty(), "events after destroy: {late:?}");
    assert_eq!(ready.borrow().len(), before.1);
    assert_eq!(shadow.child_element_count(), 0);
}
