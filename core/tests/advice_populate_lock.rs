mod common;
use common::{file_with, pattern};
use mapview::{Advice, ErrorKind, Map, MapMut, MapOptions, PopulateMethod, page_size};

const ALL: [Advice; 5] = [
    Advice::Normal,
    Advice::Random,
    Advice::Sequential,
    Advice::WillNeed,
    Advice::DontNeed,
];

#[test]
fn every_advice_on_a_whole_read_only_map_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(5 * page_size());
    let path = file_with(&dir, "f", &data);
    let map = Map::open(&path).unwrap();
    for advice in ALL {
        map.advise(advice).unwrap();
        assert_eq!(&map[..], &data[..], "{advice:?}");
    }
}

#[test]
fn advice_on_a_range_at_an_unaligned_offset() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(5 * page_size());
    let path = file_with(&dir, "f", &data);
    let map = Map::open_range(&path, 100, 4 * page_size() as u64).unwrap();
    for advice in ALL {
        map.advise_range(advice, 1, 2 * page_size()).unwrap();
    }
    assert_eq!(&map[..], &data[100..100 + 4 * page_size()]);
}

#[test]
fn advice_range_past_the_end_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(100));
    let map = Map::open(&path).unwrap();
    let err = map.advise_range(Advice::Random, 90, 20).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = map.advise_range(Advice::Random, usize::MAX, 2).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn dont_need_keeps_shared_writes_and_is_refused_where_it_would_lose_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(2 * page_size()));
    let mut shared = MapMut::open(&path).unwrap();
    shared[10] = 0xAB;
    shared.advise(Advice::DontNeed).unwrap();
    assert_eq!(shared[10], 0xAB, "a shared file map reads its page back");

    let mut private = MapMut::open_private(&path).unwrap();
    private[0] = 1;
    let err = private.advise(Advice::DontNeed).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("discard"), "{err}");
    assert_eq!(private[0], 1);

    let mut anon = MapMut::anonymous(4096).unwrap();
    anon[0] = 1;
    assert_eq!(
        anon.advise(Advice::DontNeed).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(anon[0], 1);
    anon.advise(Advice::Sequential).unwrap();
}

#[test]
fn populate_faults_pages_in_and_reports_how() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(64 * page_size());
    let path = file_with(&dir, "f", &data);
    let map = MapOptions::new().populate(true).open(&path).unwrap();
    assert_eq!(&map[..], &data[..]);
    let method = map.populate().unwrap();
    assert!(matches!(
        method,
        PopulateMethod::Madvise | PopulateMethod::Touch
    ));
    let anon = MapOptions::new().populate(true).anonymous(1 << 20).unwrap();
    assert!(matches!(
        anon.populate().unwrap(),
        PopulateMethod::Madvise | PopulateMethod::Touch
    ));
    let rw = MapOptions::new()
        .populate(true)
        .open_read_write(&path)
        .unwrap();
    rw.populate().unwrap();
}

#[test]
fn populate_reports_a_file_truncated_under_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(8 * page_size()));
    let map = Map::open(&path).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(page_size() as u64)
        .unwrap();
    match map.populate() {
        Err(err) => {
            assert!(err.to_string().contains("truncated"), "{err}");
            assert_eq!(err.path(), Some(path.as_path()));
        }
        // A kernel without MADV_POPULATE_READ cannot report it; the touch
        // fallback would fault, so it is not exercised here.
        Ok(method) => panic!("truncation went unreported (method {method:?})"),
    }
}

#[test]
fn lock_and_unlock_in_ram() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(&dir, "f", &pattern(16 * page_size()));
    let map = MapOptions::new().lock(true).open(&path).unwrap();
    map.unlock().unwrap();
    map.lock().unwrap();
    map.unlock().unwrap();
    let anon = MapOptions::new().lock(true).anonymous(1 << 16).unwrap();
    anon.unlock().unwrap();
}

#[test]
fn advice_option_is_applied_at_map_time() {
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(3 * page_size());
    let path = file_with(&dir, "f", &data);
    for advice in ALL {
        let map = MapOptions::new().advice(advice).open(&path).unwrap();
        assert_eq!(&map[..], &data[..]);
    }
    let err = MapOptions::new()
        .advice(Advice::DontNeed)
        .anonymous(4096)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}
