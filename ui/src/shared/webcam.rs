use gloo_timers::callback::Interval;
use web_sys::{HtmlVideoElement, MediaStream};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::shared::camera;

/// What the webcam panel needs.
#[derive(Properties, PartialEq)]
pub struct WebcamProps {
    /// Receives each captured frame as a JPEG `data:` URL.
    pub on_frame: Callback<String>,
    /// Capture continuously every this many milliseconds; `None`: a "Take a shot" button.
    #[prop_or_default]
    pub every_ms: Option<u32>,
    /// The start button's label.
    pub start_label: AttrValue,
}

/// The webcam through the webview: off until asked, then a live view and either a
/// shot button or continuous frames. Where the webview offers no camera (or it is
/// refused) it says so, and the screen's picture-file input remains.
#[component]
pub fn Webcam(props: &WebcamProps) -> Html {
    let video = use_node_ref();
    let stream = use_mut_ref(|| None::<MediaStream>);
    let live = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let ticker = use_mut_ref(|| None::<Interval>);
    {
        // The camera goes off when the panel goes away.
        let (stream, ticker) = (stream.clone(), ticker.clone());
        use_effect_with((), move |()| {
            move || {
                ticker.borrow_mut().take();
                if let Some(s) = stream.borrow_mut().take() {
                    camera::stop(&s);
                }
            }
        });
    }
    let start = {
        let (video, stream, live, problem, ticker, on_frame, every) = (
            video.clone(),
            stream.clone(),
            live.clone(),
            problem.clone(),
            ticker.clone(),
            props.on_frame.clone(),
            props.every_ms,
        );
        Callback::from(move |_: MouseEvent| {
            let Some(element) = video.cast::<HtmlVideoElement>() else {
                return;
            };
            let (stream, live, problem, ticker, on_frame) = (
                stream.clone(),
                live.clone(),
                problem.clone(),
                ticker.clone(),
                on_frame.clone(),
            );
            spawn_local(async move {
                match camera::start(&element).await {
                    Ok(s) => {
                        *stream.borrow_mut() = Some(s);
                        problem.set(None);
                        live.set(true);
                        if let Some(ms) = every {
                            *ticker.borrow_mut() = Some(repeat(ms, element, on_frame));
                        }
                    }
                    Err(message) => problem.set(Some(message)),
                }
            });
        })
    };
    let stop = {
        let (stream, live, ticker) = (stream, live.clone(), ticker);
        Callback::from(move |_: MouseEvent| {
            ticker.borrow_mut().take();
            if let Some(s) = stream.borrow_mut().take() {
                camera::stop(&s);
            }
            live.set(false);
        })
    };
    let shoot = {
        let (video, on_frame) = (video.clone(), props.on_frame.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(frame) = video
                .cast::<HtmlVideoElement>()
                .and_then(|v| camera::capture(&v))
            {
                on_frame.emit(frame);
            }
        })
    };
    html! {
        <div class="webcam">
            <video ref={video} class={classes!("webcam-view", (!*live).then_some("hidden"))} autoplay=true muted=true playsinline=true />
            <div class="actions">
                if *live {
                    if props.every_ms.is_none() {
                        <button id="webcam-shot" class="button primary" type="button" onclick={shoot}>{ "Take a shot" }</button>
                    }
                    <button id="webcam-stop" class="button secondary" type="button" onclick={stop}>{ "Turn the camera off" }</button>
                } else if camera::available() {
                    <button id="webcam-start" class="button secondary" type="button" onclick={start}>{ props.start_label.clone() }</button>
                }
            </div>
            if let Some(p) = &*problem { <p class="muted small" role="status">{ p }</p> }
        </div>
    }
}

/// Captures a frame every `ms`; the receiver drops frames while it is still busy
/// with an earlier one (a slow analysis skips frames instead of queueing them).
fn repeat(ms: u32, video: HtmlVideoElement, on_frame: Callback<String>) -> Interval {
    Interval::new(ms, move || {
        if let Some(frame) = camera::capture(&video) {
            on_frame.emit(frame);
        }
    })
}
