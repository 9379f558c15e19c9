//! The widget's DOM events: `CustomEvent`s on the host element that bubble and cross
//! the shadow boundary, so a `window` listener sees each exactly once.

use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

/// Dispatches `name` on `target` with a plain-object `detail` built from `fields`.
/// A failure to build or dispatch is logged: an event is a signal to the host, and the
/// widget must go on working without it.
pub fn dispatch(target: &EventTarget, name: &str, fields: &[(&str, JsValue)]) {
    let detail = js_sys::Object::new();
    for (key, value) in fields {
        if js_sys::Reflect::set(&detail, &JsValue::from_str(key), value).is_err() {
            web_sys::console::error_1(&JsValue::from_str("flow-widget: event detail"));
        }
    }
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    match CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => {
            let _ = target.dispatch_event(&event);
        }
        Err(err) => web_sys::console::error_2(&JsValue::from_str("flow-widget: event"), &err),
    }
}
