//! The sensors a check-in reads, behind small traits so the same check-in code
//! runs with the phone's plugins, the desktop's devices, or simulated readings
//! fed by tests.

use std::sync::Mutex;

use rollcall_core::geofence::LocationFix;
use rollcall_core::radio::RadioScan;

/// Why a sensor gave no reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SensorError {
    /// The user did not grant the permission.
    #[error("permission to use the {0} was not granted")]
    NotPermitted(&'static str),
    /// This machine has no such sensor (no GPS on a desktop).
    #[error("this device has no {0}")]
    Absent(&'static str),
    /// The sensor failed.
    #[error("the {sensor} failed: {reason}")]
    Failed {
        /// Which sensor.
        sensor: &'static str,
        /// What it said.
        reason: String,
    },
}

/// Where the phone is.
pub trait LocationSource: Send + Sync {
    /// The current fix, with its accuracy and the OS's mocked-location flag.
    ///
    /// # Errors
    /// A [`SensorError`]; a desktop answers [`SensorError::Absent`].
    fn fix(&self) -> Result<LocationFix, SensorError>;
}

/// The Wi-Fi access points and BLE beacons around.
pub trait RadioScanner: Send + Sync {
    /// One scan.
    ///
    /// # Errors
    /// A [`SensorError`].
    fn scan(&self) -> Result<RadioScan, SensorError>;
}

/// What the camera saw in a QR code.
pub trait QrScanner: Send + Sync {
    /// The text of the QR code in view.
    ///
    /// # Errors
    /// A [`SensorError`].
    fn scan(&self) -> Result<String, SensorError>;
}

/// The biometric gate in front of the device key: on a phone the OS asks for a
/// fingerprint or face (or the device PIN) before a claim is signed.
pub trait BiometricGate: Send + Sync {
    /// Asks the person holding the device to confirm it is them, showing `reason`.
    ///
    /// # Errors
    /// [`SensorError::NotPermitted`] when they cancel or fail;
    /// [`SensorError::Absent`] when the phone has no biometrics or screen lock set
    /// up (the key must not be used without one); [`SensorError::Failed`] otherwise.
    fn confirm(&self, reason: &str) -> Result<(), SensorError>;
}

/// Everything a check-in reads from the device besides the camera: where it is,
/// what it hears, and the owner's confirmation before signing.
pub trait DeviceSensors: LocationSource + RadioScanner + BiometricGate {}

impl<T: LocationSource + RadioScanner + BiometricGate> DeviceSensors for T {}

/// What a test's biometric gate answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GateAnswer {
    /// The owner confirmed (the default).
    #[default]
    Confirmed,
    /// They cancelled, or the fingerprint did not match.
    Refused,
    /// No biometrics or screen lock on this phone.
    NotSetUp,
}

/// Readings set by a test: a GPS fix (or trace step), a radio scan, a QR text.
#[derive(Debug, Default)]
pub struct Simulated {
    fix: Mutex<Option<LocationFix>>,
    radio: Mutex<Option<RadioScan>>,
    qr: Mutex<Option<String>>,
    gate: Mutex<GateAnswer>,
    gate_asked: std::sync::atomic::AtomicUsize,
}

impl Simulated {
    /// No readings yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The next fixes read `fix`.
    pub fn set_fix(&self, fix: Option<LocationFix>) {
        *self
            .fix
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fix;
    }

    /// The next scans read `scan`.
    pub fn set_radio(&self, scan: Option<RadioScan>) {
        *self
            .radio
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = scan;
    }

    /// The biometric gate answers `answer` from now on.
    pub fn set_gate(&self, answer: GateAnswer) {
        *self
            .gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = answer;
    }

    /// How many times the gate was asked.
    #[must_use]
    pub fn gate_asked(&self) -> usize {
        self.gate_asked.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The camera sees a QR code with `text`.
    pub fn set_qr(&self, text: Option<String>) {
        *self
            .qr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = text;
    }
}

impl LocationSource for Simulated {
    fn fix(&self) -> Result<LocationFix, SensorError> {
        (*self
            .fix
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
        .ok_or(SensorError::Absent("GPS"))
    }
}

impl RadioScanner for Simulated {
    fn scan(&self) -> Result<RadioScan, SensorError> {
        self.radio
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(SensorError::Absent("Wi-Fi or Bluetooth radio"))
    }
}

impl QrScanner for Simulated {
    fn scan(&self) -> Result<String, SensorError> {
        self.qr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(SensorError::Failed {
                sensor: "camera",
                reason: "no QR code in view".to_owned(),
            })
    }
}

impl BiometricGate for Simulated {
    fn confirm(&self, _reason: &str) -> Result<(), SensorError> {
        self.gate_asked
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        match *self
            .gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            GateAnswer::Confirmed => Ok(()),
            GateAnswer::Refused => Err(SensorError::NotPermitted("device key")),
            GateAnswer::NotSetUp => Err(SensorError::Absent(
                "fingerprint, face or screen lock set up",
            )),
        }
    }
}
