//! Installs what the build and the tests need, once: Debian packages (when
//! root; otherwise prints the exact apt line), Rust targets, the pinned
//! trunk / wasm-bindgen-cli / tauri-driver, wasm-opt from npm's binaryen, and the ONNX
//! Runtime library the face pipeline loads (from the PyPI wheel: Debian has no package and
//! `ort`'s own download is not allowed here).

use std::path::PathBuf;
use std::process::Command;

use crate::shell::{self, output, run, step, Result};

/// Debian packages: the Tauri/WebKitGTK build, Xvfb and WebKitWebDriver for
/// the desktop tests, and Postgres for the private database.
const DEBIAN_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libssl-dev",
    "libxdo-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "postgresql",
    // A session bus and GNOME Keyring: the device-key tests use a real Secret Service.
    "dbus",
    "gnome-keyring",
    // xdotool: the export journey answers the system's save dialog as a person would.
    "xdotool",
    // pdftotext: the report tests read the PDFs back.
    "poppler-utils",
    // BLE through BlueZ (btleplug links libdbus); the BLE test runs a mock BlueZ.
    "libdbus-1-dev",
    "python3-dbusmock",
    // Checking the app for Android without the NDK: clang compiles the C parts
    // (ring, SQLite) against aarch64 headers; nothing is linked.
    "clang",
    "llvm",
    "libc6-dev-arm64-cross",
    // A virtual environment for Schemathesis (PyPI), run over the API document.
    "python3-venv",
];

const RUST_TARGETS: &[&str] = &["wasm32-unknown-unknown", "aarch64-linux-android"];

/// (crate, version, `--locked`, features): pinned because newer releases need a
/// newer rustc, wasm-bindgen-cli must equal the `wasm-bindgen` in Cargo.lock, and
/// sqlx-cli the `sqlx` (its query files are read by sqlx's macros).
const CARGO_TOOLS: &[(&str, &str, bool, &str)] = &[
    ("tauri-driver", "2.1.0", true, ""),
    ("wasm-bindgen-cli", "0.2.130", false, ""),
    ("trunk", "0.21.14", true, ""),
    ("sqlx-cli", "0.8.6", true, "rustls,postgres"),
];

/// The binaryen release whose wasm-opt reads rustc's output (Debian's is too old).
const BINARYEN: &str = "binaryen@132.0.0";

/// The ONNX Runtime release `ort = "=2.0.0-rc.15"` with `api-31` is built against, and
/// the library file its PyPI wheel carries.
const ONNXRUNTIME_VERSION: &str = "1.31.1";
const ONNXRUNTIME_LIB: &str = "libonnxruntime.so.1.31.1";

/// Schemathesis, which the API tests run over the server's OpenAPI document
/// (pinned so that a new release's new checks land through a change here).
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// The aiosmtpd the journeys' mail goes to.
const AIOSMTPD_VERSION: &str = "1.4.6";

/// Where the tools live, to put first on PATH.
#[derive(Debug, Clone)]
pub struct Tools {
    /// `$CARGO_HOME/bin`.
    pub cargo_bin: PathBuf,
    /// The folder holding npm's `wasm-opt`.
    pub binaryen_bin: PathBuf,
    /// `libonnxruntime.so.1.31.1`, for `ORT_DYLIB_PATH`.
    pub onnxruntime: PathBuf,
    /// Schemathesis's `st`, for `ROLLCALL_SCHEMATHESIS`.
    pub schemathesis: PathBuf,
    /// `aiosmtpd`, the SMTP server the journeys' mail goes to.
    pub aiosmtpd: PathBuf,
}

impl Tools {
    /// PATH with the tool folders first.
    pub fn path(&self) -> std::ffi::OsString {
        let mut dirs = vec![self.binaryen_bin.clone(), self.cargo_bin.clone()];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(dirs).unwrap_or_default()
    }
}

/// Installs everything missing and returns where the tools are.
pub fn ensure_all() -> Result<Tools> {
    ensure_debian_packages()?;
    ensure_rust_targets()?;
    let cargo_bin = cargo_home().join("bin");
    ensure_cargo_tools()?;
    let binaryen_bin = ensure_binaryen()?;
    let onnxruntime = ensure_onnxruntime()?;
    let schemathesis = ensure_schemathesis()?;
    let aiosmtpd = ensure_aiosmtpd()?;
    Ok(Tools {
        cargo_bin,
        binaryen_bin,
        onnxruntime,
        schemathesis,
        aiosmtpd,
    })
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0")
}

fn ensure_debian_packages() -> Result<()> {
    step("Debian packages");
    let mut missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|pkg| {
            !output("dpkg-query", &["-W", "-f=${Status}", pkg])
                .is_some_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if !shell::on_path("npm") {
        missing.extend(["nodejs", "npm"]);
    }
    if missing.is_empty() {
        println!("    all present");
        return Ok(());
    }
    let line = format!("apt-get install -y {}", missing.join(" "));
    if !is_root() {
        return Err(format!(
            "missing Debian packages; run as root:\n    sudo apt-get update && sudo {line}"
        ));
    }
    println!("    installing: {}", missing.join(" "));
    run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )?;
    run(
        "apt-get install",
        Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn ensure_rust_targets() -> Result<()> {
    step("Rust targets");
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let missing: Vec<&str> = RUST_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l == *t))
        .collect();
    if missing.is_empty() {
        println!("    all present");
        return Ok(());
    }
    run(
        "rustup target add",
        Command::new("rustup")
            .arg("target")
            .arg("add")
            .args(&missing),
    )
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME").map_or_else(
        || {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
                .join(".cargo")
        },
        PathBuf::from,
    )
}

fn ensure_cargo_tools() -> Result<()> {
    step("Pinned tools (trunk, wasm-bindgen-cli, tauri-driver, sqlx-cli)");
    let listed = shell::cargo()
        .args(["install", "--list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    for (krate, version, locked, features) in CARGO_TOOLS {
        if listed
            .lines()
            .any(|l| l.starts_with(&format!("{krate} v{version}:")))
        {
            println!("    {krate} {version} present");
            continue;
        }
        println!("    installing {krate} {version} (a few minutes, once)");
        let mut cmd = shell::cargo();
        cmd.args(["install", krate, "--version", version]);
        if *locked {
            cmd.arg("--locked");
        }
        if !features.is_empty() {
            cmd.args(["--no-default-features", "--features", features]);
        }
        run(&format!("cargo install {krate}"), &mut cmd)?;
    }
    Ok(())
}

fn tools_cache() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".cache/rollcall-tools")
}

fn ensure_binaryen() -> Result<PathBuf> {
    step("wasm-opt (npm binaryen)");
    let prefix = tools_cache().join("binaryen");
    let bin = prefix.join("node_modules/.bin");
    if bin.join("wasm-opt").is_file() {
        println!("    present");
        return Ok(bin);
    }
    std::fs::create_dir_all(&prefix).map_err(|e| format!("creating {}: {e}", prefix.display()))?;
    run(
        "npm install binaryen",
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(BINARYEN),
    )?;
    Ok(bin)
}

/// Unpacks `libonnxruntime.so.1.31.1` from the `onnxruntime` wheel on PyPI into
/// `~/.cache/rollcall-tools/onnxruntime/`, once. pip fetches the wheel through its normal
/// index; Python's zipfile takes the one file out (written under a temporary name and
/// renamed, so an interrupted run never leaves half a library behind).
fn ensure_onnxruntime() -> Result<PathBuf> {
    step("ONNX Runtime library (PyPI wheel onnxruntime)");
    let dir = tools_cache().join("onnxruntime");
    let lib = dir.join(ONNXRUNTIME_LIB);
    if lib.is_file() {
        println!("    present");
        return Ok(lib);
    }
    let wheels = dir.join("wheel");
    std::fs::create_dir_all(&wheels).map_err(|e| format!("creating {}: {e}", wheels.display()))?;
    run(
        "pip download onnxruntime",
        Command::new("python3")
            .args(["-m", "pip", "download"])
            .arg(format!("onnxruntime=={ONNXRUNTIME_VERSION}"))
            .args(["--no-deps", "--only-binary=:all:", "-d"])
            .arg(&wheels),
    )?;
    let extract = format!(
        "import glob, os, sys, zipfile\n\
         wheels = sorted(glob.glob(os.path.join(sys.argv[1], 'onnxruntime-{ONNXRUNTIME_VERSION}-*.whl')))\n\
         if not wheels: sys.exit('no onnxruntime {ONNXRUNTIME_VERSION} wheel was downloaded')\n\
         data = zipfile.ZipFile(wheels[-1]).read('onnxruntime/capi/{ONNXRUNTIME_LIB}')\n\
         tmp = sys.argv[2] + '.part'\n\
         open(tmp, 'wb').write(data)\n\
         os.rename(tmp, sys.argv[2])\n"
    );
    run(
        "unpack libonnxruntime",
        Command::new("python3")
            .arg("-c")
            .arg(extract)
            .arg(&wheels)
            .arg(&lib),
    )?;
    Ok(lib)
}

/// Installs Schemathesis into its own virtual environment, once.
fn ensure_schemathesis() -> Result<PathBuf> {
    step("Schemathesis (PyPI), for the API document's fuzz test");
    ensure_pypi_tool("schemathesis", "st", SCHEMATHESIS_VERSION, |v| {
        v == format!("st, version {SCHEMATHESIS_VERSION}")
    })
}

/// Installs aiosmtpd into its own virtual environment, once: a real SMTP
/// server on loopback that keeps the server's mail in a maildir for the
/// journeys to read.
fn ensure_aiosmtpd() -> Result<PathBuf> {
    step("aiosmtpd (PyPI), the journeys' mail server");
    ensure_pypi_tool("aiosmtpd", "aiosmtpd", AIOSMTPD_VERSION, |v| {
        v.ends_with(AIOSMTPD_VERSION)
    })
}

/// The `binary` of PyPI's `package` at `version`, in a virtual environment of
/// its own under `~/.cache/rollcall-tools/<package>/` (Debian's Python refuses
/// `pip install` outside one); installed unless `--version` already answers
/// what `present` accepts.
fn ensure_pypi_tool(
    package: &str,
    binary: &str,
    version: &str,
    present: impl Fn(&str) -> bool,
) -> Result<PathBuf> {
    let venv = tools_cache().join(package);
    let tool = venv.join("bin").join(binary);
    if output(&tool, &["--version"]).is_some_and(|v| present(v.trim())) {
        println!("    present");
        return Ok(tool);
    }
    run(
        "python3 -m venv",
        Command::new("/usr/bin/python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
    )?;
    run(
        &format!("pip install {package}"),
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("{package}=={version}")),
    )?;
    Ok(tool)
}
