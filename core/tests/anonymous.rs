use mapview::{ErrorKind, HugePages, MapKind, MapMut, MapOptions};

#[test]
fn private_anonymous_is_zeroed_writable_memory() {
    let mut map = MapMut::anonymous(1 << 20).unwrap();
    assert_eq!(map.kind(), MapKind::AnonymousPrivate);
    assert!(map.iter().all(|&b| b == 0));
    map[12345] = 42;
    assert_eq!(map[12345], 42);
    map.flush().unwrap(); // nothing to write; succeeds
}

#[test]
fn private_anonymous_resizes_and_keeps_contents() {
    let mut map = MapMut::anonymous(100).unwrap();
    map[..3].copy_from_slice(b"abc");
    map.resize(1 << 20).unwrap();
    assert_eq!(&map[..3], b"abc");
    assert!(map[3..].iter().all(|&b| b == 0));
    map.resize(2).unwrap();
    assert_eq!(&map[..], b"ab");
}

#[test]
fn zero_length_anonymous_is_empty() {
    assert!(MapMut::anonymous(0).unwrap().is_empty());
    assert!(MapMut::anonymous_shared(0).unwrap().is_empty());
}

fn fork_and_write(map_ptr: *mut u8, value: u8) -> i32 {
    // SAFETY: the child only stores to memory that is mapped in it too and
    // calls _exit, both async-signal-safe, so forking from a threaded test
    // process is sound.
    unsafe {
        let pid = libc::fork();
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            std::ptr::write_volatile(map_ptr, value);
            libc::_exit(0);
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
        status
    }
}

#[test]
fn shared_anonymous_is_seen_by_a_child_process() {
    let mut map = MapMut::anonymous_shared(4096).unwrap();
    assert_eq!(map.kind(), MapKind::AnonymousShared);
    let status = fork_and_write(map.as_mut_ptr(), 99);
    assert_eq!(status, 0);
    assert_eq!(map[0], 99, "the parent sees the child's write");
}

#[test]
fn private_anonymous_is_not_shared_with_a_child_process() {
    let mut map = MapMut::anonymous(4096).unwrap();
    let status = fork_and_write(map.as_mut_ptr(), 99);
    assert_eq!(status, 0);
    assert_eq!(map[0], 0, "the child wrote to its own copy");
}

#[test]
fn shared_anonymous_resizes() {
    let mut map = MapMut::anonymous_shared(10).unwrap();
    map[..2].copy_from_slice(b"hi");
    map.resize(100_000).unwrap();
    assert_eq!(&map[..2], b"hi");
    assert_eq!(map.len(), 100_000);
}

fn hugetlb_pool_is_empty() -> bool {
    std::fs::read_to_string("/proc/sys/vm/nr_hugepages")
        .map(|s| s.trim() == "0")
        .unwrap_or(true)
}

#[test]
fn explicit_huge_pages_without_a_pool_fail_clearly() {
    let len = 4 << 20;
    let private = MapOptions::new()
        .huge_pages(HugePages::Explicit)
        .anonymous(len);
    let shared = MapOptions::new()
        .huge_pages(HugePages::Explicit)
        .anonymous_shared(len);
    if hugetlb_pool_is_empty() {
        for result in [private, shared] {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::OutOfMemory, "{err}");
            assert!(err.to_string().contains("huge pages"), "{err}");
        }
    } else {
        assert_eq!(private.unwrap().len(), len);
        assert_eq!(shared.unwrap().len(), len);
    }
}

#[test]
fn explicit_huge_pages_round_an_unaligned_length_the_same_for_private_and_shared() {
    let private = MapOptions::new()
        .huge_pages(HugePages::Explicit)
        .anonymous(4096);
    let shared = MapOptions::new()
        .huge_pages(HugePages::Explicit)
        .anonymous_shared(4096);
    if hugetlb_pool_is_empty() {
        for result in [private, shared] {
            assert_eq!(result.unwrap_err().kind(), ErrorKind::OutOfMemory);
        }
    } else {
        for map in [private.unwrap(), shared.unwrap()] {
            assert!(
                map.len() >= 4096 && map.len() % (2 << 20) == 0,
                "rounded to whole huge pages"
            );
        }
    }
    let fallback = MapOptions::new()
        .huge_pages(HugePages::ExplicitOrTransparent)
        .anonymous_shared(4096)
        .unwrap();
    assert!(fallback.len() >= 4096);
}

#[test]
fn explicit_or_transparent_always_gives_a_map() {
    let len = 4 << 20;
    let mut map = MapOptions::new()
        .huge_pages(HugePages::ExplicitOrTransparent)
        .anonymous(len)
        .unwrap();
    map[len - 1] = 1;
    let shared = MapOptions::new()
        .huge_pages(HugePages::ExplicitOrTransparent)
        .anonymous_shared(len)
        .unwrap();
    assert_eq!(shared.len(), len);
}

#[test]
fn transparent_huge_pages_on_anonymous_memory() {
    let len = 8 << 20;
    let mut map = MapOptions::new()
        .huge_pages(HugePages::Transparent)
        .populate(true)
        .anonymous(len)
        .unwrap();
    map[len / 2] = 3;
    assert_eq!(map[len / 2], 3);
}

#[test]
fn explicit_huge_pages_on_a_regular_file_are_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, vec![1u8; 4096]).unwrap();
    let err = MapOptions::new()
        .huge_pages(HugePages::Explicit)
        .open(&path)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("hugetlbfs"), "{err}");
}

#[test]
fn anonymous_maps_refuse_a_range() {
    let err = MapOptions::new()
        .range(4096, 10)
        .anonymous(100)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}
