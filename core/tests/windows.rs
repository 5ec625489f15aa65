mod common;
use common::{file_with, pattern};
use mapview::{ErrorKind, Windows};

fn collect(path: &std::path::Path, window: u64, overlap: u64) -> Vec<(u64, Vec<u8>)> {
    Windows::open(path, window, overlap)
        .unwrap()
        .map(|w| {
            let w = w.unwrap();
            (w.file_offset(), w.to_vec())
        })
        .collect()
}

#[test]
fn windows_without_overlap_tile_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(10_000);
    let path = file_with(&dir, "f", &data);
    let ws = collect(&path, 4096, 0);
    assert_eq!(ws.len(), 3);
    assert_eq!(
        ws.iter().map(|w| w.0).collect::<Vec<_>>(),
        vec![0, 4096, 8192]
    );
    let joined: Vec<u8> = ws.into_iter().flat_map(|w| w.1).collect();
    assert_eq!(joined, data);
    assert_eq!(Windows::open(&path, 4096, 0).unwrap().count_total(), 3);
}

#[test]
fn overlapping_windows_see_a_pattern_that_straddles_a_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = vec![b'.'; 10_000];
    data[4090..4100].copy_from_slice(b"0123456789"); // straddles 4096
    let path = file_with(&dir, "f", &data);
    let seen = |overlap| {
        collect(&path, 4096, overlap)
            .iter()
            .any(|(_, w)| w.windows(10).any(|s| s == b"0123456789"))
    };
    assert!(!seen(0), "without overlap the pattern is split");
    assert!(seen(9), "an overlap of len-1 bytes catches it");
    let ws = collect(&path, 4096, 9);
    for pair in ws.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert_eq!(
            a.0 + a.1.len() as u64 - 9,
            b.0,
            "each window starts overlap bytes back"
        );
    }
    assert_eq!(ws.last().map(|w| w.0 + w.1.len() as u64), Some(10_000));
    assert_eq!(
        Windows::open(&path, 4096, 9).unwrap().count_total(),
        ws.len() as u64
    );
}

#[test]
fn window_at_unaligned_positions_has_the_right_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(9999);
    let path = file_with(&dir, "f", &data);
    for (off, bytes) in collect(&path, 1000, 333) {
        assert_eq!(&bytes[..], &data[off as usize..off as usize + bytes.len()]);
    }
}

#[test]
fn a_file_smaller_than_the_window_is_one_window_and_empty_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "small", b"tiny");
    assert_eq!(collect(&path, 1 << 20, 10), vec![(0, b"tiny".to_vec())]);
    let empty = file_with(&dir, "empty", b"");
    assert!(collect(&empty, 4096, 0).is_empty());
    assert_eq!(Windows::open(&empty, 4096, 0).unwrap().count_total(), 0);
}

#[test]
fn bad_window_arguments_are_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", b"data");
    assert_eq!(
        Windows::open(&path, 0, 0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        Windows::open(&path, 10, 10).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        Windows::open(dir.path().join("nope"), 10, 0)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        Windows::open(dir.path(), 10, 0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn window_index_counts_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(5000));
    let idx: Vec<u64> = Windows::open(&path, 1000, 0)
        .unwrap()
        .map(|w| w.unwrap().index())
        .collect();
    assert_eq!(idx, vec![0, 1, 2, 3, 4]);
}
