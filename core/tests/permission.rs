//! Permission errors. Root bypasses file modes, so as root the check runs
//! in a child process (this test binary again) under an unprivileged uid.
mod common;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;

use mapview::{ErrorKind, Map, MapMut};

const CHILD_ENV: &str = "MAPVIEW_PERMISSION_CHILD_PATH";

fn assert_denied(path: &std::path::Path) {
    let err = Map::open(path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    let err = MapMut::open(path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

#[test]
fn unreadable_file_is_permission_denied() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = common::file_with(&dir, "secret", b"secret");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        assert_denied(&path);
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "permission_child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {text}");
    assert!(
        text.contains("checked permission denied"),
        "child did not run the check: {text}"
    );
}

/// Runs only inside the child started above (as an unprivileged user).
#[test]
fn permission_child_process() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    assert_denied(std::path::Path::new(&path));
    println!("checked permission denied");
}
