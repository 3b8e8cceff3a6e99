//! The device key in a real OS keystore: GNOME Keyring's Secret Service, unlocked,
//! on a private session bus (each test runs itself again under `dbus-run-session`,
//! so it needs `dbus` and `gnome-keyring`, which `cargo xtask test` installs). And
//! without a keystore (a dead session bus), the 0600 file as before.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rollcall_app::device::key_file::KeyFile;
use rollcall_app::device::key_store::{load_or_create, KeyPlace, KeyStoreChoice, SERVICE};
use uuid::Uuid;

/// Set in the child that runs inside the keyring session (or with a dead bus).
const CHILD: &str = "ROLLCALL_KEY_STORE_TEST_CHILD";

/// Runs `test` of this binary again in a fresh session bus with an unlocked GNOME
/// Keyring (`keyring: true`) or with a session bus that does not exist.
fn run_child(test: &str, keyring: bool) {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = if keyring {
        // A keyring of its own: a fresh data folder, so the new login keyring is
        // made with this password, and nobody's real keyring is touched.
        let home = fresh_folder();
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).expect("a runtime folder");
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))
                .expect("private");
        }
        let mut c = Command::new("dbus-run-session");
        c.env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", &runtime);
        c.args([
            "--",
            "sh",
            "-c",
            "printf %s rollcall-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$@\"",
            "sh",
        ]);
        c.arg(&exe);
        c
    } else {
        let mut c = Command::new(&exe);
        c.env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/rollcall/bus",
        );
        c
    };
    let out = command
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("could not start the keyring session ({e}): install dbus and gnome-keyring (cargo xtask test does)")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{test} failed in its session:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "{test} did not run in its session:\n{text}"
    );
}

/// Runs a test body on a runtime of its own (the child has no test runtime).
fn block_on(body: impl std::future::Future<Output = ()>) {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(body);
}

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

fn fresh_folder() -> PathBuf {
    std::env::temp_dir().join(format!("rollcall-keys-{}", Uuid::now_v7()))
}

fn file_of(folder: &Path) -> PathBuf {
    folder.join("device-key")
}

/// Runs a blocking keyring call off the async threads (its Secret Service
/// client starts a runtime of its own).
async fn keyring<T: Send + 'static>(
    account: Uuid,
    call: impl FnOnce(keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> keyring::Result<T> {
    tokio::task::spawn_blocking(move || {
        keyring::Entry::new(SERVICE, &account.to_string()).and_then(call)
    })
    .await
    .expect("the keyring call ran")
}

async fn stored_seed(account: Uuid) -> Option<Vec<u8>> {
    keyring(account, |e| e.get_secret()).await.ok()
}

#[test]
fn the_key_lives_in_the_keystore_survives_a_restart_and_an_old_key_file_moves_there() {
    if !in_child() {
        return run_child(
            "the_key_lives_in_the_keystore_survives_a_restart_and_an_old_key_file_moves_there",
            true,
        );
    }
    block_on(async {
        // A new device: the key is made in the keystore; no file is written.
        let (folder, account) = (fresh_folder(), Uuid::now_v7());
        let (key, place) = load_or_create(&folder, account, KeyStoreChoice::OsFirst)
            .await
            .expect("a key");
        assert_eq!(place, KeyPlace::OsKeystore);
        assert!(
            !file_of(&folder).exists(),
            "the private key was written to a file"
        );
        assert_eq!(
            stored_seed(account).await.as_deref(),
            Some(key.seed().as_slice())
        );
        // The app starts again: the same key.
        let (again, place) = load_or_create(&folder, account, KeyStoreChoice::OsFirst)
            .await
            .expect("the key again");
        assert_eq!(
            (again.public(), place),
            (key.public(), KeyPlace::OsKeystore)
        );

        // A device set up by an older version: its key moves from the file.
        let (old_folder, old_account) = (fresh_folder(), Uuid::now_v7());
        let old = KeyFile::in_folder(&old_folder)
            .load_or_create()
            .expect("an old key file");
        assert!(file_of(&old_folder).exists());
        let (moved, place) = load_or_create(&old_folder, old_account, KeyStoreChoice::OsFirst)
            .await
            .expect("the moved key");
        assert_eq!(
            (moved.public(), place),
            (old.public(), KeyPlace::OsKeystore)
        );
        assert!(
            !file_of(&old_folder).exists(),
            "the old key file is still there"
        );
        assert_eq!(
            stored_seed(old_account).await.as_deref(),
            Some(old.seed().as_slice())
        );

        // Folder-only (ROLLCALL_APP_DATA_DIR set): the file, and nothing in the keystore.
        let (own_folder, own_account) = (fresh_folder(), Uuid::now_v7());
        let (_, place) = load_or_create(&own_folder, own_account, KeyStoreChoice::FolderOnly)
            .await
            .expect("a key in the folder");
        assert_eq!(place, KeyPlace::PrivateFile);
        assert!(file_of(&own_folder).exists());
        assert_eq!(stored_seed(own_account).await, None);

        // Something that is not a key in the keystore is an error, not a new key.
        let damaged = Uuid::now_v7();
        keyring(damaged, |e| e.set_secret(b"short"))
            .await
            .expect("stored");
        let e = load_or_create(&fresh_folder(), damaged, KeyStoreChoice::OsFirst)
            .await
            .expect_err("a damaged key is refused");
        assert!(e.to_string().contains("damaged"), "{e}");

        for account in [account, old_account, damaged] {
            let _ = keyring(account, |e| e.delete_credential()).await;
        }
        for f in [folder, old_folder, own_folder] {
            let _ = std::fs::remove_dir_all(f);
        }
    });
}

#[test]
fn without_a_keystore_the_key_is_kept_in_a_file_only_its_user_can_read() {
    if !in_child() {
        return run_child(
            "without_a_keystore_the_key_is_kept_in_a_file_only_its_user_can_read",
            false,
        );
    }
    block_on(async {
        let (folder, account) = (fresh_folder(), Uuid::now_v7());
        let (key, place) = load_or_create(&folder, account, KeyStoreChoice::OsFirst)
            .await
            .expect("a key");
        assert_eq!(place, KeyPlace::PrivateFile);
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(file_of(&folder))
                .expect("the key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, _) = load_or_create(&folder, account, KeyStoreChoice::OsFirst)
            .await
            .expect("the key again");
        assert_eq!(again.public(), key.public());
        let _ = std::fs::remove_dir_all(folder);
    });
}

/// Waits until the kept sign-in reads `expected` (the writer task is ordered but
/// asynchronous).
async fn recalled(
    remembered: &rollcall_app::remembered::SignInKeeper,
    expected: Option<&str>,
) -> Option<rollcall_app::remembered::KeptSignIn> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = remembered.recall().await;
        if now.as_ref().map(|k| k.refresh_token.as_str()) == expected {
            return now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the kept sign-in is {now:?}, not {expected:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn the_sign_in_is_kept_in_the_keystore_replaced_on_each_rotation_and_forgotten() {
    use rollcall_app::remembered::{Place, SignInKeeper, FILE_NAME, SERVICE as SIGN_IN};
    if !in_child() {
        return run_child(
            "the_sign_in_is_kept_in_the_keystore_replaced_on_each_rotation_and_forgotten",
            true,
        );
    }
    block_on(async {
        let folder = fresh_folder();
        let server = rollcall_app::ServerAddress::parse("https://rollcall.school.example").unwrap();
        let remembered = SignInKeeper::start(Some(folder.clone()), Place::OsFirst);
        let keeper = remembered.token_keeper();
        keeper(Some((&server, "first-token")));
        keeper(Some((&server, "second-token")));
        let kept = recalled(&remembered, Some("second-token")).await.unwrap();
        assert_eq!(kept.server, server.to_string());
        assert!(
            !folder.join(FILE_NAME).exists(),
            "no file beside the keystore"
        );
        let entry = tokio::task::spawn_blocking(|| {
            keyring::Entry::new(SIGN_IN, "remembered").and_then(|e| e.get_password())
        })
        .await
        .unwrap()
        .expect("the keystore holds the sign-in");
        assert!(entry.contains("second-token"));
        // The app starts again: a new store reads the same sign-in.
        let again = SignInKeeper::start(Some(folder.clone()), Place::OsFirst);
        recalled(&again, Some("second-token")).await;
        // "Keep me signed in" left unticked: the next token is not kept.
        again.set_remember(false);
        again.token_keeper()(Some((&server, "third-token")));
        recalled(&again, None).await;
        // Signed out: nothing to resume.
        again.set_remember(true);
        again.token_keeper()(Some((&server, "fourth-token")));
        recalled(&again, Some("fourth-token")).await;
        again.token_keeper()(None);
        recalled(&again, None).await;
    });
}
