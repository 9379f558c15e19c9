//! The widget's UI. Components read the widget's state and call back into it; they
//! never touch the host page or `web_sys` beyond their own elements.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

use crate::browser::events;
use crate::i18n::{self, Locale, Offered};
use crate::options::Theme;

/// What the UI needs to know about its widget, shared by its components.
#[derive(Clone)]
pub struct Widget {
    pub host: SendWrapper<web_sys::HtmlElement>,
    pub session_id: String,
    pub locale: ArcRwSignal<Locale>,
    pub offered: Vec<Offered>,
    pub theme: Theme,
    /// `Err` when the widget cannot run; the text is for developers (events, console).
    pub status: Result<(), String>,
}

impl Widget {
    /// Switches the UI language live; the event carries the code as the host listed it.
    /// Returns false (and changes nothing) for a language that is not offered.
    pub fn switch_locale(&self, locale: Locale) -> bool {
        let Some(offered) = self.offered.iter().find(|o| o.locale == locale) else {
            return false;
        };
        if self.locale.get_untracked() != locale {
            self.locale.set(locale);
            events::dispatch(
                &self.host,
                "flow:localechange",
                &[
                    ("session_id", JsValue::from_str(&self.session_id)),
                    ("locale", JsValue::from_str(&offered.code)),
                ],
            );
        }
        true
    }
}

fn t(locale: Locale, id: &str) -> String {
    i18n::message(locale, id)
}

#[component]
pub fn App(widget: Widget) -> impl IntoView {
    let locale = widget.locale.clone();
    let lang = {
        let locale = locale.clone();
        move || locale.get().tag()
    };
    let dir = {
        let locale = locale.clone();
        move || locale.get().dir()
    };
    let title = {
        let locale = locale.clone();
        move || t(locale.get(), "widget-title")
    };
    let body = match widget.status.clone() {
        Ok(()) => view! { <SessionPanel widget=widget.clone() /> }.into_any(),
        Err(_) => view! { <ErrorPanel locale=locale.clone() /> }.into_any(),
    };
    view! {
        <div class="fw-root" part="root" lang=lang dir=dir data-theme=widget.theme.as_str()>
            <header class="fw-header" part="header">
                <h1 class="fw-title" part="title">{title}</h1>
                <LocaleSwitcher widget=widget.clone() />
            </header>
            <main class="fw-main" part="main">{body}</main>
        </div>
    }
}

#[component]
fn LocaleSwitcher(widget: Widget) -> impl IntoView {
    let locale = widget.locale.clone();
    let label = {
        let locale = locale.clone();
        move || t(locale.get(), "language-label")
    };
    let options = widget
        .offered
        .iter()
        .map(|o| {
            let code = o.locale.code();
            let selected = {
                let locale = locale.clone();
                let this = o.locale;
                move || locale.get() == this
            };
            view! {
                <option value=code lang=o.locale.tag() prop:selected=selected>
                    {o.locale.native_name()}
                </option>
            }
        })
        .collect_view();
    let on_change = {
        let widget = widget.clone();
        move |ev: leptos::ev::Event| {
            if let Some(locale) = Locale::parse(&event_target_value(&ev)) {
                widget.switch_locale(locale);
            }
        }
    };
    view! {
        <label class="fw-locale" part="locale-switcher">
            <span class="fw-locale-label">{label}</span>
            <select class="fw-select" data-testid="locale-select" on:change=on_change>
                {options}
            </select>
        </label>
    }
}

#[component]
fn SessionPanel(widget: Widget) -> impl IntoView {
    let locale = widget.locale.clone();
    let label = move || t(locale.get(), "session-label");
    view! {
        <p class="fw-session" part="session">
            <span class="fw-session-label">{label}</span>
            " "
            <code data-testid="session-id" dir="ltr">{widget.session_id.clone()}</code>
        </p>
    }
}

#[component]
fn ErrorPanel(locale: ArcRwSignal<Locale>) -> impl IntoView {
    let title = {
        let locale = locale.clone();
        move || t(locale.get(), "error-title")
    };
    let text = move || t(locale.get(), "error-invalid-id");
    view! {
        <div class="fw-error" part="error" role="alert" data-testid="error">
            <h2 class="fw-error-title">{title}</h2>
            <p>{text}</p>
        </div>
    }
}
