//! mapview_search_dir called as C calls it: extern "C" callbacks, raw
//! pointers, every bad argument.

use std::ffi::{CStr, c_char, c_void};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::ptr;
use std::thread::ThreadId;

use mapview_ffi::*;

/// What the callbacks saw. (Nothing is asserted inside a callback: a
/// panic there cannot unwind into C and would abort the test run.)
#[derive(Default)]
struct Seen {
    lines: Vec<(String, u64, Vec<u8>)>,
    files: Vec<(String, u64, mapview_search_binary, u64)>,
    errors: Vec<(mapview_status, String)>,
    threads: Vec<ThreadId>,
    /// Stop (returning this) once this many lines were seen.
    stop_after_lines: Option<(usize, i32)>,
    path_nul_terminated: bool,
}

fn path_of(ptr: *const c_char, len: usize, seen: &mut Seen) -> String {
    // SAFETY: the library passes `len` bytes plus a NUL at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len + 1) };
    seen.path_nul_terminated = bytes[len] == 0;
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

unsafe extern "C" fn on_match(user: *mut c_void, m: *const mapview_search_match) -> i32 {
    // SAFETY: user_data is the &mut Seen the test passed; m is valid now.
    let (seen, m) = unsafe { (&mut *user.cast::<Seen>(), &*m) };
    seen.threads.push(std::thread::current().id());
    let path = path_of(m.path, m.path_len, seen);
    // SAFETY: line_len bytes at line, valid during the call.
    let line = unsafe { std::slice::from_raw_parts(m.line, m.line_len) }.to_vec();
    seen.lines.push((path, m.line_number, line));
    match seen.stop_after_lines {
        Some((n, code)) if seen.lines.len() >= n => code,
        _ => 0,
    }
}

unsafe extern "C" fn on_count(user: *mut c_void, f: *const mapview_search_file) -> i32 {
    // SAFETY: as in on_match.
    let (seen, f) = unsafe { (&mut *user.cast::<Seen>(), &*f) };
    seen.threads.push(std::thread::current().id());
    let path = path_of(f.path, f.path_len, seen);
    seen.files.push((path, f.count, f.binary, f.binary_offset));
    0
}

unsafe extern "C" fn on_error(user: *mut c_void, e: *const mapview_error) -> i32 {
    // SAFETY: as in on_match; the error is valid during the call.
    let seen = unsafe { &mut *user.cast::<Seen>() };
    seen.threads.push(std::thread::current().id());
    // SAFETY: the message is a NUL-terminated string owned by e.
    let msg = unsafe { CStr::from_ptr(mapview_error_message(e)) };
    seen.errors
        .push((mapview_error_code(e), msg.to_string_lossy().into_owned()));
    0
}

struct Call {
    status: mapview_status,
    summary: mapview_search_summary,
    message: String,
}

fn search_with(
    dir: &[u8],
    pattern: &[u8],
    options: Option<&mapview_search_options>,
    with_match: bool,
    seen: &mut Seen,
) -> Call {
    let mut summary = mapview_search_summary {
        files_searched: 99,
        ..Default::default()
    };
    let mut err = ptr::null_mut();
    let status = mapview_search_dir(
        dir.as_ptr().cast(),
        dir.len(),
        pattern.as_ptr().cast(),
        pattern.len(),
        options.map_or(ptr::null(), |o| o as *const _),
        if with_match { Some(on_match) } else { None },
        Some(on_count),
        (seen as *mut Seen).cast(),
        &mut summary,
        &mut err,
    );
    let message = error_text(err);
    assert_eq!(status == mapview_status::MAPVIEW_OK, err.is_null());
    Call {
        status,
        summary,
        message,
    }
}

fn error_text(err: *mut mapview_error) -> String {
    if err.is_null() {
        return String::new();
    }
    // SAFETY: err is an error object the library returned.
    let text = unsafe { CStr::from_ptr(mapview_error_message(err)) }
        .to_string_lossy()
        .into_owned();
    mapview_error_free(err);
    text
}

fn with_flags(flags: u32) -> mapview_search_options {
    let mut o = mapview_search_options_init();
    o.flags = flags;
    o
}

fn bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_bytes()
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, data: &[u8]| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    w("a.txt", b"foo\nbar\nFOO foo\n");
    w("sub/b.txt", b"x\r\nfoo\r\n");
    w(".hidden", b"foo\n");
    w("none", b"nothing\n");
    dir
}

#[test]
fn lines_and_counts_arrive_through_the_callbacks_on_the_calling_thread() {
    let dir = tree();
    let mut seen = Seen::default();
    let call = search_with(bytes(dir.path()), b"fo+", None, true, &mut seen);
    assert_eq!(call.status, mapview_status::MAPVIEW_OK);
    let root = dir.path().display().to_string();
    seen.lines.sort();
    assert_eq!(
        seen.lines,
        [
            (format!("{root}/.hidden"), 1, b"foo".to_vec()),
            (format!("{root}/a.txt"), 1, b"foo".to_vec()),
            (format!("{root}/a.txt"), 3, b"FOO foo".to_vec()),
            (format!("{root}/sub/b.txt"), 2, b"foo\r".to_vec()),
        ]
    );
    seen.files.sort();
    assert_eq!(seen.files.len(), 3);
    assert_eq!(
        seen.files[1],
        (format!("{root}/a.txt"), 2, MAPVIEW_SEARCH_BINARY_NONE, 0)
    );
    assert!(seen.path_nul_terminated);
    let me = std::thread::current().id();
    assert!(seen.threads.len() == 7 && seen.threads.iter().all(|t| *t == me));
    let s = call.summary;
    assert_eq!(
        (
            s.files_searched,
            s.files_matched,
            s.lines_matched,
            s.errors,
            s.stopped,
            s.stop_code
        ),
        (4, 3, 4, 0, false, 0)
    );
}

#[test]
fn flags_reach_the_search() {
    let dir = tree();
    let count = |flags: u32, pattern: &[u8]| {
        let mut seen = Seen::default();
        let call = search_with(
            bytes(dir.path()),
            pattern,
            Some(&with_flags(flags)),
            false,
            &mut seen,
        );
        assert_eq!(call.status, mapview_status::MAPVIEW_OK, "{}", call.message);
        call.summary.lines_matched
    };
    assert_eq!(count(0, b"fo."), 4);
    assert_eq!(count(MAPVIEW_SEARCH_FIXED_STRINGS, b"fo."), 0);
    assert_eq!(count(MAPVIEW_SEARCH_IGNORE_CASE, b"FOO"), 4);
    assert_eq!(count(MAPVIEW_SEARCH_SKIP_HIDDEN, b"foo"), 3);
    assert_eq!(count(MAPVIEW_SEARCH_COUNT_ONLY, b"foo"), 4);
    assert_eq!(
        count(
            MAPVIEW_SEARCH_COUNT_ONLY | MAPVIEW_SEARCH_IGNORE_CASE | MAPVIEW_SEARCH_FIXED_STRINGS,
            b"FOO"
        ),
        4
    );
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "a.txt\n").unwrap();
    assert_eq!(count(MAPVIEW_SEARCH_RESPECT_IGNORE_FILES, b"foo"), 2);
}

#[test]
fn nul_terminated_strings_are_accepted() {
    let dir = tree();
    let mut path = bytes(dir.path()).to_vec();
    path.push(0);
    let mut seen = Seen::default();
    let mut summary = mapview_search_summary::default();
    let status = mapview_search_dir(
        path.as_ptr().cast(),
        MAPVIEW_NUL_TERMINATED,
        c"b\\.txt|none".as_ptr(),
        MAPVIEW_NUL_TERMINATED,
        ptr::null(),
        None,
        Some(on_count),
        (&mut seen as *mut Seen).cast(),
        &mut summary,
        ptr::null_mut(),
    );
    assert_eq!(status, mapview_status::MAPVIEW_OK);
    assert_eq!(summary.files_matched, 0, "file names are not searched");
    assert_eq!(summary.files_searched, 4);
}

#[test]
fn null_arguments_are_refused_by_name() {
    let dir = tree();
    let d = bytes(dir.path());
    let mut summary = mapview_search_summary::default();
    let mut err = ptr::null_mut();
    let cases: [(
        *const c_char,
        *const c_char,
        *mut mapview_search_summary,
        &str,
    ); 3] = [
        (ptr::null(), c"x".as_ptr(), &mut summary, "dir"),
        (d.as_ptr().cast(), ptr::null(), &mut summary, "pattern"),
        (
            d.as_ptr().cast(),
            c"x".as_ptr(),
            ptr::null_mut(),
            "out_summary",
        ),
    ];
    for (dir_ptr, pattern, out, name) in cases {
        let status = mapview_search_dir(
            dir_ptr,
            d.len(),
            pattern,
            1,
            ptr::null(),
            None,
            None,
            ptr::null_mut(),
            out,
            &mut err,
        );
        assert_eq!(status, mapview_status::MAPVIEW_ERR_NULL_ARGUMENT, "{name}");
        let msg = error_text(err);
        assert!(msg.contains(&format!("'{name}'")), "{msg}");
    }
}

#[test]
fn bad_flags_and_options_are_refused() {
    let dir = tree();
    let mut seen = Seen::default();
    let call = search_with(
        bytes(dir.path()),
        b"foo",
        Some(&with_flags(1 << 20)),
        false,
        &mut seen,
    );
    assert_eq!(call.status, mapview_status::MAPVIEW_ERR_INVALID_FLAGS);
    assert!(call.message.contains("0x100000"), "{}", call.message);

    let count_only = with_flags(MAPVIEW_SEARCH_COUNT_ONLY);
    let call = search_with(
        bytes(dir.path()),
        b"foo",
        Some(&count_only),
        true,
        &mut seen,
    );
    assert_eq!(call.status, mapview_status::MAPVIEW_ERR_INVALID_FLAGS);
    assert!(call.message.contains("on_match"), "{}", call.message);

    let mut unsized_options = mapview_search_options_init();
    unsized_options.struct_size = 0;
    let call = search_with(
        bytes(dir.path()),
        b"foo",
        Some(&unsized_options),
        false,
        &mut seen,
    );
    assert_eq!(call.status, mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT);
    assert!(
        call.message.contains("mapview_search_options_init"),
        "{}",
        call.message
    );
    assert!(
        seen.lines.is_empty() && seen.files.is_empty(),
        "nothing was searched"
    );
}

#[test]
fn an_invalid_pattern_is_an_invalid_argument_naming_it() {
    let dir = tree();
    for pattern in [&b"(unclosed"[..], b"a\\nb", b"two\nlines"] {
        let mut seen = Seen::default();
        let call = search_with(bytes(dir.path()), pattern, None, true, &mut seen);
        assert_eq!(call.status, mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT);
        let shown = String::from_utf8_lossy(pattern).escape_debug().to_string();
        assert!(
            call.message.contains(&shown),
            "{} lacks {shown}",
            call.message
        );
        assert_eq!(
            call.summary.files_searched, 0,
            "the summary is zeroed on failure"
        );
    }
    let mut seen = Seen::default();
    let call = search_with(bytes(dir.path()), b"\xff\xfe", None, true, &mut seen);
    assert_eq!(call.status, mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT);
    assert!(call.message.contains("UTF-8"), "{}", call.message);
}

#[test]
fn a_missing_dir_is_not_found_naming_the_path() {
    let dir = tree();
    let missing = dir.path().join("not/here");
    let mut seen = Seen::default();
    let call = search_with(bytes(&missing), b"foo", None, true, &mut seen);
    assert_eq!(call.status, mapview_status::MAPVIEW_ERR_NOT_FOUND);
    assert!(
        call.message.contains(&missing.display().to_string()),
        "{}",
        call.message
    );
}

#[test]
fn a_callback_that_returns_non_zero_stops_the_search_with_ok() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        std::fs::write(dir.path().join(format!("f{i}")), b"foo\nfoo\n").unwrap();
    }
    let mut seen = Seen {
        stop_after_lines: Some((3, 42)),
        ..Seen::default()
    };
    let call = search_with(bytes(dir.path()), b"foo", None, true, &mut seen);
    assert_eq!(call.status, mapview_status::MAPVIEW_OK);
    assert!(call.summary.stopped);
    assert_eq!(call.summary.stop_code, 42);
    assert_eq!(
        seen.lines.len(),
        3,
        "no callback after the one that stopped"
    );
    assert_eq!(seen.files.len(), 1, "only the first file was complete");
}

#[test]
fn unsearchable_files_go_to_on_error_and_the_summary() {
    let dir = tree();
    // Root reads any file mode, but not /proc/self/mem at offset 0.
    symlink("/proc/self/mem", dir.path().join("unreadable")).unwrap();
    let mut options = with_flags(MAPVIEW_SEARCH_FOLLOW_LINKS);
    options.on_error = Some(on_error);
    let mut seen = Seen::default();
    let call = search_with(bytes(dir.path()), b"foo", Some(&options), false, &mut seen);
    assert_eq!(call.status, mapview_status::MAPVIEW_OK);
    assert_eq!(call.summary.errors, 1);
    assert_eq!(
        call.summary.files_matched, 3,
        "the other files were searched"
    );
    assert_eq!(seen.errors.len(), 1);
    assert_eq!(seen.errors[0].0, mapview_status::MAPVIEW_ERR_IO);
    assert!(
        seen.errors[0].1.contains("unreadable"),
        "{}",
        seen.errors[0].1
    );
    // Without on_error they are still counted.
    let mut seen = Seen::default();
    let call = search_with(
        bytes(dir.path()),
        b"foo",
        Some(&with_flags(MAPVIEW_SEARCH_FOLLOW_LINKS)),
        false,
        &mut seen,
    );
    assert_eq!(call.summary.errors, 1);
}

#[test]
fn binary_files_report_how_they_were_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    // A NUL at the start of a matching line, so that a named search sees it too.
    let mut data = b"foo\n".repeat(40_000);
    data.insert(150_000, 0);
    std::fs::write(dir.path().join("bin"), &data).unwrap();
    let mut seen = Seen::default();
    let call = search_with(bytes(dir.path()), b"foo", None, true, &mut seen);
    assert_eq!(call.status, mapview_status::MAPVIEW_OK);
    let (_, count, binary, offset) = seen.files[0].clone();
    assert_eq!((binary, offset), (MAPVIEW_SEARCH_BINARY_STOPPED, 150_000));
    assert_eq!(count as usize, seen.lines.len());
    assert!(count > 0 && count < 40_000);
    // Named directly, the file is searched whole and marked as binary.
    let file = dir.path().join("bin");
    let mut seen = Seen::default();
    search_with(bytes(&file), b"foo", None, true, &mut seen);
    assert_eq!(seen.files[0].2, MAPVIEW_SEARCH_BINARY_MATCHES);
}
