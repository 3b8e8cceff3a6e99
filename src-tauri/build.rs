fn main() {
    // Declaring the app's commands makes Tauri check them against the capabilities like
    // plugin commands: a window may call only what `capabilities/` grants it.
    let app_commands = tauri_build::AppManifest::new().commands(&[
        "default_server_url",
        "login",
        "sign_out",
        "today_classes",
        "start_class",
        "presentation_frame",
        "class_roster",
        "watch_roster",
        "stop_watching_roster",
        "mark_student",
        "end_class",
        "export_class_sheet",
        "dashboard",
        "list_divisions",
        "attendance_report",
        "export_report",
        "review_queue",
        "decide_review",
        "review_thumbnail",
        "list_rooms",
        "create_room",
        "add_access_point",
        "list_subjects",
        "list_teachers",
        "division_timetable",
        "create_slot",
        "list_users",
        "create_user",
        "update_user",
        "import_users",
        "list_devices",
        "approve_device",
        "revoke_device",
        "list_kiosks",
        "create_kiosk",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(app_commands))
        .expect("failed to run tauri-build");
}
