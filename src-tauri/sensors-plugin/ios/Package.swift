// swift-tools-version:5.3
// Rollcall's sensors plugin, iOS half: the joined Wi-Fi network's BSSID (all
// that iOS lets an app read) and the "simulated by software" flag of the last fix.

import PackageDescription

let package = Package(
  name: "tauri-plugin-rollcall-sensors",
  platforms: [
    .iOS(.v15)
  ],
  products: [
    .library(
      name: "tauri-plugin-rollcall-sensors",
      type: .static,
      targets: ["tauri-plugin-rollcall-sensors"])
  ],
  dependencies: [
    .package(name: "Tauri", path: "../.tauri/tauri-api")
  ],
  targets: [
    .target(
      name: "tauri-plugin-rollcall-sensors",
      dependencies: [
        .byName(name: "Tauri")
      ],
      path: "Sources")
  ]
)
