//! The screens of a running session, one per `flow::Screen`: intro, camera, no camera
//! (with photo upload), review, sending, done. They show the flow's state and call
//! back into it; focus moves to each new screen's heading.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use flow_protocol::StepKind;

use crate::flow::{Flow, Screen};
use crate::i18n::{self, Locale};

use super::{t, Widget};

/// A 0–1 coordinate on the overlay's 0–1000 grid. Integers: float formatting would
/// add its code to the wasm for this alone.
fn permille(v: f32) -> i32 {
    (v * 1000.0).round() as i32
}

/// A number in the locale's digits (Persian digits for `fa`), via `Intl`.
fn number(locale: Locale, n: usize) -> String {
    String::from(js_sys::Number::from(n as f64).to_locale_string(locale.tag()))
}

/// A screen heading that takes focus when it appears, so keyboard and screen-reader
/// users land on the new screen.
#[component]
fn Heading(text: Signal<String>, #[prop(optional)] focus: bool) -> impl IntoView {
    let node = NodeRef::<html::H2>::new();
    if focus {
        node.on_load(|el| {
            let _ = el.focus();
        });
    }
    view! { <h2 class="fw-heading" tabindex="-1" node_ref=node>{text}</h2> }
}

fn text(locale: &ArcRwSignal<Locale>, id: &'static str) -> Signal<String> {
    let locale = locale.clone();
    Signal::derive(move || t(locale.get(), id))
}

#[component]
pub fn Journey(widget: Widget, flow: Flow) -> impl IntoView {
    let screen = flow.screen.clone();
    move || {
        let w = widget.clone();
        let f = flow.clone();
        match screen.get() {
            Screen::Intro => view! { <Intro widget=w flow=f /> }.into_any(),
            Screen::Starting { step } => {
                view! { <Starting widget=w flow=f step=step /> }.into_any()
            }
            Screen::Live { step } => view! { <LiveStep widget=w flow=f step=step /> }.into_any(),
            Screen::NoCamera { step, denied } => {
                view! { <NoCamera widget=w flow=f step=step denied=denied /> }.into_any()
            }
            Screen::Review { step, preview } => {
                view! { <Review widget=w flow=f step=step preview=preview /> }.into_any()
            }
            Screen::Sending => view! { <Sending widget=w flow=f /> }.into_any(),
            Screen::Done => view! { <Done widget=w /> }.into_any(),
            Screen::Failed(message) => view! { <Failed widget=w message=message /> }.into_any(),
        }
    }
}

#[component]
fn Intro(widget: Widget, flow: Flow) -> impl IntoView {
    let locale = widget.locale.clone();
    let steps = flow
        .steps()
        .iter()
        .map(|step| {
            let key = match step.kind {
                StepKind::DocumentMrz => "step-document-mrz",
                StepKind::DocumentOtherSide => "step-document-other-side",
            };
            view! { <li class="fw-step" data-testid="intro-step">{text(&locale, key)}</li> }
        })
        .collect_view();
    let start = {
        let flow = flow.clone();
        move |_| flow.start()
    };
    view! {
        <section class="fw-intro" part="intro" data-testid="intro">
            <h2 class="fw-heading">{flow.boot().display_name.clone()}</h2>
            <p>{text(&locale, "intro-lead")}</p>
            <ol class="fw-steps" part="steps">{steps}</ol>
            <p class="fw-hint">{text(&locale, "camera-permission-hint")}</p>
            <button type="button" class="fw-button fw-primary" part="button primary-button" data-testid="start" on:click=start>
                {text(&locale, "start")}
            </button>
            <p class="fw-session" part="session">
                <span class="fw-session-label">{text(&locale, "session-label")}</span>
                " "
                <code data-testid="session-id" dir="ltr">{widget.session_id.clone()}</code>
            </p>
        </section>
    }
}

/// "Step 1 of 2" and the step's title.
#[component]
fn StepTitle(widget: Widget, flow: Flow, step: usize) -> impl IntoView {
    let locale = widget.locale.clone();
    let (index, count) = flow.position(step);
    let progress = {
        let locale = locale.clone();
        move || {
            let l = locale.get();
            i18n::message_with(
                l,
                "step-progress",
                &[("index", number(l, index + 1)), ("count", number(l, count))],
            )
        }
    };
    let title = match flow.steps()[step].kind {
        StepKind::DocumentMrz => "capture-mrz-title",
        StepKind::DocumentOtherSide => "capture-other-title",
    };
    view! {
        <p class="fw-progress" part="step-progress" data-testid="step-progress">{progress}</p>
        <Heading text=text(&locale, title) focus=true />
    }
}

/// The retake reason, if the server refused this step's last capture.
#[component]
fn Notice(widget: Widget, flow: Flow) -> impl IntoView {
    let locale = widget.locale.clone();
    let notice = flow.notice.clone();
    move || {
        notice.get().map(|id| {
            let locale = locale.clone();
            view! {
                <div class="fw-notice" part="notice" role="alert" data-testid="notice" data-notice=id>
                    <strong>{text(&locale, "photo-rejected-title")}</strong>
                    " "
                    {move || t(locale.get(), id)}
                </div>
            }
        })
    }
}

#[component]
fn Starting(widget: Widget, flow: Flow, step: usize) -> impl IntoView {
    let locale = widget.locale.clone();
    view! {
        <section class="fw-capture" part="capture" data-testid="starting">
            <StepTitle widget=widget.clone() flow=flow step=step />
            <p class="fw-loading" role="status">{text(&locale, "camera-starting")}</p>
        </section>
    }
}

/// The photo-upload button: a real file input, labelled, operable by keyboard.
#[component]
fn PhotoInput(widget: Widget, flow: Flow, step: usize) -> impl IntoView {
    let locale = widget.locale.clone();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            flow.use_photo(step, file.into());
        }
        input.set_value("");
    };
    view! {
        <label class="fw-button fw-file" part="button upload-button">
            <input
                type="file"
                class="fw-visually-hidden"
                accept="image/jpeg,image/png,image/webp"
                data-testid="photo-input"
                on:change=on_change
            />
            {text(&locale, "upload-photo")}
        </label>
    }
}

#[component]
fn LiveStep(widget: Widget, flow: Flow, step: usize) -> impl IntoView {
    let locale = widget.locale.clone();
    let video = NodeRef::<html::Video>::new();
    {
        let flow = flow.clone();
        video.on_load(move |el| flow.attach_video(step, &el));
    }
    {
        let flow = flow.clone();
        on_cleanup(move || flow.detach_video());
    }
    let hint = {
        let (hint, locale) = (flow.view.hint.clone(), locale.clone());
        move || {
            hint.get()
                .map(|h| t(locale.get(), h.message()))
                .unwrap_or_default()
        }
    };
    let outline = {
        let outline = flow.view.outline.clone();
        move || {
            outline.get().map(|corners| {
                let points = corners
                    .iter()
                    .map(|(x, y)| format!("{},{}", permille(*x), permille(*y)))
                    .collect::<Vec<_>>()
                    .join(" ");
                view! { <polygon class="fw-mrz-outline" points=points /> }
            })
        }
    };
    let shutter = {
        let (flow, locale, shown) = (flow.clone(), locale.clone(), flow.shutter.clone());
        move || {
            shown.get().then(|| {
                let flow = flow.clone();
                view! {
                    <p class="fw-hint">{text(&locale, "shutter-hint")}</p>
                    <button type="button" class="fw-button fw-primary" part="button shutter" data-testid="shutter" on:click=move |_| flow.shoot()>
                        {text(&locale, "shutter")}
                    </button>
                }
            })
        }
    };
    let torch = {
        let (flow, locale) = (flow.clone(), locale.clone());
        move || {
            flow.torch.get().map(|on| {
                let flow = flow.clone();
                let label = if on { "torch-off" } else { "torch-on" };
                view! {
                    <button type="button" class="fw-button" part="button torch" aria-pressed=on.to_string() on:click=move |_| flow.toggle_torch()>
                        {text(&locale, label)}
                    </button>
                }
            })
        }
    };
    let switch = {
        let (flow, locale) = (flow.clone(), locale.clone());
        move || {
            (flow.cameras.get() > 1).then(|| {
                let flow = flow.clone();
                view! {
                    <button type="button" class="fw-button" part="button switch-camera" data-testid="switch-camera" on:click=move |_| flow.switch_camera()>
                        {text(&locale, "switch-camera")}
                    </button>
                }
            })
        }
    };
    view! {
        <section class="fw-capture" part="capture" data-testid="live">
            <StepTitle widget=widget.clone() flow=flow.clone() step=step />
            <Notice widget=widget.clone() flow=flow.clone() />
            <div class="fw-viewfinder" part="viewfinder" dir="ltr" role="img" aria-label=text(&locale, "camera-view-label")>
                <video class="fw-video" node_ref=video autoplay=true playsinline=true muted=true></video>
                <svg class="fw-overlay" viewBox="0 0 1000 1000" preserveAspectRatio="none" aria-hidden="true">
                    <rect class="fw-document-frame" x="60" y="100" width="880" height="800" rx="30" />
                    {outline}
                </svg>
            </div>
            <p class="fw-guidance" part="guidance" role="status" aria-live="polite" data-testid="guidance">{hint}</p>
            <UploadStatus widget=widget.clone() flow=flow.clone() />
            <div class="fw-actions" part="actions">
                {shutter}
                {torch}
                {switch}
            </div>
        </section>
    }
}

#[component]
fn NoCamera(widget: Widget, flow: Flow, step: usize, denied: bool) -> impl IntoView {
    let locale = widget.locale.clone();
    let (title, help) = if denied {
        ("camera-denied-title", "camera-denied-help")
    } else {
        ("camera-unavailable-title", "camera-unavailable-help")
    };
    let retry = denied.then(|| {
        let flow = flow.clone();
        view! {
            <button type="button" class="fw-button" part="button" data-testid="camera-retry" on:click=move |_| flow.retry_camera(step)>
                {text(&locale, "camera-retry")}
            </button>
        }
    });
    view! {
        <section class="fw-no-camera" part="no-camera" data-testid="no-camera" data-denied=denied.to_string()>
            <StepTitle widget=widget.clone() flow=flow.clone() step=step />
            <Notice widget=widget.clone() flow=flow.clone() />
            <h3 class="fw-subheading">{text(&widget.locale, title)}</h3>
            <p>{text(&widget.locale, help)}</p>
            <div class="fw-actions" part="actions">
                <PhotoInput widget=widget.clone() flow=flow.clone() step=step />
                {retry}
            </div>
        </section>
    }
}

#[component]
fn Review(widget: Widget, flow: Flow, step: usize, preview: String) -> impl IntoView {
    let locale = widget.locale.clone();
    let (use_it, retake) = (flow.clone(), flow.clone());
    view! {
        <section class="fw-review" part="review" data-testid="review">
            <Heading text=text(&locale, "review-title") focus=true />
            <img class="fw-still" part="still" src=preview alt=text(&locale, "review-image-label") />
            <p class="fw-hint">{text(&locale, "review-hint")}</p>
            <UploadStatus widget=widget.clone() flow=flow.clone() />
            <div class="fw-actions" part="actions">
                <button type="button" class="fw-button fw-primary" part="button primary-button" data-testid="review-use" on:click=move |_| use_it.accept(step)>
                    {text(&locale, "review-use")}
                </button>
                <button type="button" class="fw-button" part="button" data-testid="review-retake" on:click=move |_| retake.retake(step)>
                    {text(&locale, "review-retake")}
                </button>
            </div>
        </section>
    }
}

/// Uploads still going while the user goes on: progress, and whether the network is away.
#[component]
fn UploadStatus(widget: Widget, flow: Flow) -> impl IntoView {
    let locale = widget.locale.clone();
    let progress = flow.progress.clone();
    move || {
        let p = progress.get();
        (p.done < p.total).then(|| {
            let l = locale.get();
            let line = i18n::message_with(l, "uploading", &[("done", number(l, p.done)), ("total", number(l, p.total))]);
            let offline = p.offline.then(|| t(l, "upload-offline"));
            view! {
                <p class="fw-upload-status" part="upload-status" data-testid="upload-status">
                    {line}
                    {offline.map(|o| view! { <span class="fw-offline" data-testid="offline">" " {o}</span> })}
                </p>
            }
        })
    }
}

#[component]
fn Sending(widget: Widget, flow: Flow) -> impl IntoView {
    let locale = widget.locale.clone();
    let progress = flow.progress.clone();
    let line = {
        let (locale, progress) = (locale.clone(), progress.clone());
        move || {
            let l = locale.get();
            let p = progress.get();
            i18n::message_with(
                l,
                "uploading",
                &[("done", number(l, p.done)), ("total", number(l, p.total))],
            )
        }
    };
    let offline = {
        let locale = locale.clone();
        move || {
            progress.get().offline.then(|| view! { <p class="fw-hint" data-testid="offline">{text(&locale, "upload-offline")}</p> })
        }
    };
    let (max, value) = {
        let p = flow.progress.clone();
        let q = flow.progress.clone();
        (
            move || p.get().total.max(1).to_string(),
            move || q.get().done.to_string(),
        )
    };
    view! {
        <section class="fw-sending" part="sending" data-testid="sending">
            <Heading text=Signal::derive(line.clone()) focus=true />
            <progress class="fw-progress-bar" part="progress" max=max value=value aria-label=line></progress>
            {offline}
        </section>
    }
}

#[component]
fn Done(widget: Widget) -> impl IntoView {
    let locale = widget.locale.clone();
    view! {
        <section class="fw-done" part="done" data-testid="done">
            <Heading text=text(&locale, "done-title") focus=true />
            <p>{text(&locale, "done-text")}</p>
        </section>
    }
}

#[component]
fn Failed(widget: Widget, message: &'static str) -> impl IntoView {
    let locale = widget.locale.clone();
    view! {
        <div class="fw-error" part="error" role="alert" data-testid="error" data-error=message>
            <Heading text=text(&locale, "error-title") focus=true />
            <p>{text(&locale, message)}</p>
        </div>
    }
}
