mod common;
use mapview::{ErrorKind, KeyKind, Map, MapMut, MapOptions, RecordLayout, RecordView, Records};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Entry {
    key: u64,
    value: u32,
    flags: u32,
}

fn entries(n: u64) -> Vec<Entry> {
    (0..n)
        .map(|i| Entry {
            key: i * 3 + 1,
            value: i as u32,
            flags: 0xF0,
        })
        .collect()
}

fn write_entries(dir: &tempfile::TempDir, n: u64) -> std::path::PathBuf {
    common::file_with(dir, "entries.bin", entries(n).as_bytes())
}

#[test]
fn get_count_slice_and_iterate() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_entries(&dir, 1000);
    let recs = Records::<Entry>::open(&path).unwrap();
    assert_eq!(recs.len(), 1000);
    assert_eq!(
        recs[0],
        Entry {
            key: 1,
            value: 0,
            flags: 0xF0
        }
    );
    assert_eq!(recs.get(999).unwrap().value, 999);
    assert!(recs.get(1000).is_none());
    assert_eq!(
        recs[10..13].iter().map(|e| e.value).collect::<Vec<_>>(),
        vec![10, 11, 12]
    );
    assert_eq!(
        recs.iter().map(|e| e.value as u64).sum::<u64>(),
        999 * 1000 / 2
    );
}

#[test]
fn binary_search_finds_every_key_and_reports_misses() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_entries(&dir, 5000);
    let recs = Records::<Entry>::open(&path).unwrap();
    for i in 0..5000u64 {
        assert_eq!(
            recs.binary_search_by_key(&(i * 3 + 1), |e| e.key),
            Ok(i as usize)
        );
    }
    assert_eq!(recs.binary_search_by_key(&0, |e| e.key), Err(0));
    assert_eq!(recs.binary_search_by_key(&3, |e| e.key), Err(1));
    assert_eq!(recs.binary_search_by_key(&u64::MAX, |e| e.key), Err(5000));
}

#[test]
fn size_that_does_not_divide_the_data_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = entries(10).as_bytes().to_vec();
    bytes.push(0);
    let path = common::file_with(&dir, "odd", &bytes);
    let err = Records::<Entry>::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("not a multiple"), "{err}");
    assert_eq!(
        err.invalid_reason(),
        Some(mapview::InvalidReason::RecordSize)
    );
}

#[test]
fn misaligned_range_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_entries(&dir, 10);
    let map = Map::open_range(&path, 4, 16).unwrap();
    let err = Records::<Entry>::new(map).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("boundary"), "{err}");
    assert_eq!(
        err.invalid_reason(),
        Some(mapview::InvalidReason::Misaligned)
    );
    // The same length at an aligned offset is fine.
    let map = Map::open_range(&path, 16, 32).unwrap();
    let recs = Records::<Entry>::new(map).unwrap();
    assert_eq!(recs[0].value, 1);
}

#[test]
fn zero_sized_records_are_invalid() {
    #[derive(FromBytes, Immutable, KnownLayout, Debug)]
    struct Nothing;
    let dir = tempfile::tempdir().unwrap();
    let path = common::file_with(&dir, "f", b"abc");
    let err = Records::<Nothing>::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("zero"), "{err}");
}

#[test]
fn empty_file_has_no_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::file_with(&dir, "empty", b"");
    let recs = Records::<Entry>::open(&path).unwrap();
    assert!(recs.is_empty());
    assert_eq!(recs.binary_search_by_key(&1, |e| e.key), Err(0));
}

#[test]
fn records_over_a_writable_map_update_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_entries(&dir, 100);
    let mut recs = Records::<Entry, MapMut>::new(MapMut::open(&path).unwrap()).unwrap();
    recs[5].value = 5555;
    recs.map().flush().unwrap();
    let back = Records::<Entry>::open(&path).unwrap();
    assert_eq!(back[5].value, 5555);
    let mut private =
        Records::<Entry, MapMut>::new(MapOptions::new().open_private(&path).unwrap()).unwrap();
    private[6].value = 1;
    assert_eq!(Records::<Entry>::open(&path).unwrap()[6].value, 6);
}

fn layout(kind: KeyKind, key_len: usize) -> RecordLayout {
    RecordLayout {
        record_size: 16,
        key_offset: 0,
        key_len,
        key_kind: kind,
    }
}

#[test]
fn record_view_with_a_run_time_layout_searches_integer_keys() {
    let data = entries(777);
    let view = RecordView::new(data.as_bytes(), layout(KeyKind::UnsignedLe, 8)).unwrap();
    assert_eq!(view.len(), 777);
    for i in 0..777u64 {
        let key = (i * 3 + 1).to_le_bytes();
        assert_eq!(view.binary_search(&key).unwrap(), Ok(i as usize));
    }
    assert_eq!(view.binary_search(&2u64.to_le_bytes()).unwrap(), Err(1));
    assert_eq!(view.get(3).unwrap(), data[3].as_bytes());
    assert!(view.get(777).is_none());
    assert!(view.get(usize::MAX).is_none());
}

#[test]
fn record_view_signed_and_byte_keys() {
    let keys: Vec<i32> = vec![-500, -3, -1, 0, 2, 70_000];
    let bytes: Vec<u8> = keys.iter().flat_map(|k| k.to_le_bytes()).collect();
    let l = RecordLayout {
        record_size: 4,
        key_offset: 0,
        key_len: 4,
        key_kind: KeyKind::SignedLe,
    };
    let view = RecordView::new(&bytes, l).unwrap();
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(view.binary_search(&k.to_le_bytes()).unwrap(), Ok(i));
    }
    assert_eq!(view.binary_search(&(-2i32).to_le_bytes()).unwrap(), Err(2));

    let words = b"applebananacherry";
    let l = RecordLayout {
        record_size: 17,
        key_offset: 0,
        key_len: 5,
        key_kind: KeyKind::Bytes,
    };
    let view = RecordView::new(words, l).unwrap();
    assert_eq!(view.binary_search(b"apple").unwrap(), Ok(0));

    let be: Vec<u8> = [1u16, 256, 300]
        .iter()
        .flat_map(|k| k.to_be_bytes())
        .collect();
    let l = RecordLayout {
        record_size: 2,
        key_offset: 0,
        key_len: 2,
        key_kind: KeyKind::UnsignedBe,
    };
    let view = RecordView::new(&be, l).unwrap();
    assert_eq!(view.binary_search(&300u16.to_be_bytes()).unwrap(), Ok(2));
}

#[test]
fn a_layout_without_a_key_counts_and_gets_but_cannot_search() {
    let data = [7u8; 48];
    let l = RecordLayout {
        record_size: 16,
        key_offset: 0,
        key_len: 0,
        key_kind: KeyKind::Bytes,
    };
    let view = RecordView::new(&data, l).unwrap();
    assert_eq!(view.len(), 3);
    assert_eq!(view.get(2).unwrap(), &[7u8; 16]);
    let err = view.binary_search(&[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("no key"), "{err}");
}

#[test]
fn record_view_rejects_bad_layouts_and_keys() {
    let data = [0u8; 48];
    let bad = [
        RecordLayout {
            record_size: 0,
            key_offset: 0,
            key_len: 1,
            key_kind: KeyKind::Bytes,
        },
        RecordLayout {
            record_size: 5,
            key_offset: 0,
            key_len: 1,
            key_kind: KeyKind::Bytes,
        },
        RecordLayout {
            record_size: 16,
            key_offset: 12,
            key_len: 8,
            key_kind: KeyKind::Bytes,
        },
        RecordLayout {
            record_size: 16,
            key_offset: usize::MAX,
            key_len: 2,
            key_kind: KeyKind::Bytes,
        },
        RecordLayout {
            record_size: 16,
            key_offset: 0,
            key_len: 9,
            key_kind: KeyKind::UnsignedLe,
        },
    ];
    for l in bad {
        let err = RecordView::new(&data, l).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{l:?}");
    }
    let view = RecordView::new(&data, layout(KeyKind::UnsignedLe, 8)).unwrap();
    let err = view.binary_search(&[1, 2, 3]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}
