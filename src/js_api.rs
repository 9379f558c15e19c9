//! The only module that exports to JavaScript. The hand-written loader
//! (`js/loader.js`) resolves the mount target and the shadow root, then calls `mount`;
//! the handle it gets back backs `destroy`, `setLocale` and `sessionId`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::mount::mount_to;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

use flow_protocol::SessionId;

use crate::browser::events;
use crate::flow::Flow;
use crate::i18n::{self, Locale, Offered};
use crate::options::Options;
use crate::session;
use crate::ui::{App, Phase, Widget};

/// A mounted widget. Dropping the unmount handle removes the view and its listeners.
struct Mounted {
    _view: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    shadow: ShadowRoot,
}

#[wasm_bindgen]
pub struct WidgetHandle {
    mounted: Rc<RefCell<Option<Mounted>>>,
    widget: Widget,
    live: Arc<AtomicBool>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Unmounts the view and empties the shadow root. Idempotent.
    pub fn destroy(&self) {
        self.live.store(false, Ordering::Relaxed);
        if let Phase::Ready(flow) = self.widget.phase.get_untracked() {
            flow.destroy();
        }
        if let Some(mounted) = self.mounted.borrow_mut().take() {
            let Mounted { _view, shadow } = mounted;
            drop(_view);
            shadow.replace_children_with_node_0();
        }
    }

    /// Switches the language live. An unknown or not-offered code changes nothing and
    /// says so on the console, as an unknown `locale` option does.
    #[wasm_bindgen(js_name = setLocale)]
    pub fn set_locale(&self, code: &str) {
        if self.mounted.borrow().is_none() {
            return;
        }
        let switched = Locale::parse(code).is_some_and(|l| self.widget.switch_locale(l));
        if !switched {
            warn(&format!("setLocale: {code:?} is not an offered language"));
        }
    }

    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.widget.session_id.clone()
    }
}

/// Mounts a widget into `shadow` (attached to `host` by the loader) with the host's
/// `options`. Never throws: invalid options are shown in the widget and reported as a
/// `flow:error` event.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, shadow: ShadowRoot, options: JsValue) -> WidgetHandle {
    let options = Options::from_js(&options);
    let (offered, unknown) = i18n::offered(options.locale_list.as_deref());
    for code in &unknown {
        warn(&format!(
            "localeList: unknown language code {code:?} ignored"
        ));
    }
    if let Some(code) = options
        .locale
        .as_deref()
        .filter(|c| Locale::parse(c).is_none())
    {
        warn(&format!(
            "locale: unknown language code {code:?}, negotiating instead"
        ));
    }
    for warning in &options.warnings {
        warn(warning);
    }
    let locale = i18n::negotiate(
        options.locale.as_deref(),
        None,
        &browser_languages(),
        &offered,
    );

    let phase = ArcRwSignal::new(match options.id {
        Ok(_) => Phase::Loading,
        Err(_) => Phase::InvalidOptions,
    });
    let locale = ArcRwSignal::new(locale);
    let host_target = SendWrapper::new(host.clone());
    let live = Arc::new(AtomicBool::new(true));
    let boot = Bootstrapper {
        live: live.clone(),
        host: host_target.clone(),
        raw_id: options.raw_id.clone(),
        id: options.id.clone().ok(),
        api_base: options.api_base.clone(),
        locale_chosen: options
            .locale
            .as_deref()
            .and_then(Locale::parse)
            .is_some_and(|l| offered.iter().any(|o| o.locale == l)),
        locale: locale.clone(),
        offered: offered.clone(),
        phase: phase.clone(),
    };
    let retry = {
        let boot = boot.clone();
        Arc::new(move || boot.start())
    };
    let widget = Widget {
        host: host_target,
        session_id: options.raw_id.clone(),
        locale,
        offered,
        theme: options.theme,
        phase,
        retry,
    };

    shadow.replace_children_with_node_0();
    let mounted = attach(&shadow, &options.assets_base).map(|container| {
        let app_widget = widget.clone();
        Mounted {
            _view: mount_to(container, move || {
                view! { <App widget=app_widget /> }.into_any()
            }),
            shadow: shadow.clone(),
        }
    });
    let mounted = match mounted {
        Ok(m) => Some(m),
        Err(err) => {
            report(
                &widget.host,
                &widget.session_id,
                "internal",
                &format!("cannot build the widget's DOM: {err:?}"),
            );
            None
        }
    };

    // Events go out after `startSession` returns, so listeners added right after the
    // call (as in the platform's snippet) still hear them.
    match &options.id {
        Ok(_) => boot.start(),
        Err(detail) => {
            let (host, id, detail) = (
                widget.host.clone(),
                widget.session_id.clone(),
                detail.clone(),
            );
            let live = live.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if live.load(Ordering::Relaxed) {
                    report(&host, &id, "invalid_options", &detail);
                }
            });
        }
    }

    WidgetHandle {
        mounted: Rc::new(RefCell::new(mounted)),
        widget,
        live,
    }
}

/// Adds the stylesheet link and the element the view mounts into.
fn attach(shadow: &ShadowRoot, assets_base: &str) -> Result<HtmlElement, JsValue> {
    let document = shadow.owner_document().ok_or("no document")?;
    let link: web_sys::HtmlLinkElement = document.create_element("link")?.dyn_into()?;
    link.set_rel("stylesheet");
    link.set_href(&format!("{assets_base}flow-widget.css"));
    shadow.append_child(&link)?;
    let container: HtmlElement = document.create_element("div")?.dyn_into()?;
    container.set_class_name("fw-mount");
    shadow.append_child(&container)?;
    Ok(container)
}

fn report(host: &web_sys::EventTarget, session_id: &str, kind: &str, detail: &str) {
    events::dispatch(
        host,
        "flow:error",
        &[
            ("session_id", JsValue::from_str(session_id)),
            ("type", JsValue::from_str(kind)),
            ("detail", JsValue::from_str(detail)),
        ],
    );
}

/// Fetches the session and moves the widget to its intro (or an error), announcing
/// either to the host page. Cloned into the retry button.
#[derive(Clone)]
struct Bootstrapper {
    host: SendWrapper<HtmlElement>,
    raw_id: String,
    id: Option<SessionId>,
    api_base: String,
    /// The host chose a language: the session's own locale must not override it.
    locale_chosen: bool,
    locale: ArcRwSignal<Locale>,
    offered: Vec<Offered>,
    phase: ArcRwSignal<Phase>,
    /// Cleared by `destroy()`: a bootstrap still in flight then changes and announces
    /// nothing.
    live: Arc<AtomicBool>,
}

impl Bootstrapper {
    fn start(&self) {
        let Some(id) = self.id else {
            return;
        };
        let this = self.clone();
        this.phase.set(Phase::Loading);
        wasm_bindgen_futures::spawn_local(async move {
            let result = session::bootstrap(&this.api_base, &id).await;
            if !this.live.load(Ordering::Relaxed) {
                return;
            }
            match result {
                Ok(boot) => {
                    let session_locale = boot.locale.as_deref().and_then(Locale::parse);
                    if let Some(l) = session_locale.filter(|_| !this.locale_chosen) {
                        if this.offered.iter().any(|o| o.locale == l) {
                            this.locale.set(l);
                        }
                    }
                    let flow = Flow::new(
                        (*this.host).clone(),
                        this.raw_id.clone(),
                        boot,
                        this.api_base.clone(),
                    );
                    let flow = match flow {
                        Ok(flow) => flow,
                        Err(err) => {
                            let detail = err.as_string().unwrap_or_else(|| "cannot start".into());
                            let err = session::BootError::Internal(detail);
                            report(&this.host, &this.raw_id, err.event_type(), &err.detail());
                            this.phase.set(Phase::Failed(err));
                            return;
                        }
                    };
                    this.phase.set(Phase::Ready(flow));
                    events::dispatch(
                        &this.host,
                        "flow:ready",
                        &[("session_id", JsValue::from_str(&this.raw_id))],
                    );
                }
                Err(err) => {
                    report(&this.host, &this.raw_id, err.event_type(), &err.detail());
                    this.phase.set(Phase::Failed(err));
                }
            }
        });
    }
}

fn browser_languages() -> Vec<String> {
    web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|list| list.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default()
}

fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("flow-widget: {message}")));
}
