//! BLE beacons through btleplug: BlueZ over D-Bus on Linux, CoreBluetooth on
//! macOS and iOS, WinRT on Windows. (Android reads BLE through our sensors plugin:
//! btleplug's Android half needs Java classes packed into the APK.) Each
//! advertisement heard while listening becomes a beacon sighting when it is an
//! iBeacon or has a name; no adapter, Bluetooth off or no permission → a
//! [`SensorError`] in words, and the check-in goes on without beacons.

use std::time::Duration;

use btleplug::api::{Central as _, Manager as _, Peripheral as _, ScanFilter};
use btleplug::platform::Manager;
use rollcall_core::radio::{BeaconId, BeaconSighting, Rssi};

use rollcall_checkin::sensors::SensorError;

/// Listens for `listen` and answers with the beacons heard. Blocks the calling
/// thread; runs btleplug on a thread and runtime of its own, so it may be called
/// from inside an async task as from plain code.
///
/// # Errors
/// [`SensorError::Absent`] without an adapter; [`SensorError::Failed`] when the
/// Bluetooth stack refuses (off, no permission).
pub fn listen(listen: Duration) -> Result<Vec<BeaconSighting>, SensorError> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| failed(&e))?;
                runtime.block_on(scan(listen))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(SensorError::Failed {
                    sensor: "Bluetooth scanner",
                    reason: "the scan stopped unexpectedly".to_owned(),
                })
            })
    })
}

fn failed(e: &dyn std::fmt::Display) -> SensorError {
    SensorError::Failed {
        sensor: "Bluetooth scanner",
        reason: e.to_string(),
    }
}

async fn scan(listen: Duration) -> Result<Vec<BeaconSighting>, SensorError> {
    let manager = Manager::new().await.map_err(|e| failed(&e))?;
    let adapters = manager.adapters().await.map_err(|e| failed(&e))?;
    let Some(adapter) = adapters.into_iter().next() else {
        return Err(SensorError::Absent("Bluetooth adapter"));
    };
    adapter
        .start_scan(ScanFilter::default())
        .await
        .map_err(|e| failed(&e))?;
    tokio::time::sleep(listen).await;
    let peripherals = adapter.peripherals().await;
    // Stopping can fail when the adapter went away; what was heard still counts.
    let _ = adapter.stop_scan().await;
    let mut sightings = Vec::new();
    for peripheral in peripherals.map_err(|e| failed(&e))? {
        let Ok(Some(properties)) = peripheral.properties().await else {
            continue;
        };
        let Some(rssi) = properties.rssi.and_then(|r| Rssi::new(r).ok()) else {
            // Known from before but not heard in this scan.
            continue;
        };
        let name = properties
            .local_name
            .as_deref()
            .or(properties.advertisement_name.as_deref());
        let data = properties
            .manufacturer_data
            .iter()
            .map(|(company, bytes)| (*company, bytes.as_slice()));
        if let Some(beacon) = BeaconId::from_advert(data, name) {
            sightings.push(BeaconSighting { beacon, rssi });
        }
    }
    sightings.sort_by(|a, b| a.beacon.cmp(&b.beacon));
    sightings.dedup_by(|a, b| a.beacon == b.beacon);
    Ok(sightings)
}
