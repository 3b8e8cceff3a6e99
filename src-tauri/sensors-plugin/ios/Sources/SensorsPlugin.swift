// Rollcall's readings on iOS that the official plugins do not give. iOS lets an
// app read only the Wi-Fi network it has joined (NEHotspotNetwork.fetchCurrent,
// which needs the "Access Wi-Fi Information" entitlement and location
// permission), never a scan of the networks around, and no signal strength; BLE
// goes through btleplug (CoreBluetooth) in Rust instead of this plugin.

import CoreLocation
import NetworkExtension
import SwiftRs
import Tauri
import UIKit
import WebKit

struct AccessPoint: Encodable {
  let bssid: String
  let rssi: Int?
}

struct WifiScan: Encodable {
  let accessPoints: [AccessPoint]
  let joinedOnly: Bool
}

struct MockedFlag: Encodable {
  let known: Bool
  let mocked: Bool
}

class SensorsPlugin: Plugin {
  private let locationManager = CLLocationManager()

  @objc public func wifiScan(_ invoke: Invoke) throws {
    NEHotspotNetwork.fetchCurrent { network in
      var points: [AccessPoint] = []
      if let network = network, !network.bssid.isEmpty {
        // iOS gives no RSSI for the joined network.
        points.append(AccessPoint(bssid: network.bssid.lowercased(), rssi: nil))
      }
      invoke.resolve(WifiScan(accessPoints: points, joinedOnly: true))
    }
  }

  @objc public func bleScan(_ invoke: Invoke) throws {
    invoke.reject("BLE is read through CoreBluetooth in the app on iOS")
  }

  @objc public func locationMocked(_ invoke: Invoke) throws {
    DispatchQueue.main.async {
      guard let fix = self.locationManager.location else {
        invoke.resolve(MockedFlag(known: false, mocked: false))
        return
      }
      var mocked = false
      if #available(iOS 15.0, *) {
        mocked = fix.sourceInformation?.isSimulatedBySoftware ?? false
      }
      invoke.resolve(MockedFlag(known: true, mocked: mocked))
    }
  }
}

@_cdecl("init_plugin_rollcall_sensors")
func initPlugin() -> Plugin {
  return SensorsPlugin()
}
