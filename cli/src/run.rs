//! `mapview run GUEST.wasm --map NAME=PATH[:rw] ... [--map-dir DIR] [-- ARGS...]`:
//! runs a guest over mapped files and prints what it returns.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use mapview_wasm::{Host, HostConfig, WasmError};

#[derive(clap::Args)]
pub struct RunArgs {
    /// The guest module (.wasm, or .wat text).
    guest: PathBuf,
    /// A file to view: NAME=PATH, or NAME=PATH:rw for a read-write view.
    #[arg(long = "map", value_name = "NAME=PATH[:rw]")]
    maps: Vec<String>,
    /// Views every regular file under DIR, named by relative path.
    #[arg(long = "map-dir", value_name = "DIR")]
    map_dirs: Vec<PathBuf>,
    /// The most files --map-dir may view.
    #[arg(long, default_value_t = 1024)]
    max_views: usize,
    /// The exported function to call.
    #[arg(long, default_value = "run")]
    invoke: String,
    /// Time limit in milliseconds (0: none).
    #[arg(long, default_value_t = 60_000)]
    timeout_ms: u64,
    /// Fuel limit (0: none).
    #[arg(long, default_value_t = 0)]
    fuel: u64,
    /// The most the guest's own memory may grow to, in MiB.
    #[arg(long, default_value_t = 256)]
    max_memory_mib: usize,
    /// Arguments for the guest: its function's integer parameters, in
    /// order, and all of them as strings through mapview.arg_*.
    #[arg(last = true)]
    args: Vec<String>,
}

/// NAME=PATH[:rw]
fn parse_map(spec: &str) -> Result<(String, PathBuf, bool), String> {
    let (name, rest) = spec
        .split_once('=')
        .ok_or_else(|| format!("--map {spec}: expected NAME=PATH[:rw]"))?;
    if name.is_empty() {
        return Err(format!("--map {spec}: the view needs a name"));
    }
    let (path, writable) = match rest.strip_suffix(":rw") {
        Some(p) => (p, true),
        None => (rest.strip_suffix(":ro").unwrap_or(rest), false),
    };
    if path.is_empty() {
        return Err(format!("--map {spec}: the view needs a path"));
    }
    Ok((name.to_string(), PathBuf::from(path), writable))
}

pub fn run(a: RunArgs) -> mapview::Result<ExitCode> {
    match run_guest(&a) {
        Ok(code) => Ok(code),
        Err(e) => {
            eprintln!("mapview run: {}: {e}", a.guest.display());
            Ok(ExitCode::from(1))
        }
    }
}

fn run_guest(a: &RunArgs) -> Result<ExitCode, WasmError> {
    let bad = |m: String| WasmError::new(mapview_wasm::WasmErrorKind::View, m);
    let config = HostConfig {
        fuel: (a.fuel > 0).then_some(a.fuel),
        timeout: (a.timeout_ms > 0).then(|| Duration::from_millis(a.timeout_ms)),
        max_memory: a.max_memory_mib << 20,
        max_views: a.max_views,
        ..HostConfig::default()
    };
    let host = Host::new(config)?;
    let module = host.load_file(&a.guest)?;
    let mut guest = host.instantiate(&module)?;
    for spec in &a.maps {
        let (name, path, writable) = parse_map(spec).map_err(bad)?;
        guest.attach_file(&name, &path, writable)?;
    }
    for dir in &a.map_dirs {
        guest.attach_dir(dir, a.max_views)?;
    }
    guest.set_args(a.args.iter().map(|s| s.as_bytes().to_vec()).collect());
    // Integer parameters come from the leading arguments.
    let wanted = guest.param_count(&a.invoke)?;
    let ints = a
        .args
        .iter()
        .take(wanted)
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| bad(format!("argument '{s}' of {} is not an integer", a.invoke)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let results = guest.call(&a.invoke, &ints);
    // Whatever the guest printed comes first, even when it then trapped.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&guest.take_output());
    for r in results? {
        let _ = writeln!(out, "{r}");
    }
    guest.flush()?;
    Ok(ExitCode::SUCCESS)
}
