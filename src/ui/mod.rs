//! The widget's UI. Components read the widget's state and call back into it; they
//! never touch the host page or `web_sys` beyond their own elements.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

mod journey;

use crate::browser::events;
use crate::flow::Flow;
use crate::i18n::{self, Locale, Offered};
use crate::options::Theme;
use crate::session::BootError;
use journey::Journey;

/// Where the widget is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Asking the session server for the session.
    Loading,
    /// The session is open: its flow, from the intro to `finish`.
    Ready(Flow),
    /// The options were unusable (shown with `error-invalid-id`).
    InvalidOptions,
    /// The session cannot run; `Network` offers a retry.
    Failed(BootError),
}

/// What the UI needs to know about its widget, shared by its components.
#[derive(Clone)]
pub struct Widget {
    pub host: SendWrapper<web_sys::HtmlElement>,
    pub session_id: String,
    pub locale: ArcRwSignal<Locale>,
    pub offered: Vec<Offered>,
    pub theme: Theme,
    pub phase: ArcRwSignal<Phase>,
    /// Runs the bootstrap again (after a network failure).
    pub retry: std::sync::Arc<dyn Fn() + Send + Sync>,
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

pub(crate) fn t(locale: Locale, id: &str) -> String {
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
    let body = {
        let widget = widget.clone();
        move || {
            match widget.phase.get() {
            Phase::Loading => view! { <Loading locale=widget.locale.clone() /> }.into_any(),
            Phase::Ready(flow) => view! { <Journey widget=widget.clone() flow=flow /> }.into_any(),
            Phase::InvalidOptions => {
                view! { <ErrorPanel widget=widget.clone() message="error-invalid-id" retry=false /> }
                    .into_any()
            }
            Phase::Failed(err) => {
                let (message, retry) = match err {
                    BootError::NotFound => ("error-not-found", false),
                    BootError::Closed => ("error-closed", false),
                    BootError::Network(_) => ("error-network", true),
                    BootError::Internal(_) => ("error-internal", true),
                };
                view! { <ErrorPanel widget=widget.clone() message=message retry=retry /> }.into_any()
            }
        }
        }
    };
    view! {
        // A labelled region, not `main`/`header`: the widget lives inside the host's
        // landmarks and must not add a second main one.
        <section class="fw-root" part="root" lang=lang dir=dir data-theme=widget.theme.as_str() aria-labelledby="fw-title">
            <div class="fw-header" part="header">
                <h1 class="fw-title" id="fw-title" part="title">{title}</h1>
                <LocaleSwitcher widget=widget.clone() />
            </div>
            <div class="fw-main" part="main">{body}</div>
        </section>
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
fn Loading(locale: ArcRwSignal<Locale>) -> impl IntoView {
    view! {
        <p class="fw-loading" part="loading" role="status" data-testid="loading">
            {move || t(locale.get(), "loading")}
        </p>
    }
}

#[component]
fn ErrorPanel(widget: Widget, message: &'static str, retry: bool) -> impl IntoView {
    let locale = widget.locale.clone();
    let title = {
        let locale = locale.clone();
        move || t(locale.get(), "error-title")
    };
    let text = {
        let locale = locale.clone();
        move || t(locale.get(), message)
    };
    let button = retry.then(|| {
        let run = widget.retry.clone();
        let label = move || t(locale.get(), "retry");
        view! {
            <button type="button" class="fw-button" part="button" data-testid="retry" on:click=move |_| run()>
                {label}
            </button>
        }
    });
    view! {
        <div class="fw-error" part="error" role="alert" data-testid="error" data-error=message>
            <h2 class="fw-error-title">{title}</h2>
            <p>{text}</p>
            {button}
        </div>
    }
}
