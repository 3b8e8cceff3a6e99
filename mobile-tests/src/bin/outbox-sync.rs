//! `outbox-sync SERVER LOGIN OUTBOX`: signs in (password from
//! `ROLLCALL_PASSWORD`), sends everything in the outbox file, prints how many
//! claims were answered, and exits. The crash-safety journey kills it at random
//! points.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failed set-up step fails the test that called it"
)]

use std::path::PathBuf;
use std::process::ExitCode;

use rollcall_app::ServerClient;
use rollcall_checkin::sqlite::Outbox;
use rollcall_checkin::sync;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [server, login, path] = args.as_slice() else {
        eprintln!("usage: outbox-sync SERVER LOGIN OUTBOX (password in ROLLCALL_PASSWORD)");
        return ExitCode::from(2);
    };
    let password = std::env::var("ROLLCALL_PASSWORD").unwrap_or_default();
    let client = ServerClient::new();
    if let Err(e) = client.login(server, login, &password).await {
        eprintln!("outbox-sync: {e}");
        return ExitCode::FAILURE;
    }
    let outbox = match Outbox::open(&PathBuf::from(path)).await {
        Ok(outbox) => outbox,
        Err(e) => {
            eprintln!("outbox-sync: {e}");
            return ExitCode::FAILURE;
        }
    };
    match sync::sync_once(&client, &outbox).await {
        Ok(answered) => {
            println!("{}", answered.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("outbox-sync: {e}");
            ExitCode::FAILURE
        }
    }
}
