//! Times as the people at this computer read them: its local clock, `09:05`, and
//! "3 min ago".

/// The computer's offset from UTC in minutes (JavaScript counts minutes behind).
#[must_use]
pub fn local_offset_minutes() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64)
}

/// Now, in unix seconds, by the computer's clock.
#[must_use]
pub fn now_unix() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// `09:05` in the computer's local time zone, from unix seconds.
#[must_use]
pub fn clock(unix: i64, offset_minutes: i64) -> String {
    let local = unix + offset_minutes * 60;
    let minutes = local.div_euclid(60).rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A date and time as this computer's locale writes it, from unix seconds.
#[must_use]
pub fn local_date_time(unix: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// "3 min ago" from unix seconds.
#[must_use]
pub fn ago(then: i64) -> String {
    match (now_unix() - then).max(0) {
        s if s < 60 => "just now".to_owned(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_are_local_and_wrap_at_midnight() {
        assert_eq!(clock(0, 0), "00:00");
        assert_eq!(clock(9 * 3600 + 5 * 60, 0), "09:05");
        assert_eq!(clock(23 * 3600, 90), "00:30");
        assert_eq!(clock(3600, -120), "23:00");
    }
}
