//! `sqlx::migrate!` embeds `migrations/` when this crate is compiled; without
//! this, adding a migration file alone does not rebuild the server, and the new
//! migration is silently missing from it.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
