//! Pictures for the face screens: the webcam through the webview (`getUserMedia` into a
//! `<video>`, frames drawn to a canvas and sent as JPEG data URLs) and picture files.
//! Both end as the same base64 picture, so the Rust side has one path for frames and
//! the tests feed it files.

use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, File, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints, MediaStreamTrack,
};

/// Whether this webview offers a camera API at all.
#[must_use]
pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .is_some()
}

/// Starts the webcam into `video`.
///
/// # Errors
/// A sentence: no camera API, permission refused, or no camera.
pub async fn start(video: &HtmlVideoElement) -> Result<MediaStream, String> {
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or("This window offers no camera. Use picture files instead.")?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_video_bool(true);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| "The camera could not be opened.".to_owned())?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|_| "No camera, or permission to use it was refused.".to_owned())?
        .unchecked_into();
    video.set_src_object(Some(&stream));
    if let Ok(playing) = video.play() {
        let _ = JsFuture::from(playing).await;
    }
    Ok(stream)
}

/// Stops every track of `stream` (the camera light goes off).
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The video's current frame as a JPEG data URL, at most 640 pixels wide.
#[must_use]
pub fn capture(video: &HtmlVideoElement) -> Option<String> {
    let (w, h) = (video.video_width(), video.video_height());
    if w == 0 || h == 0 {
        return None;
    }
    let scale = (640.0 / f64::from(w)).min(1.0);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a video frame's side is a small positive number"
    )]
    let (cw, ch) = (
        (f64::from(w) * scale).round() as u32,
        (f64::from(h) * scale).round() as u32,
    );
    let canvas: HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(cw);
    canvas.set_height(ch);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context
        .draw_image_with_html_video_element_and_dw_and_dh(
            video,
            0.0,
            0.0,
            f64::from(cw),
            f64::from(ch),
        )
        .ok()?;
    canvas
        .to_data_url_with_type_and_encoder_options("image/jpeg", &0.85.into())
        .ok()
}

/// A picture file's bytes.
///
/// # Errors
/// A sentence when the file cannot be read.
pub async fn file_bytes(file: &File) -> Result<Vec<u8>, String> {
    JsFuture::from(file.array_buffer())
        .await
        .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
        .map_err(|_| format!("{} could not be read.", file.name()))
}
