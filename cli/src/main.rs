//! `mapview`: the command that puts the library to work.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod grep;
mod log;
mod run;

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
    /// Run a WebAssembly guest over mapped files and print what it returns.
    Run(run::RunArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Log(cmd) => log::run(cmd),
        Command::Grep(args) => grep::run(args),
        Command::Run(args) => run::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mapview: {e}");
            ExitCode::from(2)
        }
    }
}
