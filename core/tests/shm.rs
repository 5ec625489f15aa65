//! Shared memory across real processes: this test binary runs again as a
//! child (selected by an environment variable) that opens the region by
//! name, by /proc/<pid>/fd/<fd> or by an inherited descriptor, and the two
//! processes see each other's writes.

use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mapview::array::{Array, DType, Order};
use mapview::{ErrorKind, SharedMemory, ShmKind};

const CHILD_ENV: &str = "MAPVIEW_SHM_CHILD";

fn unique(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "mapview-test-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A word of the region, read and written atomically by both processes.
fn word(shm: &SharedMemory, i: usize) -> &AtomicU64 {
    let bytes = &shm[i * 8..i * 8 + 8];
    // SAFETY: the region is page-aligned, so 8-byte words are aligned; the
    // memory lives as long as `shm`, and every access from any process
    // goes through atomics.
    unsafe { &*bytes.as_ptr().cast::<AtomicU64>() }
}

/// Waits until word `i` is at least `value`.
fn wait_for(shm: &SharedMemory, i: usize, value: u64) {
    let start = Instant::now();
    while word(shm, i).load(Ordering::Acquire) < value {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "word {i} never reached {value}"
        );
        std::thread::yield_now();
    }
}

/// The child: how to open the region comes in the environment.
/// Protocol: word 0 is the parent's counter; the child answers in word
/// `slot` (1 unless MAPVIEW_SHM_CHILD_SLOT says otherwise).
#[test]
fn shm_child_process() {
    let Ok(how) = std::env::var(CHILD_ENV) else {
        return;
    };
    let shm = match how.split_once(':') {
        Some(("name", name)) => SharedMemory::open(name).unwrap(),
        Some(("proc", rest)) => {
            let (pid, fd) = rest.split_once(':').unwrap();
            SharedMemory::open_proc(pid.parse().unwrap(), fd.parse().unwrap()).unwrap()
        }
        Some(("fd", fd)) => {
            let fd: i32 = fd.parse().unwrap();
            // SAFETY: the parent left this descriptor open across exec.
            let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
            SharedMemory::open_fd(borrowed).unwrap()
        }
        Some(("array", name)) => {
            let mut a = Array::from_npy(SharedMemory::open(name).unwrap()).unwrap();
            assert_eq!(a.shape(), &[4, 3]);
            let xs = a.as_mut_slice::<i64>().unwrap();
            assert_eq!(xs[5], 55, "the parent's write is visible");
            xs[7] = 77;
            println!("child done");
            return;
        }
        _ => panic!("bad {CHILD_ENV}: {how}"),
    };
    // Ping-pong: the parent writes n into word 0, the child answers n + 1000
    // in its slot, for 100 rounds; then the child reads the parent's block.
    let slot: usize = std::env::var("MAPVIEW_SHM_CHILD_SLOT").map_or(1, |s| s.parse().unwrap());
    for n in 1..=100u64 {
        wait_for(&shm, 0, n);
        word(&shm, slot).store(n + 1000, Ordering::Release);
    }
    assert!(shm[64..4096].iter().all(|&b| b == 0xAB), "parent's block");
    println!("child done, len {}", shm.len());
}

fn run_child(how: String, setup: impl FnOnce(&mut Command)) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "shm_child_process",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, how)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    setup(&mut cmd);
    cmd.spawn().unwrap()
}

fn ping_pong(shm: &mut SharedMemory, child: std::process::Child) {
    shm[64..4096].fill(0xAB);
    for n in 1..=100u64 {
        word(shm, 0).store(n, Ordering::Release);
        wait_for(shm, 1, n + 1000);
    }
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {text}");
    assert!(text.contains("child done, len 65536"), "{text}");
}

#[test]
fn named_region_between_processes() {
    let name = unique("named");
    let mut shm = SharedMemory::create(&name, 65536).unwrap();
    assert_eq!(shm.kind(), ShmKind::Named);
    assert_eq!(shm.name(), Some(name.as_str()));
    assert!(shm.iter().all(|&b| b == 0));
    let child = run_child(format!("name:{name}"), |_| {});
    ping_pong(&mut shm, child);
    SharedMemory::unlink(&name).unwrap();
    assert_eq!(
        SharedMemory::open(&name).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        SharedMemory::unlink(&name).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn memfd_region_through_proc_path() {
    let mut shm = SharedMemory::create_memfd(65536).unwrap();
    assert_eq!(shm.kind(), ShmKind::Memfd);
    let seals = shm.seals();
    assert!(
        seals.shrink && seals.grow && seals.seal && !seals.write,
        "{seals:?}"
    );
    let how = format!("proc:{}:{}", std::process::id(), shm.as_fd().as_raw_fd());
    let child = run_child(how, |_| {});
    ping_pong(&mut shm, child);
}

#[test]
fn memfd_region_through_inherited_descriptor() {
    use std::os::unix::process::CommandExt;
    let mut shm = SharedMemory::create_memfd(65536).unwrap();
    let fd = shm.as_fd().as_raw_fd();
    let child = run_child(format!("fd:{fd}"), |cmd| {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                // Clear close-on-exec so the program started keeps the region.
                if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    });
    ping_pong(&mut shm, child);
}

#[test]
fn sealed_memfd_cannot_be_truncated() {
    let shm = SharedMemory::create_memfd(8192).unwrap();
    // Even opened afresh through /proc, as another process would.
    let other = SharedMemory::open_proc(std::process::id(), shm.as_fd().as_raw_fd()).unwrap();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(shm.proc_path())
        .unwrap();
    let err = file.set_len(100).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM), "{err}");
    assert!(file.set_len(1 << 20).is_err(), "growing is sealed too");
    assert_eq!(other.len(), 8192);
}

#[test]
fn array_in_named_region_between_processes() {
    let name = unique("array");
    let mut a = Array::create_shared(Some(&name), DType::I64, &[4, 3], Order::C).unwrap();
    a.as_mut_slice::<i64>().unwrap()[5] = 55;
    let out = run_child(format!("array:{name}"), |_| {})
        .wait_with_output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert_eq!(
        a.as_slice::<i64>().unwrap()[7],
        77,
        "the child's write is visible"
    );
    assert_eq!(a.sum().as_f64(), 132.0);
    SharedMemory::unlink(&name).unwrap();
}

#[test]
fn many_readers_see_one_writer() {
    // One writer process (this one) and four reader processes, each
    // waiting for a generation number and checking the block written for it.
    let name = unique("readers");
    let mut shm = SharedMemory::create(&name, 1 << 16).unwrap();
    shm[64..4096].fill(0xAB);
    let children: Vec<_> = (1..=4)
        .map(|slot| {
            run_child(format!("name:{name}"), |cmd| {
                cmd.env("MAPVIEW_SHM_CHILD_SLOT", slot.to_string());
            })
        })
        .collect();
    // Each round, every reader answers in its own word.
    for n in 1..=100u64 {
        word(&shm, 0).store(n, Ordering::Release);
        for slot in 1..=4 {
            wait_for(&shm, slot, n + 1000);
        }
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("child done"), "{text}");
    }
    SharedMemory::unlink(&name).unwrap();
    shm[0] = 0;
}

#[test]
fn names_are_validated() {
    for bad in ["", "a/b", "/lead", ".", "..", "nul\0byte"] {
        let err = SharedMemory::create(bad, 4096).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
        assert_eq!(
            SharedMemory::open(bad).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            SharedMemory::unlink(bad).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
    let long = "x".repeat(256);
    let err = SharedMemory::create(&long, 4096).unwrap_err();
    assert!(err.to_string().contains("at most 255"), "{err}");
    assert!(mapview::validate_shm_name(&"y".repeat(255)).is_ok());
}

#[test]
fn existing_names_sizes_and_clones() {
    let name = unique("exists");
    let a = SharedMemory::create(&name, 100).unwrap();
    let err = SharedMemory::create(&name, 100).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    assert!(err.to_string().contains(&name), "{err}");
    assert_eq!(a.len(), 100);
    let mut b = a.try_clone().unwrap();
    b[99] = 9;
    assert_eq!(a[99], 9, "a clone maps the same memory");
    drop(a);
    let c = SharedMemory::open(&name).unwrap();
    assert_eq!(c[99], 9);
    SharedMemory::unlink(&name).unwrap();
    assert_eq!(b[99], 9, "unlink keeps open mappings");
    assert_eq!(
        SharedMemory::create(&unique("zero"), 0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        SharedMemory::create_memfd(0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    // No temporary files are left behind in /dev/shm.
    let pid = std::process::id().to_string();
    let leftovers: Vec<_> = std::fs::read_dir(mapview::SHM_DIR)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".mapview-{pid}-"))
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn opening_by_bad_descriptors() {
    let err = SharedMemory::open_proc(std::process::id(), 999_999).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let d = std::fs::File::open(dir.path()).unwrap();
    use std::os::fd::AsFd;
    let err = SharedMemory::open_fd(d.as_fd()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    // A read-only descriptor cannot be mapped read-write.
    let path = dir.path().join("ro");
    std::fs::write(&path, [0u8; 64]).unwrap();
    let ro = std::fs::File::open(&path).unwrap();
    let err = SharedMemory::open_fd(ro.as_fd()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}
