//! `mapview grep [-c] [-n] [-F] [-i] PATTERN DIR`. (Being written.)

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct GrepArgs {
    pub pattern: String,
    pub dir: PathBuf,
}

pub fn run(_args: GrepArgs) -> mapview::Result<ExitCode> {
    Err(mapview::Error::new(
        mapview::ErrorKind::Unsupported,
        "grep",
        "not built yet",
    ))
}
