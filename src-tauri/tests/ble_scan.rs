//! BLE beacons through btleplug and BlueZ's D-Bus API, against python-dbusmock's
//! BlueZ on a private bus standing in for the system bus (this machine has no
//! Bluetooth adapter). Needs `dbus` and `python3-dbusmock`, which `cargo xtask
//! test` installs. The scans run in child processes of this test whose system bus
//! is the private one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rollcall_app::device::ble_scan;
use rollcall_checkin::sensors::SensorError;
use rollcall_core::radio::{BeaconId, Rssi};
use uuid::Uuid;

/// Debian's Python, where `python3-dbusmock` and `python3-dbus` are installed (a
/// `python3` earlier in PATH, such as pyenv's, would not have them).
const PYTHON: &str = "/usr/bin/python3";

/// Kills the bus and the mock when the test ends, however it ends.
struct Running(Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A private bus; its address.
fn private_bus(running: &mut Running) -> String {
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        // It says it cannot raise its file limit as an unprivileged bus: noise.
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon (install dbus; cargo xtask test does)");
    let mut address = String::new();
    BufReader::new(bus.stdout.take().expect("its output"))
        .read_line(&mut address)
        .expect("the bus address");
    running.0.push(bus);
    address.trim().to_owned()
}

/// Runs a few lines of Python with dbus-python on `bus` (`bus` is bound).
fn python(bus: &str, code: &str) {
    let script = format!("import dbus\nbus = dbus.bus.BusConnection({bus:?})\n{code}");
    let out = Command::new(PYTHON)
        .args(["-c", &script])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts dbusmock's BlueZ on `bus` and waits for its name.
fn mock_bluez(bus: &str, running: &mut Running) {
    let mock = Command::new(PYTHON)
        .args(["-m", "dbusmock", "--template", "bluez5", "--system"])
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus)
        .stdout(Stdio::null())
        .spawn()
        .expect("python3-dbusmock (cargo xtask test installs it)");
    running.0.push(mock);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let owned = Command::new("dbus-send")
            .args([
                &format!("--bus={bus}"),
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.bluez",
            ])
            .output()
            .expect("dbus-send");
        if String::from_utf8_lossy(&owned.stdout).contains("boolean true") {
            return;
        }
        assert!(Instant::now() < deadline, "the mock BlueZ never started");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Set in the child: which scan to make and check.
const PHASE: &str = "ROLLCALL_BLE_TEST_PHASE";
const TEST: &str = "beacons_heard_through_bluez_become_sightings_and_a_missing_adapter_is_said";
const LISTEN: Duration = Duration::from_millis(300);

fn beacon_uuid() -> Uuid {
    Uuid::parse_str("f7826da6-4fa2-4e98-8024-bc5b71e0893e").unwrap()
}

/// Runs this test again as a child whose system bus is `bus`, making one scan.
fn scan_in_child(bus: &str, phase: &str) {
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(PHASE, phase)
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus)
        .output()
        .expect("the child test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("1 passed"),
        "the {phase} scan:\n{text}"
    );
}

/// The child's side: one scan, checked.
fn scan_and_check(phase: &str) {
    match phase {
        // A system bus without BlueZ: the scanner fails in words.
        "no-bluez" => {
            let error = ble_scan::listen(LISTEN).unwrap_err();
            assert!(
                matches!(error, SensorError::Failed { .. } | SensorError::Absent(_)),
                "{error:?}"
            );
        }
        "no-adapter" => {
            let error = ble_scan::listen(LISTEN).unwrap_err();
            assert_eq!(error, SensorError::Absent("Bluetooth adapter"));
        }
        "beacons" => {
            let heard = ble_scan::listen(LISTEN).expect("a scan through the mock BlueZ");
            let found: Vec<(BeaconId, Rssi)> =
                heard.iter().map(|s| (s.beacon.clone(), s.rssi)).collect();
            assert_eq!(
                found,
                vec![
                    (
                        BeaconId::IBeacon {
                            uuid: beacon_uuid(),
                            major: 2,
                            minor: 101
                        },
                        Rssi::new(-58).unwrap()
                    ),
                    (
                        BeaconId::Named {
                            name: "Room 12".to_owned()
                        },
                        Rssi::new(-71).unwrap()
                    ),
                ],
                "the iBeacon by its UUID/major/minor, the named one by name, the nameless one left out"
            );
        }
        other => panic!("unknown phase {other}"),
    }
}

#[test]
fn beacons_heard_through_bluez_become_sightings_and_a_missing_adapter_is_said() {
    if let Ok(phase) = std::env::var(PHASE) {
        scan_and_check(&phase);
        return;
    }
    let mut running = Running(Vec::new());
    let bus = private_bus(&mut running);
    scan_in_child(&bus, "no-bluez");

    mock_bluez(&bus, &mut running);
    scan_in_child(&bus, "no-adapter");

    // An adapter hearing an iBeacon, a named beacon, and a device with neither.
    let mut advert = vec![0x02, 0x15];
    advert.extend_from_slice(beacon_uuid().as_bytes());
    advert.extend_from_slice(&[0x00, 0x02, 0x00, 0x65, 0xc5]);
    let advert: Vec<String> = advert.iter().map(u8::to_string).collect();
    python(
        &bus,
        &format!(
            r#"
mock = dbus.Interface(bus.get_object('org.bluez', '/'), 'org.bluez.Mock')
mock.AddAdapter('hci0', 'rollcall-test')
def device(address, name, rssi, data):
    path = mock.AddDevice('hci0', address, name)
    props = dbus.Interface(bus.get_object('org.bluez', path), 'org.freedesktop.DBus.Properties')
    props.Set('org.bluez.Device1', 'RSSI', dbus.Int16(rssi))
    # The template's empty values have the wrong D-Bus types for these three.
    props.Set('org.bluez.Device1', 'ManufacturerData', dbus.Dictionary(data, signature='qv'))
    props.Set('org.bluez.Device1', 'ServiceData', dbus.Dictionary({{}}, signature='sv'))
    props.Set('org.bluez.Device1', 'AdvertisingData', dbus.Dictionary({{}}, signature='yv'))
ibeacon = dbus.Array([dbus.Byte(b) for b in [{bytes}]], signature='y', variant_level=1)
device('AA:BB:CC:DD:EE:01', 'kontakt', -58, {{dbus.UInt16(0x004c): ibeacon}})
device('AA:BB:CC:DD:EE:02', 'Room 12', -71, {{}})
device('AA:BB:CC:DD:EE:03', '', -40, {{}})
"#,
            bytes = advert.join(", ")
        ),
    );
    scan_in_child(&bus, "beacons");
}
