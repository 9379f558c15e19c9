//! The only module that exports to JavaScript. The hand-written loader
//! (`js/loader.js`) resolves the mount target and the shadow root, then calls `mount`;
//! the handle it gets back backs `destroy`, `setLocale` and `sessionId`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::mount::mount_to;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

use crate::browser::events;
use crate::i18n::{self, Locale};
use crate::options::Options;
use crate::ui::{App, Widget};

/// A mounted widget. Dropping the unmount handle removes the view and its listeners.
struct Mounted {
    _view: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    shadow: ShadowRoot,
}

#[wasm_bindgen]
pub struct WidgetHandle {
    mounted: Rc<RefCell<Option<Mounted>>>,
    widget: Widget,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Unmounts the view and empties the shadow root. Idempotent.
    pub fn destroy(&self) {
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

    let widget = Widget {
        host: SendWrapper::new(host.clone()),
        session_id: options.raw_id.clone(),
        locale: ArcRwSignal::new(locale),
        offered,
        theme: options.theme,
        status: options.id.as_ref().map(|_| ()).map_err(Clone::clone),
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
                &widget,
                "internal",
                &format!("cannot build the widget's DOM: {err:?}"),
            );
            None
        }
    };

    // Events go out after `startSession` returns, so listeners added right after the
    // call (as in the platform's snippet) still hear them.
    let announce = widget.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match &announce.status {
            Ok(()) => events::dispatch(
                &announce.host,
                "flow:ready",
                &[("session_id", JsValue::from_str(&announce.session_id))],
            ),
            Err(detail) => report(&announce, "invalid_options", detail),
        }
    });

    WidgetHandle {
        mounted: Rc::new(RefCell::new(mounted)),
        widget,
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

fn report(widget: &Widget, kind: &str, detail: &str) {
    events::dispatch(
        &widget.host,
        "flow:error",
        &[
            ("session_id", JsValue::from_str(&widget.session_id)),
            ("type", JsValue::from_str(kind)),
            ("detail", JsValue::from_str(detail)),
        ],
    );
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
