mod common;
use common::{file_with, pattern};
use mapview::{ErrorKind, Map, MapKind, MapMut, MapOptions, page_size};

#[test]
fn shared_writes_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(10_000));
    let mut map = MapMut::open(&path).unwrap();
    assert_eq!(map.kind(), MapKind::Shared);
    map[0..5].copy_from_slice(b"HELLO");
    map[9_995..].copy_from_slice(b"WORLD");
    map.flush().unwrap();
    let back = std::fs::read(&path).unwrap();
    assert_eq!(&back[..5], b"HELLO");
    assert_eq!(&back[9_995..], b"WORLD");
    // Another map of the same file sees the writes even before a flush.
    map[5..7].copy_from_slice(b"!!");
    let other = Map::open(&path).unwrap();
    assert_eq!(&other[5..7], b"!!");
}

#[test]
fn flush_range_sync_and_async() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &vec![0u8; 3 * page_size()]);
    let mut map = MapMut::open(&path).unwrap();
    let p = page_size();
    map[p + 3] = 7;
    map.flush_range(p + 3, 1).unwrap();
    map[2 * p + 1] = 9;
    map.flush_async_range(2 * p, 10).unwrap();
    map.flush_async().unwrap();
    let back = std::fs::read(&path).unwrap();
    assert_eq!(back[p + 3], 7);
    assert_eq!(back[2 * p + 1], 9);
}

#[test]
fn flush_range_outside_the_map_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &[0u8; 100]);
    let map = MapMut::open(&path).unwrap();
    let err = map.flush_range(50, 51).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        err.range(),
        Some(mapview::ByteRange {
            offset: 50,
            len: 51
        })
    );
    let err = map.flush_range(usize::MAX, 2).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn ranged_read_write_map_writes_at_the_right_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &vec![b'.'; 3 * page_size()]);
    let off = page_size() as u64 + 13;
    let mut map = MapOptions::new()
        .range(off, 4)
        .open_read_write(&path)
        .unwrap();
    map.copy_from_slice(b"abcd");
    map.flush().unwrap();
    let back = std::fs::read(&path).unwrap();
    assert_eq!(&back[off as usize..off as usize + 4], b"abcd");
    assert_eq!(back[off as usize - 1], b'.');
    assert_eq!(back[off as usize + 4], b'.');
}

#[test]
fn private_writes_never_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", b"original contents");
    let mut map = MapMut::open_private(&path).unwrap();
    assert_eq!(map.kind(), MapKind::Private);
    map[0..8].copy_from_slice(b"CHANGED!");
    assert_eq!(&map[..8], b"CHANGED!");
    let err = map.flush().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    drop(map);
    assert_eq!(std::fs::read(&path).unwrap(), b"original contents");
}

#[test]
fn private_map_of_a_read_only_file_is_writable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", b"abc");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let mut map = MapMut::open_private(&path).unwrap();
    map[0] = b'x';
    assert_eq!(&map[..], b"xbc");
}

#[test]
fn create_makes_a_zeroed_file_of_the_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new");
    let mut map = MapMut::create(&path, 5000).unwrap();
    assert_eq!(map.len(), 5000);
    assert!(map.iter().all(|&b| b == 0));
    map[4999] = 1;
    map.flush().unwrap();
    let back = std::fs::read(&path).unwrap();
    assert_eq!(back.len(), 5000);
    assert_eq!(back[4999], 1);
}

#[test]
fn create_from_bytes_holds_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new");
    let data = pattern(12345);
    let map = MapMut::create_from_bytes(&path, &data).unwrap();
    assert_eq!(&map[..], &data[..]);
    assert_eq!(std::fs::read(&path).unwrap(), data);
    let empty = MapMut::create_from_bytes(dir.path().join("empty"), b"").unwrap();
    assert!(empty.is_empty());
}

#[test]
fn create_never_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "precious", b"do not lose me");
    let err = MapMut::create(&path, 10).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    let err = MapMut::create_from_bytes(&path, b"x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read(&path).unwrap(), b"do not lose me");
}

#[test]
fn create_with_a_range_is_refused_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new");
    let err = MapOptions::new().range(1, 2).create(&path, 10).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(!path.exists());
}

#[test]
fn create_in_a_missing_directory_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let err = MapMut::create(dir.path().join("no/such/dir/f"), 10).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn resize_grows_and_shrinks_map_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", b"0123456789");
    let mut map = MapMut::open(&path).unwrap();
    map.resize(3 * page_size() + 5).unwrap();
    assert_eq!(map.len(), 3 * page_size() + 5);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        3 * page_size() as u64 + 5
    );
    assert_eq!(&map[..10], b"0123456789");
    assert!(map[10..].iter().all(|&b| b == 0));
    let end = map.len() - 1;
    map[end] = b'Z';
    map.resize(4).unwrap();
    assert_eq!(&map[..], b"0123");
    map.flush().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"0123");
    map.resize(0).unwrap();
    assert!(map.is_empty());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    map.resize(6).unwrap();
    map.copy_from_slice(b"again!");
    map.flush().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"again!");
}

#[test]
fn resize_of_an_empty_created_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grow");
    let mut map = MapMut::create(&path, 0).unwrap();
    assert!(map.is_empty());
    map.resize(100).unwrap();
    map[99] = 5;
    map.flush().unwrap();
    assert_eq!(std::fs::read(&path).unwrap()[99], 5);
}

#[test]
fn resize_is_refused_for_private_and_ranged_maps() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(100));
    let mut private = MapMut::open_private(&path).unwrap();
    assert_eq!(
        private.resize(200).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let mut ranged = MapOptions::new()
        .range(10, 20)
        .open_read_write(&path)
        .unwrap();
    let err = ranged.resize(50).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("whole file"), "{err}");
    // Nothing was lost.
    assert_eq!(std::fs::read(&path).unwrap(), pattern(100));
}
