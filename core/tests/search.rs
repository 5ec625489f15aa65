//! `mapview::search`: the API, its errors, and ripgrep's line semantics
//! (the byte-for-byte comparison with rg itself is in cli/tests).

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::thread::ThreadId;

use mapview::ErrorKind;
use mapview::search::{Binary, FileMatches, SearchOptions, SearchSummary, Sink, search};

#[derive(Default)]
struct Collect {
    files: BTreeMap<PathBuf, FileMatches>,
    errors: Vec<mapview::Error>,
    threads: Vec<ThreadId>,
    stop_after: Option<usize>,
}

impl Sink for Collect {
    fn file(&mut self, file: FileMatches) -> ControlFlow<()> {
        self.threads.push(std::thread::current().id());
        self.files.insert(file.path().to_path_buf(), file);
        match self.stop_after {
            Some(n) if self.files.len() >= n => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }
    fn error(&mut self, error: mapview::Error) -> ControlFlow<()> {
        self.threads.push(std::thread::current().id());
        self.errors.push(error);
        ControlFlow::Continue(())
    }
}

fn run(root: &Path, pattern: &str, options: &SearchOptions) -> (Collect, SearchSummary) {
    let mut sink = Collect::default();
    let summary = search(root, pattern, options, &mut sink).unwrap();
    (sink, summary)
}

fn lines(file: &FileMatches) -> Vec<(u64, Vec<u8>)> {
    file.lines().map(|l| (l.number, l.text.to_vec())).collect()
}

fn write(root: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn counts(root: &Path, pattern: &str, options: &mut SearchOptions) -> BTreeMap<String, u64> {
    let (found, _) = run(root, pattern, options.count_only(true));
    found
        .files
        .iter()
        .map(|(p, f)| {
            (
                p.strip_prefix(root).unwrap().display().to_string(),
                f.count(),
            )
        })
        .collect()
}

#[test]
fn matching_lines_come_with_their_numbers_and_without_terminators() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"foo\nbar\nfoo bar foo\n");
    let crlf = write(dir.path(), "sub/crlf.txt", b"x\r\nfoo\r\n");
    let tail = write(dir.path(), "sub/deeper/tail", b"one\nlast foo");
    let raw = write(dir.path(), "raw", b"\xff foo \xfe\n");
    write(dir.path(), "none.txt", b"nothing here\n");
    write(dir.path(), "empty", b"");
    let (found, summary) = run(dir.path(), "foo", &SearchOptions::new());
    assert_eq!(found.files.len(), 4);
    assert_eq!(
        lines(&found.files[&a]),
        [(1, b"foo".to_vec()), (3, b"foo bar foo".to_vec())]
    );
    // rg keeps the \r, counts a last line without \n, prints raw bytes.
    assert_eq!(lines(&found.files[&crlf]), [(2, b"foo\r".to_vec())]);
    assert_eq!(lines(&found.files[&tail]), [(2, b"last foo".to_vec())]);
    assert_eq!(lines(&found.files[&raw]), [(1, b"\xff foo \xfe".to_vec())]);
    assert_eq!(
        summary,
        SearchSummary {
            files_searched: 6,
            files_matched: 4,
            lines_matched: 5,
            errors: 0,
            stopped: false
        }
    );
}

#[test]
fn counts_are_of_lines_and_files_without_a_match_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a", b"foo foo foo\nfoo\nbar\n");
    write(dir.path(), "b", b"bar\n");
    let got = counts(dir.path(), "foo", &mut SearchOptions::new());
    assert_eq!(got, BTreeMap::from([("a".to_string(), 2)]));
    let (found, _) = run(dir.path(), "foo", SearchOptions::new().count_only(true));
    assert_eq!(found.files.values().next().unwrap().lines().len(), 0);
}

#[test]
fn fixed_strings_and_ignore_case() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "f", "a.b\naxb\nÉTÉ\nété\nA.B\n".as_bytes());
    let count = |p: &str, o: &mut SearchOptions| counts(dir.path(), p, o).get("f").copied();
    assert_eq!(count("a.b", &mut SearchOptions::new()), Some(2));
    assert_eq!(
        count("a.b", SearchOptions::new().fixed_strings(true)),
        Some(1)
    );
    assert_eq!(
        count(
            "a.b",
            SearchOptions::new().fixed_strings(true).ignore_case(true)
        ),
        Some(2)
    );
    // Unicode case folding, as rg -i.
    assert_eq!(
        count("été", SearchOptions::new().ignore_case(true)),
        Some(2)
    );
    assert_eq!(count("été", &mut SearchOptions::new()), Some(1));
}

#[test]
fn a_match_never_spans_two_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "f", b"foo\nbar\nfoo bar\n");
    assert_eq!(
        counts(dir.path(), r"foo\sbar", &mut SearchOptions::new())["f"],
        1
    );
    assert_eq!(
        counts(dir.path(), r"o[^x]+b", &mut SearchOptions::new())["f"],
        1
    );
}

#[test]
fn bad_patterns_are_invalid_arguments_that_name_the_pattern() {
    let dir = tempfile::tempdir().unwrap();
    for pattern in ["(unclosed", "[z-a]", r"a\nb", "two\nlines"] {
        let err = search(
            dir.path(),
            pattern,
            &SearchOptions::new(),
            &mut Collect::default(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{pattern:?}");
        assert!(
            err.to_string()
                .contains(&pattern.escape_debug().to_string()),
            "{err} does not name {pattern:?}"
        );
    }
    // A literal newline is refused with -F too; regex syntax is not.
    let mut fixed = SearchOptions::new();
    fixed.fixed_strings(true);
    assert!(search(dir.path(), "a\nb", &fixed, &mut Collect::default()).is_err());
    assert!(search(dir.path(), "(unclosed", &fixed, &mut Collect::default()).is_ok());
}

#[test]
fn a_missing_root_is_not_found_and_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir");
    let err = search(
        &missing,
        "x",
        &SearchOptions::new(),
        &mut Collect::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.path(), Some(missing.as_path()));
    assert!(err.to_string().contains("no/such/dir"));
}

#[test]
fn a_root_that_is_neither_file_nor_directory_is_refused() {
    let err = search(
        "/dev/null",
        "x",
        &SearchOptions::new(),
        &mut Collect::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("/dev/null"));
}

#[test]
fn a_file_as_root_is_searched_and_reported_under_its_own_path() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "one.txt", b"a\nfoo\n");
    let (found, summary) = run(&f, "foo", &SearchOptions::new());
    assert_eq!(lines(&found.files[&f]), [(2, b"foo".to_vec())]);
    assert_eq!((summary.files_searched, summary.files_matched), (1, 1));
}

#[test]
fn hidden_and_ignored_files_are_searched_unless_asked_not_to() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), ".gitignore", b"skipped.txt\n");
    write(dir.path(), ".ignore", b"also_skipped\n");
    write(dir.path(), "skipped.txt", b"foo\n");
    write(dir.path(), "also_skipped", b"foo\n");
    write(dir.path(), ".hidden/file", b"foo\n");
    write(dir.path(), "plain", b"foo\n");
    let names =
        |o: &mut SearchOptions| counts(dir.path(), "foo", o).into_keys().collect::<Vec<_>>();
    assert_eq!(
        names(&mut SearchOptions::new()),
        [".hidden/file", "also_skipped", "plain", "skipped.txt"]
    );
    assert_eq!(
        names(SearchOptions::new().skip_hidden(true)),
        ["also_skipped", "plain", "skipped.txt"]
    );
    assert_eq!(
        names(SearchOptions::new().respect_ignore_files(true)),
        [".hidden/file", "plain"]
    );
}

#[test]
fn links_are_followed_only_when_asked_and_loops_are_errors_that_do_not_stop_the_search() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "real/f", b"foo\n");
    symlink("real/f", dir.path().join("link")).unwrap();
    symlink("real", dir.path().join("dirlink")).unwrap();
    symlink("..", dir.path().join("real/up")).unwrap();
    let names =
        |o: &mut SearchOptions| counts(dir.path(), "foo", o).into_keys().collect::<Vec<_>>();
    assert_eq!(names(&mut SearchOptions::new()), ["real/f"]);

    let (found, summary) = run(dir.path(), "foo", SearchOptions::new().follow_links(true));
    assert_eq!(found.files.len(), 3, "real/f, link and dirlink/f");
    assert!(summary.errors >= 1 && summary.errors == found.errors.len() as u64);
    let up = dir.path().join("real/up");
    assert!(
        found
            .errors
            .iter()
            .any(|e| e.path() == Some(up.as_path()) && e.to_string().contains("loop")),
        "{:?}",
        found.errors
    );
}

#[test]
fn a_file_that_cannot_be_read_is_reported_and_the_search_goes_on() {
    // Root can read any file mode, but not /proc/self/mem at offset 0.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good", b"foo\n");
    symlink("/proc/self/mem", dir.path().join("unreadable")).unwrap();
    let (found, summary) = run(dir.path(), "foo", SearchOptions::new().follow_links(true));
    assert_eq!(found.files.len(), 1);
    assert_eq!(summary.errors, 1);
    let err = &found.errors[0];
    assert_eq!(err.path(), Some(dir.path().join("unreadable").as_path()));
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
}

#[test]
fn binary_files_are_handled_as_ripgrep_handles_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nul_first", b"bar\n\0\nfoo\n");
    // The NUL is in rg's first 64 KiB buffer, so nothing is searched.
    write(dir.path(), "match_first", b"foo\n\0\nfoo\n");
    let mut late = b"foo first\n".to_vec();
    for i in 0..5_000 {
        late.extend_from_slice(format!("line {i:05} foo {:>80}\n", "").as_bytes());
    }
    late[300_000] = 0;
    let late_path = write(dir.path(), "late", &late);
    let (found, _) = run(dir.path(), "foo", &SearchOptions::new());
    assert_eq!(found.files.keys().collect::<Vec<_>>(), [&late_path]);
    let file = &found.files[&late_path];
    assert_eq!(file.binary(), Some(Binary::Stopped { offset: 300_000 }));
    // Four full 64 KiB buffers were searched before the one with the NUL.
    let last = file.lines().last().unwrap().number;
    assert!(
        last > 2_500 && last < 2_800 && file.count() == last,
        "{last}"
    );
    // Counting drops binary files altogether, as rg -c does.
    assert!(counts(dir.path(), "foo", &mut SearchOptions::new()).is_empty());
    // Named as the root, a binary file is searched whole.
    let (found, _) = run(&late_path, "foo", SearchOptions::new().count_only(true));
    assert_eq!(found.files[&late_path].count(), 5_001);
}

#[test]
fn results_arrive_on_the_calling_thread() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..200 {
        write(dir.path(), &format!("d{}/f{i}", i % 7), b"foo\n");
    }
    symlink("nowhere", dir.path().join("dangling")).unwrap();
    let (found, summary) = run(
        dir.path(),
        "foo",
        SearchOptions::new().threads(4).follow_links(true),
    );
    assert_eq!(summary.files_matched, 200);
    assert_eq!(found.errors.len(), 1, "the dangling link");
    let me = std::thread::current().id();
    assert!(found.threads.len() == 201 && found.threads.iter().all(|t| *t == me));
}

#[test]
fn the_sink_can_stop_the_search() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..500 {
        write(dir.path(), &format!("f{i}"), b"foo\n");
    }
    let mut sink = Collect {
        stop_after: Some(3),
        ..Collect::default()
    };
    let summary = search(dir.path(), "foo", &SearchOptions::new(), &mut sink).unwrap();
    assert!(summary.stopped);
    assert_eq!(sink.files.len(), 3);
    assert_eq!(summary.files_matched, 3);
}

/// Every line of `data` that contains `needle`, the slow obvious way.
fn oracle(data: &[u8], needle: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") {
        lines.pop();
    }
    (1..)
        .zip(lines)
        .filter(|(_, l)| l.windows(needle.len()).any(|w| w == needle))
        .map(|(n, l)| (n, l.to_vec()))
        .collect()
}

#[test]
fn large_files_give_the_same_lines_read_or_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    let mut n = 0u64;
    while data.len() < 3 << 20 {
        n += 1;
        let tag = if n.is_multiple_of(97) || (data.len() % 65_536) > 65_400 {
            "needle"
        } else {
            "hay"
        };
        data.extend_from_slice(
            format!("{n} {tag} {}\n", "x".repeat((n % 150) as usize)).as_bytes(),
        );
    }
    data.extend_from_slice(b"needle without a newline");
    let path = write(dir.path(), "big", &data);
    let expected = oracle(&data, b"needle");
    assert!(expected.len() > 300, "{}", expected.len());
    for threshold in [0, 4_096, 1 << 20, u64::MAX] {
        let (found, _) = run(
            dir.path(),
            "needle",
            SearchOptions::new().mmap_threshold(threshold),
        );
        assert_eq!(
            lines(&found.files[&path]),
            expected,
            "threshold {threshold}"
        );
        let (found, _) = run(
            dir.path(),
            "needle",
            SearchOptions::new().fixed_strings(true),
        );
        assert_eq!(lines(&found.files[&path]), expected);
    }
}
