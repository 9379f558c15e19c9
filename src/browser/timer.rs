//! Waiting without blocking: a `setTimeout` as a future.

use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds (at once if there is no window).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            if window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
            {
                return;
            }
        }
        let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
    });
    let _ = JsFuture::from(promise).await;
}
