//! `mapview grep` prints what `rg --no-ignore --hidden` (ripgrep 13.0.0)
//! prints, and exits as it does, on a synthetic tree with every awkward
//! case and on the real /usr/include.

mod common;

use std::path::Path;

use common::{same_as_rg, synthetic_tree, text};

/// (flags, pattern) pairs run on the synthetic tree.
const CASES: &[(&[&str], &str)] = &[
    (&["-c"], "foo"),
    (&["-n"], "foo"),
    (&[], "foo"),
    (&["-c", "-i"], "foo"),
    (&["-n", "-i"], "FOO"),
    (&["-n", "-F"], "foo_bar"),
    (&["-n", "-F"], "a.b"),
    (&["-c", "-F", "-i"], "FOO BAR"),
    (&["-n"], "^foo"),
    (&["-n"], "foo$"),
    (&["-n"], "foo\\r$"),
    (&["-c"], r"\bfoo\w*"),
    (&["-n"], r"o\sb"),
    (&["-n"], r"[^a-z ]foo"),
    (&["-c"], "x*"),
    (&["-n"], "^$"),
    (&["-n", "-i"], "été|STRASSE"),
    (&["-n"], r"(?-u:\xff)"),
    (&["-c"], "ZZZ_NO_MATCH_ZZZ"),
    (&["-n"], "ZZZ_NO_MATCH_ZZZ"),
];

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    synthetic_tree(dir.path());
    dir
}

#[test]
fn synthetic_tree_output_is_rgs() {
    let dir = tree();
    for (flags, pattern) in CASES {
        same_as_rg(flags, pattern, dir.path(), &[], &[]);
    }
    // The comparison means something only if the tree exercises each
    // case: check rg's own output for them.
    let out = text(&same_as_rg(&["-n"], "foo", dir.path(), &[], &[]));
    for expected in [
        "/.hidden:1:",
        "/.hiddendir/inner.txt:1:",
        "/ignored.txt:1:",
        "/no_trailing_newline:2:bar foo",
        "/crlf.txt:3:foo bar\r",
        "/utf8_bom:1:foo starts",
        "/utf16le:1:foo in UTF-16\r",
        "/big/large.txt:",
        "/big/large_binary: WARNING: stopped searching binary file after match",
        "/bin/edge_65536:1:foo at the start",
        "/odd_\u{FFFD}_name:1:",
    ] {
        assert!(out.contains(expected), "rg's output lacks {expected:?}");
    }
    for absent in [
        "/link_to_file:",
        "/link_to_dir/",
        "/bin/match_before_nul:",
        "/bin/edge_65535:",
    ] {
        assert!(!out.contains(absent), "rg's output has {absent:?}");
    }
    // rg drops the count of every binary file.
    let counts = text(&same_as_rg(&["-c"], "foo", dir.path(), &[], &[]));
    assert!(!counts.contains("/bin/") && !counts.contains("large_binary"));
}

#[test]
fn output_is_the_same_whether_files_are_read_or_mapped() {
    let dir = tree();
    for threshold in ["0", "100000", "1099511627776"] {
        for (flags, pattern) in &CASES[..6] {
            same_as_rg(
                flags,
                pattern,
                dir.path(),
                &["--mmap-threshold", threshold],
                &[],
            );
        }
    }
}

#[test]
fn filter_flags_match_rgs() {
    let dir = tree();
    for extra in [
        &["--ignore"][..],
        &["--no-hidden"],
        &["--ignore", "--no-hidden"],
    ] {
        let out = same_as_rg(&["-n"], "foo", dir.path(), extra, extra);
        let out = text(&out);
        if extra.contains(&"--ignore") {
            assert!(!out.contains("ignored"), "{extra:?} kept an ignored file");
        }
        if extra.contains(&"--no-hidden") {
            assert!(!out.contains("/.hidden"), "{extra:?} kept a hidden file");
        }
    }
    // The later of a pair wins, as in rg.
    same_as_rg(
        &["-c"],
        "foo",
        dir.path(),
        &["--ignore", "--no-ignore"],
        &["--ignore", "--no-ignore"],
    );
}

#[test]
fn following_links_matches_rg_including_the_errors() {
    let dir = tree();
    let out = same_as_rg(&["-n", "-L"], "foo", dir.path(), &[], &[]);
    assert_eq!(out.code, 2, "the loops are errors");
    let out = text(&out);
    assert!(out.contains("/link_to_file:1:foo") && out.contains("/link_to_dir/sibling.rs:1:"));
    same_as_rg(&["-c", "-L"], "foo", dir.path(), &[], &[]);
}

#[test]
fn a_file_as_root_is_searched_as_rg_searches_a_named_file() {
    let dir = tree();
    for name in [
        "top.txt",
        "crlf.txt",
        "utf8_bom",
        "no_trailing_newline",
        "bin/match_before_nul",
        "bin/nul_before_match",
        "bin/edge_65536",
        "bin/edge_131100",
        "big/large_binary",
        "bin/bom_nul_early",
        "bin/bom_nul_late",
        "bin/bom_nul_no_match_after",
        "bin/bom_nul_splits_a_line",
        "bin/utf8_bom_then_nul",
        "utf16le",
        "empty",
    ] {
        for flags in [&["-n"][..], &["-c"], &[]] {
            same_as_rg(flags, "foo", &dir.path().join(name), &[], &[]);
        }
    }
    let out = same_as_rg(
        &["-n"],
        "foo",
        &dir.path().join("bin/match_before_nul"),
        &[],
        &[],
    );
    assert_eq!(
        text(&out),
        "binary file matches (found \"\\0\" byte around offset 11)\n"
    );
}

#[test]
fn a_line_longer_than_rgs_buffer_moves_where_it_stops_in_a_binary_file() {
    // Alone in its directory, so rg's thread starts with a fresh buffer.
    for nul in [66_000, 150_000, 196_700, 300_000] {
        let dir = tempfile::tempdir().unwrap();
        let mut d = b"foo\n".to_vec();
        d.extend(std::iter::repeat_n(b'L', 70_000));
        d.push(b'\n');
        d.extend(common::big_text(400_000, &[100_000, 200_000, 250_000]));
        d[nul] = 0;
        std::fs::write(dir.path().join("long_line"), &d).unwrap();
        same_as_rg(&["-n"], "foo", dir.path(), &[], &[]);
    }
}

#[test]
fn bad_patterns_and_roots_fail_like_rg() {
    let dir = tree();
    for pattern in ["(unclosed", "a\\nb", "a\nb", "[z-a]"] {
        let out = same_as_rg(&["-n"], pattern, dir.path(), &[], &[]);
        assert_eq!(out.code, 2, "{pattern:?}");
    }
    let out = same_as_rg(&["-F", "-c"], "a\nb", dir.path(), &[], &[]);
    assert_eq!(out.code, 2);
    let out = same_as_rg(&["-c"], "foo", &dir.path().join("missing"), &[], &[]);
    assert_eq!(out.code, 2);
}

const USR_INCLUDE_CASES: &[(&[&str], &str)] = &[
    (&["-c"], "define"),
    (&["-n"], "define"),
    (&["-c", "-F"], "struct stat"),
    (&["-n", "-F"], "struct stat"),
    (&["-c"], "ZZZ_NO_MATCH_ZZZ"),
    (&["-n"], "ZZZ_NO_MATCH_ZZZ"),
    (&["-n"], r"^#include <[a-z]+\.h>"),
    (&["-c"], r"u?int(8|16|32|64)_t"),
    (&["-n"], r"u?int(8|16|32|64)_t"),
    (&["-n"], r"\bfoo\w*"),
    (&["-c", "-i"], "define"),
    (&["-n", "-i", "-F"], "STRUCT STAT"),
    (&["-n", "-i"], r"\bfoo\w*"),
    (&[], "struct stat"),
];

#[test]
fn usr_include_output_is_rgs() {
    let root = Path::new("/usr/include");
    assert!(root.is_dir(), "/usr/include is missing: install libc6-dev");
    for (flags, pattern) in USR_INCLUDE_CASES {
        let out = same_as_rg(flags, pattern, root, &[], &[]);
        let expect_match = !pattern.starts_with("ZZZ");
        assert_eq!(
            out.code,
            if expect_match { 0 } else { 1 },
            "{flags:?} {pattern}"
        );
    }
}
