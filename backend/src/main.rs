//! `rollcall-server`: see `rollcall_server::cli` for the subcommands.

fn main() -> std::process::ExitCode {
    rollcall_server::cli::main()
}
