//! A small W3C WebDriver client: just the commands the desktop journeys use.

use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

/// The key under which W3C WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// What went wrong talking to the WebDriver server.
#[derive(Debug, thiserror::Error)]
pub enum WebDriverError {
    /// The HTTP request itself failed.
    #[error("WebDriver request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The server answered with a WebDriver error such as `no such element`.
    #[error("WebDriver {command} failed: {error}: {message}")]
    Command {
        /// The command, such as `POST /element`.
        command: String,
        /// The W3C error code.
        error: String,
        /// The server's explanation.
        message: String,
    },
    /// The server answered with something this client did not expect.
    #[error("unexpected WebDriver answer to {command}: {answer}")]
    Unexpected {
        /// The command.
        command: String,
        /// What came back.
        answer: String,
    },
    /// A condition did not hold within its time.
    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        waited: Duration,
    },
}

/// A reference to an element on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

/// An open WebDriver session: one running app.
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    url: String,
}

impl Session {
    /// Starts a session on the WebDriver server at `driver_url` with W3C `capabilities`
    /// (the `alwaysMatch` object).
    ///
    /// # Errors
    /// When the server refuses the session (for example the app binary does not start).
    pub async fn start(driver_url: &str, capabilities: Value) -> Result<Self, WebDriverError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        let body = json!({"capabilities": {"alwaysMatch": capabilities}});
        let value = send(
            &http,
            Method::POST,
            &format!("{driver_url}/session"),
            Some(body),
        )
        .await?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| WebDriverError::Unexpected {
                command: "POST /session".into(),
                answer: value.to_string(),
            })?;
        Ok(Self {
            http,
            url: format!("{driver_url}/session/{id}"),
        })
    }

    /// The capabilities for a Tauri app binary under `tauri-driver`.
    #[must_use]
    pub fn tauri_capabilities(application: &std::path::Path) -> Value {
        json!({
            "browserName": "wry",
            "tauri:options": {"application": application.to_string_lossy()}
        })
    }

    async fn command(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        send(&self.http, method, &format!("{}{path}", self.url), body).await
    }

    /// The first element matching a CSS selector, now.
    ///
    /// # Errors
    /// `no such element` when nothing matches.
    pub async fn find(&self, css: &str) -> Result<Element, WebDriverError> {
        let value = self
            .command(
                Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        value[ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| WebDriverError::Unexpected {
                command: "POST /element".into(),
                answer: value.to_string(),
            })
    }

    /// Waits until an element matches a CSS selector.
    ///
    /// # Errors
    /// [`WebDriverError::Timeout`] when none appears in time.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element, WebDriverError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css).await {
                Ok(element) => return Ok(element),
                Err(WebDriverError::Command { error, .. }) if error == "no such element" => {}
                Err(other) => return Err(other),
            }
            if Instant::now() > deadline {
                return Err(WebDriverError::Timeout {
                    what: css.to_owned(),
                    waited: timeout,
                });
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until an element matching `css` has non-empty text, and returns the text.
    ///
    /// # Errors
    /// [`WebDriverError::Timeout`] when it has none in time.
    pub async fn wait_for_text(
        &self,
        css: &str,
        timeout: Duration,
    ) -> Result<String, WebDriverError> {
        let deadline = Instant::now() + timeout;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let element = self.wait_for(css, remaining).await?;
            match self.text(&element).await {
                Ok(text) if !text.trim().is_empty() => return Ok(text),
                // The element was replaced by a re-render between the two calls.
                Ok(_) | Err(WebDriverError::Command { .. }) => {}
                Err(other) => return Err(other),
            }
            if Instant::now() > deadline {
                return Err(WebDriverError::Timeout {
                    what: format!("text in {css}"),
                    waited: timeout,
                });
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Empties an input.
    ///
    /// # Errors
    /// When the element is gone or not editable.
    pub async fn clear(&self, element: &Element) -> Result<(), WebDriverError> {
        self.command(
            Method::POST,
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )
        .await
        .map(drop)
    }

    /// Types `text` into an element.
    ///
    /// # Errors
    /// When the element is gone or cannot take keys.
    pub async fn send_keys(&self, element: &Element, text: &str) -> Result<(), WebDriverError> {
        self.command(
            Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        )
        .await
        .map(drop)
    }

    /// Clicks an element.
    ///
    /// # Errors
    /// When the element is gone or hidden.
    pub async fn click(&self, element: &Element) -> Result<(), WebDriverError> {
        self.command(
            Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await
        .map(drop)
    }

    /// The element's rendered text.
    ///
    /// # Errors
    /// When the element is gone.
    pub async fn text(&self, element: &Element) -> Result<String, WebDriverError> {
        let value = self
            .command(Method::GET, &format!("/element/{}/text", element.0), None)
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// A DOM property of the element, such as `value` of an input.
    ///
    /// # Errors
    /// When the element is gone.
    pub async fn property(&self, element: &Element, name: &str) -> Result<Value, WebDriverError> {
        self.command(
            Method::GET,
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
        .await
    }

    /// Runs `script` as the body of an async function; it finishes by calling its last
    /// argument with the result.
    ///
    /// # Errors
    /// When the script throws or does not finish within the session's script timeout.
    pub async fn execute_async(&self, script: &str, args: Value) -> Result<Value, WebDriverError> {
        self.command(
            Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Waits until the page has painted its current state: WebKit's screenshot shows the
    /// last painted frame, which can lag the DOM by a frame or two.
    ///
    /// # Errors
    /// When the script cannot run.
    pub async fn wait_for_paint(&self) -> Result<(), WebDriverError> {
        let script = "const done = arguments[arguments.length - 1];\n\
                      requestAnimationFrame(() => requestAnimationFrame(() => done(null)));";
        self.execute_async(script, json!([])).await?;
        // Images referenced by CSS (data URLs included) decode asynchronously.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(())
    }

    /// Resizes the window (to see a screen at a laptop's or a projector's size).
    ///
    /// # Errors
    /// When the driver refuses the size.
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<(), WebDriverError> {
        self.command(
            Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await
        .map(drop)
    }

    /// A PNG screenshot of the window.
    ///
    /// # Errors
    /// When the screenshot fails or is not valid base64.
    pub async fn screenshot(&self) -> Result<Vec<u8>, WebDriverError> {
        let value = self.command(Method::GET, "/screenshot", None).await?;
        let unexpected = || WebDriverError::Unexpected {
            command: "GET /screenshot".into(),
            answer: value.to_string().chars().take(200).collect(),
        };
        let encoded = value.as_str().ok_or_else(unexpected)?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| unexpected())
    }

    /// Ends the session, which closes the app.
    ///
    /// # Errors
    /// When the server cannot be reached.
    pub async fn end(self) -> Result<(), WebDriverError> {
        self.command(Method::DELETE, "", None).await.map(drop)
    }
}

async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, WebDriverError> {
    let command = format!("{method} {url}");
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status();
    let mut answer: Value = response.json().await?;
    let value = answer["value"].take();
    if status.is_success() {
        return Ok(value);
    }
    Err(WebDriverError::Command {
        command,
        error: value["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_owned(),
        message: value["message"].as_str().unwrap_or_default().to_owned(),
    })
}
