//! `mapview`: the command that puts the library to work.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod grep;
mod log;

#[derive(Parser)]
#[command(name = "mapview", version, about = "Memory-mapped files put to work")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Append to, print, follow or verify an event log file.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// Search every file under a directory, like `rg --no-ignore --hidden`.
    Grep(grep::GrepArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Log(cmd) => log::run(cmd),
        Command::Grep(args) => grep::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mapview: {e}");
            ExitCode::from(2)
        }
    }
}
