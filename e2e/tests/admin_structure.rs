//! The admin builds the school in the real app under Xvfb, against a real server:
//! a room with a polygon fence (a crossing one is refused on screen with core's own
//! rule, a good one is drawn), a Wi-Fi access point and a check-in rule; then a
//! class today for teacher1 in that room on the timetable grid, where booking the
//! same hour again is refused with a sentence naming the clash; the class picked on
//! the grid is changed, another added and deleted; a division is added, renamed and
//! deleted, and one with classes is kept with the server's sentence. The teacher's
//! day then lists the class.
//!
//! Needs what `desktop_login` needs; `cargo xtask test` provides it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rollcall_core::api::{ListParams, TimetableFilter};
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    check, click, finish, save_screenshot, save_screenshots_at_sizes, sign_in_until, step, text_of,
    type_into, wait_for_text_containing,
};
use rollcall_e2e::school::{
    now, signed_in, weekday_of, ADMIN, ADMIN_PASSWORD, TEACHER, TEACHER_PASSWORD,
};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::tile_server::TileServer;
use rollcall_e2e::webdriver::Session;

const UI: Duration = Duration::from_secs(20);

/// What the admin is asked to create.
struct Plan {
    code: String,
    name: String,
    division: String,
    /// Its code, as the divisions screen's tabs name it.
    division_code: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_a_room_and_a_class_today_that_the_teacher_then_sees() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let server = env.server.trim_end_matches('/').to_owned();
    let teacher = signed_in(&server, TEACHER, TEACHER_PASSWORD).await;
    let admin = signed_in(&server, ADMIN, ADMIN_PASSWORD).await;
    let theirs = admin
        .timetable(
            &ListParams::default(),
            &TimetableFilter {
                teacher_id: teacher.with_session(|s| s.user.id),
                ..TimetableFilter::default()
            },
        )
        .await
        .expect("teacher1's timetable");
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() % 1_000_000);
    let plan = Plan {
        code: format!("R-{stamp}"),
        name: format!("Seminar Room {stamp}"),
        division: theirs.items[0].division_id.to_string(),
        division_code: theirs.items[0].division_code.clone(),
    };

    // This machine has no Wi-Fi: the app's "Scan nearby" runs a recorded `nmcli` instead
    // of NetworkManager's (same arguments, same terse output).
    let nmcli = env.artifacts.join("nmcli-recorded");
    std::fs::write(
        &nmcli,
        "#!/bin/sh\nprintf '%s\\n' '3C\\:84\\:6A\\:E2\\:E0\\:99:Seminar-AP:74:5180 MHz' \
         '3C\\:84\\:6A\\:E2\\:E0\\:42:Corridor:30:2437 MHz'\n",
    )
    .expect("the recorded nmcli is written");
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&nmcli, std::fs::Permissions::from_mode(0o755))
            .expect("it can run");
    }
    // Map tiles from a tile server on a loopback port (no outside tile server is
    // reachable from here).
    let tiles = TileServer::start().await;
    let template = tiles.template();
    let driver = TauriDriver::start_with_env(
        &env.artifacts.join("tauri-driver-structure.log"),
        &[
            ("ROLLCALL_NMCLI", nmcli.as_path()),
            ("ROLLCALL_MAP_TILES", std::path::Path::new(&template)),
        ],
    )
    .await
    .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let outcome = journey(&session, &env, &plan, &tiles).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "admin-structure-failure.png").await;
    }
    finish(session, driver, outcome).await;

    // The teacher's day now has the class in the new room.
    let today = teacher.todays_sessions().await.expect("the teacher's day");
    assert!(
        today.iter().any(|s| s.session.room_name == plan.name),
        "teacher1's day lists the class in {}",
        plan.name
    );
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    plan: &Plan,
    tiles: &TileServer,
) -> Result<(), String> {
    sign_in_until(session, &env.server, ADMIN, ADMIN_PASSWORD, "#nav-rooms").await?;

    // A room: a crossing polygon is refused as you type, a square one is drawn.
    click(session, "#nav-rooms", UI).await?;
    type_into(session, "#room-code", &plan.code).await?;
    type_into(session, "#room-name", &plan.name).await?;
    type_into(session, "#room-building", "Annexe").await?;
    click(session, "#fence-polygon", UI).await?;
    type_into(
        session,
        "#fence-corners",
        "18.5180, 73.8150; 18.5183, 73.8153; 18.5180, 73.8153; 18.5183, 73.8150",
    )
    .await?;
    wait_for_text_containing(session, "#fence-problem", "crosses itself", UI).await?;
    type_into(
        session,
        "#fence-corners",
        "18.5180, 73.8150; 18.5180, 73.8153; 18.5183, 73.8153; 18.5183, 73.8150",
    )
    .await?;
    session
        .wait_for("#fence-drawing polygon", UI)
        .await
        .map_err(step("the fence is drawn"))?;
    // On the map: the tile server's tiles with the fence over them.
    click(session, "#fence-map-show", UI).await?;
    session
        .wait_for("#fence-map polygon.fence-shape", UI)
        .await
        .map_err(step("the fence is drawn on the map"))?;
    let shown: serde_json::Value = session
        .execute_async(
            "document.getElementById('fence-map').scrollIntoView({block: 'center'}); \
             arguments[0](document.querySelectorAll('#fence-map image.map-tile').length)",
            serde_json::json!([]),
        )
        .await
        .map_err(step("count the map tiles"))?;
    check(
        shown
            .as_u64()
            .is_some_and(|n| n > 0 && n as usize == tiles.requests()),
        format!("{shown} tiles shown, {} fetched", tiles.requests()),
    )?;
    save_screenshot(session, env, "admin-room-map.png").await?;
    type_into(session, "#room-policy", "token & location").await?;
    // "Scan nearby" fills in the access point this computer hears best.
    click(session, "#wifi-scan", UI).await?;
    click(
        session,
        "#wifi-nearby li[data-bssid=\"3c:84:6a:e2:e0:99\"] button",
        UI,
    )
    .await?;
    let filled = session
        .find("#ap-bssid")
        .await
        .map_err(step("find the BSSID field"))?;
    let bssid = session
        .property(&filled, "value")
        .await
        .map_err(step("read the BSSID field"))?;
    check(
        bssid.as_str() == Some("3c:84:6a:e2:e0:99"),
        format!("Scan nearby filled in {bssid}"),
    )?;
    type_into(session, "#ap-label", "ceiling").await?;
    save_screenshot(session, env, "admin-room-form.png").await?;
    click(session, "#room-save", UI).await?;
    wait_for_text_containing(session, "#room-outcome", "was added", UI).await?;
    session
        .wait_for(&format!("tr[data-room=\"{}\"]", plan.code), UI)
        .await
        .map_err(step("the new room is listed"))?;

    // Its rule changes: location or radio now.
    let row = format!("tr[data-room=\"{}\"]", plan.code);
    click(session, &format!("{row} .edit-rule"), UI).await?;
    type_into(session, "#edit-rule", "token & (location | radio)").await?;
    type_into(session, "#edit-tolerance", "abc").await?;
    click(session, "#edit-save", UI).await?;
    wait_for_text_containing(session, "#edit-problem", "tolerance must be a number", UI).await?;
    type_into(session, "#edit-tolerance", "20").await?;
    click(session, "#edit-save", UI).await?;
    wait_for_text_containing(session, "#room-outcome", "now needs", UI).await?;
    wait_for_text_containing(session, &row, "token & (location | radio)", UI).await?;

    // A class today for teacher1 in it, at a free hour; the same hour again clashes.
    click(session, "#nav-timetable", UI).await?;
    session
        .wait_for("#week-grid", UI)
        .await
        .map_err(step("the week grid appears"))?;
    click(
        session,
        &format!("#timetable-division option[value=\"{}\"]", plan.division),
        UI,
    )
    .await?;
    click(
        session,
        "#slot-teacher option[data-username=\"teacher1\"]",
        UI,
    )
    .await?;
    click(
        session,
        &format!("#slot-room option[data-code=\"{}\"]", plan.code),
        UI,
    )
    .await?;
    let day = weekday_of(now().unix());
    click(
        session,
        &format!(
            "#slot-day option[value=\"{}{}\"]",
            &day[..1].to_uppercase(),
            &day[1..]
        ),
        UI,
    )
    .await?;
    let hours = [
        ("19:00", "19:40"),
        ("18:00", "18:40"),
        ("04:00", "04:40"),
        ("23:00", "23:40"),
        ("03:00", "03:40"),
        ("02:00", "02:40"),
    ];
    let (from, to) = book(session, &hours).await?;
    session
        .wait_for(".week-grid .slot", UI)
        .await
        .map_err(step("the class shows on the grid"))?;
    save_screenshot(session, env, "admin-timetable.png").await?;
    type_into(session, "#slot-start", from).await?;
    type_into(session, "#slot-end", to).await?;
    click(session, "#slot-save", UI).await?;
    let clash = wait_for_text_containing(session, "#slot-outcome", "already", UI).await?;
    check(
        clash.contains(&plan.code) || clash.contains("teach") || clash.contains("Division"),
        format!("the clash reads {clash:?}"),
    )?;

    // The class picked on the grid is changed: five minutes shorter.
    click(
        session,
        &format!(".week-grid .slot[data-time=\"{from}-{to}\"]"),
        UI,
    )
    .await?;
    wait_for_text_containing(session, "#slot-form-title", "Change", UI).await?;
    let shorter = shorten(to)?;
    type_into(session, "#slot-end", &shorter).await?;
    click(session, "#slot-save", UI).await?;
    wait_for_text_containing(session, "#slot-outcome", "Changed", UI).await?;
    session
        .wait_for(
            &format!(".week-grid .slot[data-time=\"{from}-{shorter}\"]"),
            UI,
        )
        .await
        .map_err(step("the changed class shows at its new time"))?;
    save_screenshots_at_sizes(session, env, "admin-timetable-changed", Some("#week-grid")).await?;

    // Another class is added, then deleted (the second click confirms).
    let (other_from, other_to) = book(session, &hours).await?;
    let other = format!(".week-grid .slot[data-time=\"{other_from}-{other_to}\"]");
    click(session, &other, UI).await?;
    click(session, "#slot-delete", UI).await?;
    wait_for_text_containing(session, "#slot-delete", "Yes, delete", UI).await?;
    click(session, "#slot-delete", UI).await?;
    wait_for_text_containing(session, "#slot-outcome", "Deleted", UI).await?;
    gone(session, &other).await?;

    // A division: added; an unknown username adds nobody; a student joins and leaves.
    click(session, "#nav-divisions", UI).await?;
    let division = format!("D-{}", &plan.code[2..]);
    type_into(session, "#division-code", &division).await?;
    type_into(session, "#division-name", "Evening division").await?;
    click(session, "#division-save", UI).await?;
    wait_for_text_containing(session, "#division-outcome", "was added", UI).await?;
    session
        .wait_for(
            &format!("button[data-division=\"{division}\"][aria-selected=\"true\"]"),
            UI,
        )
        .await
        .map_err(step("the new division is chosen"))?;
    session
        .wait_for("#division-empty", UI)
        .await
        .map_err(step("the new division has no students"))?;
    type_into(session, "#member-usernames", "student17, nobody-here").await?;
    click(session, "#members-add", UI).await?;
    wait_for_text_containing(
        session,
        "#division-outcome",
        "No student is called nobody-here",
        UI,
    )
    .await?;
    type_into(session, "#member-usernames", "student17").await?;
    click(session, "#members-add", UI).await?;
    wait_for_text_containing(session, "#division-outcome", "Added 1", UI).await?;
    let member = "tr[data-username=\"student17\"]";
    session
        .wait_for(member, UI)
        .await
        .map_err(step("student17 is in the division"))?;
    save_screenshot(session, env, "admin-divisions.png").await?;
    click(session, &format!("{member} .remove-student"), UI).await?;
    wait_for_text_containing(session, "#division-outcome", "left the division", UI).await?;
    session
        .wait_for("#division-empty", UI)
        .await
        .map_err(step("the division is empty again"))?;

    // Renamed (an empty name is named at its field), then deleted.
    type_into(session, "#division-rename", " ").await?;
    click(session, "#division-rename-save", UI).await?;
    wait_for_text_containing(
        session,
        "#division-rename-error",
        "Give the division a name",
        UI,
    )
    .await?;
    type_into(session, "#division-rename", "Late evening division").await?;
    click(session, "#division-rename-save", UI).await?;
    wait_for_text_containing(
        session,
        "#division-outcome",
        "is now called Late evening division",
        UI,
    )
    .await?;
    click(session, "#division-delete", UI).await?;
    wait_for_text_containing(session, "#division-delete", "Yes, delete", UI).await?;
    click(session, "#division-delete", UI).await?;
    wait_for_text_containing(session, "#division-outcome", "was deleted", UI).await?;
    gone(session, &format!("button[data-division=\"{division}\"]")).await?;

    // A division with classes on the timetable is kept, with the server's sentence.
    click(
        session,
        &format!("button[data-division=\"{}\"]", plan.division_code),
        UI,
    )
    .await?;
    click(session, "#division-delete", UI).await?;
    click(session, "#division-delete", UI).await?;
    wait_for_text_containing(session, "#division-outcome", "delete them first", UI).await?;
    save_screenshots_at_sizes(session, env, "admin-divisions", Some("#division-edit")).await?;
    Ok(())
}

/// Adds a class at the first of `hours` that is free today; its (start, end).
async fn book<'a>(
    session: &Session,
    hours: &[(&'a str, &'a str)],
) -> Result<(&'a str, &'a str), String> {
    for (from, to) in hours {
        if session
            .find(&format!(".week-grid .slot[data-time=\"{from}-{to}\"]"))
            .await
            .is_ok()
        {
            continue;
        }
        type_into(session, "#slot-start", from).await?;
        type_into(session, "#slot-end", to).await?;
        click(session, "#slot-save", UI).await?;
        let text = wait_for_text_containing(session, "#slot-outcome", " ", UI).await?;
        // Wait for this attempt's answer, not the previous one.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let text = text_of(session, "#slot-outcome").await.unwrap_or(text);
        if text.starts_with("Added") {
            return Ok((from, to));
        }
    }
    Err("no free hour today for the new class".to_owned())
}

/// `HH:MM` five minutes earlier (the journeys' ends are at :40).
fn shorten(end: &str) -> Result<String, String> {
    let (h, m) = end
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
        .ok_or_else(|| format!("{end} is not a time"))?;
    let minutes = (h * 60 + m).checked_sub(5).ok_or("too early to shorten")?;
    Ok(format!("{:02}:{:02}", minutes / 60, minutes % 60))
}

/// Waits until nothing matches `css`.
async fn gone(session: &Session, css: &str) -> Result<(), String> {
    let deadline = std::time::Instant::now() + UI;
    while session.find(css).await.is_ok() {
        if std::time::Instant::now() > deadline {
            return Err(format!("{css} is still there"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
