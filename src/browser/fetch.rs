//! `fetch` for the widget's calls to its session server: no cookies and no credentials
//! (the session id in the URL is the widget's only credential), JSON in.

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, RequestMode, Response};

/// Why a request gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No HTTP answer at all (offline, DNS, CORS refusal, server down).
    Network(String),
    /// An HTTP answer outside 2xx.
    Status(u16),
    /// A 2xx answer whose body is not the expected JSON.
    Body(String),
}

fn describe(err: JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "request failed".to_owned())
}

/// GETs `url` and decodes its JSON body.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, FetchError> {
    let response = send(url, "GET", &[], None).await?;
    decode(response).await
}

/// Sends `body` with `method` and `headers`; decodes a 2xx answer's JSON body.
pub async fn send_json<T: DeserializeOwned>(
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: &JsValue,
) -> Result<T, FetchError> {
    let response = send(url, method, headers, Some(body)).await?;
    decode(response).await
}

/// Sends a request; a 2xx answer is returned as it is.
pub async fn send(
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&JsValue>,
) -> Result<Response, FetchError> {
    let window = web_sys::window().ok_or_else(|| FetchError::Network("no window".into()))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    if !headers.is_empty() {
        let h = Headers::new().map_err(|e| FetchError::Network(describe(e)))?;
        for (name, value) in headers {
            h.set(name, value)
                .map_err(|e| FetchError::Network(describe(e)))?;
        }
        init.set_headers(&h);
    }
    if let Some(body) = body {
        init.set_body(body);
    }
    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| FetchError::Network(describe(e)))?;
    let response: Response = answer
        .dyn_into()
        .map_err(|_| FetchError::Network("not a Response".into()))?;
    if !response.ok() {
        return Err(FetchError::Status(response.status()));
    }
    Ok(response)
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, FetchError> {
    let json = response.json().map_err(|e| FetchError::Body(describe(e)))?;
    let value = JsFuture::from(json)
        .await
        .map_err(|e| FetchError::Body(describe(e)))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| FetchError::Body(e.to_string()))
}

/// `value` as JSON text, through the browser's `JSON.stringify`: the browser formats
/// the numbers, so the widget ships no float-formatting code of its own.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let js = value
        .serialize(&serializer)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::stringify(&js)?
        .as_string()
        .ok_or_else(|| JsValue::from_str("not serialisable"))
}
