//! Wi-Fi on a Linux desktop or laptop, through NetworkManager's `nmcli`: the access
//! points this machine hears, for a student's check-in (the radio factor) and for an
//! admin's "Scan nearby" when adding a room's access points.
//!
//! `nmcli --terse` escapes `:` inside a field as `\:`, so the BSSID's colons are
//! escaped and the fields are split on unescaped colons. Signal is a percentage;
//! NetworkManager derives it from dBm as `2 × (dBm + 100)`, which is inverted here.

use std::path::PathBuf;
use std::process::Command;

use rollcall_core::api::NearbyWifi;
use rollcall_core::radio::{Bssid, RadioScan, Rssi, WifiSighting};

use rollcall_checkin::sensors::{RadioScanner, SensorError};

/// The Wi-Fi scanner through `nmcli`.
#[derive(Debug, Clone)]
pub struct NetworkManagerWifi {
    program: PathBuf,
}

/// Where `nmcli` is, when it is not on `PATH`.
pub const NMCLI_ENV: &str = "ROLLCALL_NMCLI";

impl Default for NetworkManagerWifi {
    /// `nmcli` from `ROLLCALL_NMCLI`, else from `PATH`.
    fn default() -> Self {
        Self::with_program(
            std::env::var_os(NMCLI_ENV)
                .filter(|p| !p.is_empty())
                .map_or_else(|| PathBuf::from("nmcli"), PathBuf::from),
        )
    }
}

impl NetworkManagerWifi {
    /// `nmcli` at `program` (tests give a recorded one).
    #[must_use]
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
        }
    }

    /// The access points heard, strongest first; with `rescan`, NetworkManager scans
    /// afresh if its list is old (a few seconds), else its last list is used.
    ///
    /// # Errors
    /// [`SensorError::Absent`] without NetworkManager; [`SensorError::Failed`] when
    /// `nmcli` fails (no Wi-Fi device, radio off).
    pub fn nearby(&self, rescan: bool) -> Result<Vec<NearbyWifi>, SensorError> {
        let output = Command::new(&self.program)
            .args([
                "--terse",
                "--fields",
                "BSSID,SSID,SIGNAL,FREQ",
                "device",
                "wifi",
                "list",
                "--rescan",
                if rescan { "auto" } else { "no" },
            ])
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    SensorError::Absent("Wi-Fi scanner (NetworkManager's nmcli is not installed)")
                }
                _ => SensorError::Failed {
                    sensor: "Wi-Fi scan",
                    reason: e.to_string(),
                },
            })?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr).trim().to_owned();
            return Err(SensorError::Failed {
                sensor: "Wi-Fi scan",
                reason: if said.is_empty() {
                    format!("nmcli exited with {}", output.status)
                } else {
                    said
                },
            });
        }
        let mut found = parse(&String::from_utf8_lossy(&output.stdout));
        found.sort_by_key(|ap| std::cmp::Reverse(ap.rssi_dbm));
        Ok(found)
    }
}

impl RadioScanner for NetworkManagerWifi {
    fn scan(&self) -> Result<RadioScan, SensorError> {
        // A check-in should not wait for a fresh scan: NetworkManager rescans often.
        let wifi = self
            .nearby(false)?
            .into_iter()
            .filter_map(|ap| {
                Some(WifiSighting {
                    bssid: ap.bssid.parse::<Bssid>().ok()?,
                    rssi: Rssi::new(ap.rssi_dbm).ok()?,
                })
            })
            .collect();
        Ok(RadioScan {
            wifi,
            beacons: Vec::new(),
        })
    }
}

/// Splits one terse line on unescaped `:` and unescapes `\:` and `\\`.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), out.last_mut()) {
                    last.push(next);
                }
            }
            ':' => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// Parses `nmcli --terse --fields BSSID,SSID,SIGNAL,FREQ device wifi list`; lines
/// that are not an access point with a valid BSSID are skipped. The same BSSID
/// heard twice (two devices) is listed once, at its strongest.
#[must_use]
pub fn parse(text: &str) -> Vec<NearbyWifi> {
    let mut found: Vec<NearbyWifi> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f = fields(line);
        let [bssid, ssid, signal, freq, ..] = f.as_slice() else {
            continue;
        };
        let Ok(parsed) = bssid.parse::<Bssid>() else {
            continue;
        };
        let Ok(percent) = signal.trim().parse::<i16>() else {
            continue;
        };
        let rssi_dbm = percent.clamp(0, 100) / 2 - 100;
        let frequency_mhz = freq
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u32>().ok());
        let bssid = parsed.to_string();
        match found.iter_mut().find(|ap| ap.bssid == bssid) {
            Some(ap) => ap.rssi_dbm = ap.rssi_dbm.max(rssi_dbm),
            None => found.push(NearbyWifi {
                bssid,
                ssid: ssid.clone(),
                rssi_dbm,
                frequency_mhz,
            }),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded from `nmcli` 1.42 on a laptop (names changed).
    const RECORDED: &str = "3C\\:84\\:6A\\:A1\\:01\\:10:Campus:72:5180 MHz\n\
        3C\\:84\\:6A\\:A1\\:01\\:20:Campus:44:2437 MHz\n\
        AA\\:BB\\:CC\\:00\\:11\\:22:Cafe\\: Free\\\\Wifi:90:2412 MHz\n\
        \n\
        not-a-bssid:Broken:50:2412 MHz\n\
        3C\\:84\\:6A\\:A1\\:01\\:10:Campus:80:5180 MHz\n";

    #[test]
    fn terse_output_is_split_on_unescaped_colons_and_signal_becomes_dbm() {
        let aps = parse(RECORDED);
        assert_eq!(aps.len(), 3, "{aps:?}");
        assert_eq!(aps[0].bssid, "3c:84:6a:a1:01:10");
        assert_eq!(aps[0].rssi_dbm, -60, "the strongest of the two sightings");
        assert_eq!(aps[0].frequency_mhz, Some(5180));
        assert_eq!(aps[1].rssi_dbm, -78);
        assert_eq!(aps[2].ssid, "Cafe: Free\\Wifi");
    }

    #[cfg(unix)]
    #[test]
    fn a_scan_runs_nmcli_and_without_it_says_what_is_missing() {
        use std::os::unix::fs::PermissionsExt as _;
        let folder = std::env::temp_dir().join(format!("rollcall-nmcli-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let script = folder.join("nmcli");
        std::fs::write(&script, format!("#!/bin/sh\ncat <<'EOF'\n{RECORDED}EOF\n")).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let scan = NetworkManagerWifi::with_program(&script).scan().unwrap();
        assert_eq!(scan.wifi.len(), 3);
        assert_eq!(scan.wifi[0].rssi.dbm(), -55, "strongest first");

        let failing = folder.join("nmcli-off");
        std::fs::write(
            &failing,
            "#!/bin/sh\necho 'Error: Wi-Fi is disabled.' >&2\nexit 10\n",
        )
        .unwrap();
        std::fs::set_permissions(&failing, std::fs::Permissions::from_mode(0o755)).unwrap();
        let error = NetworkManagerWifi::with_program(&failing)
            .scan()
            .unwrap_err();
        assert!(error.to_string().contains("Wi-Fi is disabled"), "{error}");

        let absent = NetworkManagerWifi::with_program(folder.join("no-such-program"))
            .scan()
            .unwrap_err();
        assert!(matches!(absent, SensorError::Absent(_)), "{absent:?}");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
