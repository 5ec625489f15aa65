mod common;
use common::{file_with, pattern};
use mapview::{ErrorKind, Map, MapOptions, page_size};

#[test]
fn whole_file_reads_the_files_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(3 * page_size() + 17);
    let path = file_with(&dir, "f", &data);
    let map = Map::open(&path).unwrap();
    assert_eq!(&map[..], &data[..]);
    assert_eq!(map.len(), data.len());
    assert_eq!(map.path(), Some(path.as_path()));
    assert_eq!(map.file_offset(), 0);
}

#[test]
fn range_starts_exactly_at_any_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(3 * page_size() + 100);
    let path = file_with(&dir, "f", &data);
    let p = page_size() as u64;
    for &(off, len) in &[
        (0, 1),
        (1, 10),
        (4095, 2),
        (p - 1, p + 2),
        (p, 5),
        (p + 7, 2 * p),
        (3 * p + 99, 1),
    ] {
        let map = Map::open_range(&path, off, len).unwrap();
        assert_eq!(
            &map[..],
            &data[off as usize..(off + len) as usize],
            "offset {off} len {len}"
        );
        assert_eq!(map.file_offset(), off);
    }
}

#[test]
fn offset_to_end_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(5000);
    let path = file_with(&dir, "f", &data);
    let map = MapOptions::new().offset(1234).open(&path).unwrap();
    assert_eq!(&map[..], &data[1234..]);
    let at_end = MapOptions::new().offset(5000).open(&path).unwrap();
    assert!(at_end.is_empty());
}

#[test]
fn zero_length_file_maps_to_an_empty_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "empty", b"");
    let map = Map::open(&path).unwrap();
    assert!(map.is_empty());
    assert_eq!(&map[..], b"");
    // The operations on an empty map succeed and do nothing.
    map.advise(mapview::Advice::Random).unwrap();
    assert_eq!(map.populate().unwrap(), mapview::PopulateMethod::Nothing);
    map.lock().unwrap();
    map.unlock().unwrap();
    let r = Map::open_range(&path, 0, 0).unwrap();
    assert!(r.is_empty());
}

#[test]
fn zero_length_range_of_a_nonempty_file_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", b"abc");
    assert!(Map::open_range(&path, 2, 0).unwrap().is_empty());
    assert!(Map::open_range(&path, 3, 0).unwrap().is_empty());
}

#[test]
fn range_past_the_end_is_invalid_and_names_path_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(100));
    let err = Map::open_range(&path, 90, 11).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(err.path(), Some(path.as_path()));
    assert_eq!(
        err.range(),
        Some(mapview::ByteRange {
            offset: 90,
            len: 11
        })
    );
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("offset 90, length 11"), "{msg}");
    assert!(msg.contains("past the end"), "{msg}");
    assert_eq!(
        err.invalid_reason(),
        Some(mapview::InvalidReason::OutOfRange)
    );

    let err = Map::open_range(&path, 101, 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = MapOptions::new().offset(101).open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn offset_plus_length_overflow_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(100));
    let err = Map::open_range(&path, u64::MAX - 5, 10).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("overflows"), "{err}");
    assert_eq!(err.invalid_reason(), Some(mapview::InvalidReason::Overflow));
    let err = Map::open_range(&path, 1, u64::MAX).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn missing_file_is_not_found_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-file");
    let err = Map::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.op(), "open");
    assert!(err.to_string().contains("no-such-file"), "{err}");
    assert!(err.os_error().is_some());
}

#[test]
fn directory_is_refused_as_invalid_argument() {
    let dir = tempfile::tempdir().unwrap();
    let err = Map::open(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("is a directory"), "{err}");
    let err = mapview::MapMut::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::InvalidArgument | ErrorKind::PermissionDenied
        ),
        "{err}"
    );
}

#[test]
fn fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fifo");
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let err = Map::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("FIFO"), "{err}");
}

#[test]
fn device_is_refused() {
    let err = Map::open("/dev/null").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("device"), "{err}");
}

#[test]
fn map_outlives_the_path_being_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", b"still here");
    let map = Map::open(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(&map[..], b"still here");
}

#[test]
fn error_converts_to_io_error_with_the_same_kind() {
    let err = Map::open("/definitely/not/here").unwrap_err();
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}
