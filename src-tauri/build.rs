fn main() {
    // Declaring the app's commands makes Tauri check them against the capabilities like
    // plugin commands: a window may call only what `capabilities/` grants it.
    let app_commands =
        tauri_build::AppManifest::new().commands(&["default_server_url", "login", "sign_out"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(app_commands))
        .expect("failed to run tauri-build");
}
