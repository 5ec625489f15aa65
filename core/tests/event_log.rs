mod common;
use mapview::ErrorKind;
use mapview::log::{LogOptions, LogReader, LogWriter};

fn payloads(r: &LogReader) -> Vec<Vec<u8>> {
    r.events().map(|e| e.unwrap().payload.to_vec()).collect()
}

#[test]
fn append_one_and_batch_then_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
    let first = w.append(b"one").unwrap();
    assert_eq!(first, 128, "events start after the 128-byte header");
    assert_eq!(w.append_batch([&b"two"[..], b"", b"four!!!!!"]).unwrap(), 3);
    w.append_at(42, b"stamped").unwrap();
    assert_eq!(w.count(), 5);
    let r = LogReader::open(&path).unwrap();
    assert_eq!(r.count(), 5);
    assert_eq!(
        payloads(&r),
        vec![
            b"one".to_vec(),
            b"two".to_vec(),
            vec![],
            b"four!!!!!".to_vec(),
            b"stamped".to_vec()
        ]
    );
    let events: Vec<_> = r.events().map(Result::unwrap).collect();
    assert_eq!(events[4].timestamp_ns, 42);
    assert!(
        events[0].timestamp_ns > 1_600_000_000_000_000_000,
        "wall-clock ns"
    );
    assert!(
        events
            .windows(2)
            .all(|p| p[0].offset < p[1].offset && p[0].offset % 8 == 0)
    );
    assert!(r.verify().is_ok());
}

#[test]
fn iterate_from_an_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
    let offsets: Vec<u64> = (0..10u8).map(|i| w.append(&[i; 5]).unwrap()).collect();
    let r = LogReader::open(&path).unwrap();
    let tail: Vec<_> = r
        .events_from(offsets[7])
        .unwrap()
        .map(|e| e.unwrap().payload[0])
        .collect();
    assert_eq!(tail, vec![7, 8, 9]);
    assert_eq!(r.events_from(r.write_offset()).unwrap().count(), 0);
    for bad in [0, 127, offsets[3] + 1, r.write_offset() + 8] {
        assert_eq!(
            r.events_from(bad).unwrap_err().kind(),
            ErrorKind::InvalidArgument,
            "offset {bad}"
        );
    }
    // Inside an event: no intact event starts there.
    let err = r.events_from(offsets[3] + 8).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corrupt);
    assert!(err.to_string().contains("not where one starts"), "{err}");
}

#[test]
fn the_log_grows_by_segments_and_readers_follow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grow.log");
    let mut w = LogWriter::create(&path, LogOptions::new().capacity(4096).segment(8192)).unwrap();
    let mut r = LogReader::open(&path).unwrap();
    assert!(!r.refresh().unwrap());
    let big = vec![0xAB; 3000];
    for _ in 0..20 {
        w.append(&big).unwrap();
    }
    assert!(w.capacity() >= 20 * 3016);
    assert!(r.refresh().unwrap(), "the reader sees the new events");
    assert_eq!(r.events().count(), 20);
    assert!(r.events().all(|e| e.unwrap().payload == &big[..]));
    // An event larger than a whole segment still fits.
    let huge = vec![7u8; 100_000];
    w.append(&huge).unwrap();
    assert!(r.refresh().unwrap());
    assert_eq!(r.events().last().unwrap().unwrap().payload.len(), 100_000);
}

#[test]
fn a_second_writer_gets_a_busy_error_and_readers_are_unaffected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
    w.append(b"x").unwrap();
    let err = LogWriter::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy);
    assert!(err.to_string().contains("another writer"), "{err}");
    assert_eq!(LogReader::open(&path).unwrap().count(), 1);
    drop(w);
    let mut again = LogWriter::open(&path).unwrap();
    again.append(b"y").unwrap();
    assert_eq!(
        payloads(&LogReader::open(&path).unwrap()),
        vec![b"x".to_vec(), b"y".to_vec()]
    );
}

#[test]
fn reopen_continues_after_the_last_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    {
        let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
        w.append(b"before").unwrap();
        w.sync().unwrap();
        w.sync_async().unwrap();
    }
    let mut w = LogWriter::open(&path).unwrap();
    assert_eq!(w.count(), 1);
    w.append(b"after").unwrap();
    assert_eq!(
        payloads(&LogReader::open(&path).unwrap()),
        vec![b"before".to_vec(), b"after".to_vec()]
    );
}

#[test]
fn create_never_overwrites_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::file_with(&dir, "precious", b"not a log at all, and much longer than nothing............................................................................................................");
    assert_eq!(
        LogWriter::create(&path, &LogOptions::new())
            .unwrap_err()
            .kind(),
        ErrorKind::AlreadyExists
    );
    let err = LogReader::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corrupt);
    assert!(err.to_string().contains("bad magic"), "{err}");
    assert_eq!(
        LogWriter::open(&path).unwrap_err().kind(),
        ErrorKind::Corrupt
    );
    let short = common::file_with(&dir, "short", b"MVEVLOG");
    assert_eq!(
        LogReader::open(&short).unwrap_err().kind(),
        ErrorKind::Corrupt
    );
    assert_eq!(
        LogReader::open(dir.path().join("missing"))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        LogWriter::create(dir.path().join("z"), LogOptions::new().segment(0))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn a_flipped_byte_is_reported_with_its_offset_never_returned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
    let offsets: Vec<u64> = (0..50u32)
        .map(|i| w.append(format!("event number {i}").as_bytes()).unwrap())
        .collect();
    w.sync().unwrap();
    drop(w);
    // Flip one payload byte of event 20.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[offsets[20] as usize + 16 + 3] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();

    let r = LogReader::open(&path).unwrap();
    let results: Vec<_> = r.events().collect();
    assert_eq!(
        results.len(),
        21,
        "20 good events, then the error, then the end"
    );
    assert!(results[..20].iter().all(Result::is_ok));
    let err = results[20].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corrupt);
    assert_eq!(err.range().unwrap().offset, offsets[20]);
    let report = r.verify();
    assert_eq!(report.damaged.len(), 1);
    assert_eq!(report.damaged[0].offset, offsets[20]);
    assert!(report.damaged[0].reason.contains("checksum"));
    assert_eq!(
        report.good_events, 49,
        "verify looks past a damaged event it can frame"
    );
    // The writer refuses to append after damage in the synced part.
    let err = LogWriter::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corrupt);
    assert!(err.to_string().contains(&offsets[20].to_string()), "{err}");
}

#[test]
fn random_byte_flips_never_yield_a_corrupt_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
    let expected: Vec<Vec<u8>> = (0..200u32)
        .map(|i| format!("payload-{i}-{}", "x".repeat(i as usize % 37)).into_bytes())
        .collect();
    for p in &expected {
        w.append(p).unwrap();
    }
    let end = w.write_offset();
    drop(w);
    let pristine = std::fs::read(&path).unwrap();
    let mut seed = 0x1234_5678_9abc_def1u64;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut bytes = pristine.clone();
        let at = 128 + (seed % (end - 128)) as usize;
        bytes[at] ^= 1 << (seed >> 61);
        std::fs::write(&path, &bytes).unwrap();
        let r = LogReader::open(&path).unwrap();
        let mut seen = 0;
        let mut damaged = false;
        for e in r.events() {
            match e {
                Ok(e) => {
                    assert_eq!(
                        e.payload,
                        &expected[seen][..],
                        "a returned event is always intact"
                    );
                    seen += 1;
                }
                Err(err) => {
                    assert_eq!(err.kind(), ErrorKind::Corrupt);
                    assert!(err.range().unwrap().offset as usize <= at);
                    damaged = true;
                }
            }
        }
        assert!(damaged, "a flipped bit at {at} went unnoticed");
        assert!(!r.verify().damaged.is_empty());
    }
}

#[test]
fn a_torn_tail_past_the_last_sync_is_cut_off_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
    w.append(b"synced").unwrap();
    w.sync().unwrap();
    let second = w.append(b"not synced, torn by a power loss").unwrap();
    drop(w);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[second as usize + 20] ^= 0xFF; // as if the page never reached the disk
    std::fs::write(&path, &bytes).unwrap();
    let mut w = LogWriter::open(&path).unwrap();
    assert_eq!(w.count(), 1);
    w.append(b"next").unwrap();
    assert_eq!(
        payloads(&LogReader::open(&path).unwrap()),
        vec![b"synced".to_vec(), b"next".to_vec()]
    );
}

#[test]
fn readers_in_threads_never_see_half_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w =
        LogWriter::create(&path, LogOptions::new().capacity(1 << 16).segment(1 << 16)).unwrap();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut r = LogReader::open(&path).unwrap();
                let mut last = 0;
                while last < 2000 {
                    r.refresh().unwrap();
                    let mut n = 0u32;
                    for e in r.events() {
                        let e = e.unwrap();
                        let i = u32::from_le_bytes(e.payload[..4].try_into().unwrap());
                        assert_eq!(i, n);
                        assert!(e.payload[4..].iter().all(|&b| b == i as u8));
                        n += 1;
                    }
                    last = n;
                }
            })
        })
        .collect();
    for i in 0..2000u32 {
        let mut p = i.to_le_bytes().to_vec();
        p.extend(std::iter::repeat_n(i as u8, (i % 300) as usize));
        w.append(&p).unwrap();
    }
    for r in readers {
        r.join().unwrap();
    }
}

#[test]
fn payload_too_large_is_refused_without_touching_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.log");
    let mut w = LogWriter::create(&path, &LogOptions::new()).unwrap();
    w.append(b"ok").unwrap();
    // A slice header that claims more than MAX_PAYLOAD without allocating it.
    let len = mapview::log::MAX_PAYLOAD + 1;
    let fake = mapview::MapMut::anonymous(len).unwrap();
    let err = w.append(&fake).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(w.count(), 1);
    assert_eq!(LogReader::open(&path).unwrap().verify().good_events, 1);
}
