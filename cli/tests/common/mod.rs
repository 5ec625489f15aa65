//! Running `mapview` and `rg`, comparing their output, and the synthetic
//! tree the comparisons run on.
#![allow(dead_code)]

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

/// ripgrep 13, installed by scripts/bootstrap.sh; the reference output.
pub const RG: &str = "/usr/bin/rg";

pub fn mapview() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mapview"))
}

/// `rg`, failing (not skipping) the test when it is missing: without it
/// nothing here would be compared.
pub fn rg() -> Command {
    assert!(
        Path::new(RG).is_file(),
        "{RG} is missing: these tests compare `mapview grep` with ripgrep 13; \
         install it with `bash scripts/bootstrap.sh test` (apt package ripgrep)"
    );
    Command::new(RG)
}

pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub code: i32,
}

pub fn run(cmd: &mut Command) -> Outcome {
    let out = cmd.output().expect("spawn");
    Outcome {
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().expect("exited by signal"),
    }
}

/// Runs `mapview grep FLAGS PATTERN ROOT` and `rg --no-ignore --hidden
/// FLAGS PATTERN ROOT` (plus the extra flags each is given) and checks that
/// they print the same and exit alike. Files may come in any order, so
/// output is compared per file (-c lines sorted). Returns rg's output.
pub fn same_as_rg(
    flags: &[&str],
    pattern: &str,
    root: &Path,
    mapview_extra: &[&str],
    rg_extra: &[&str],
) -> Outcome {
    let mine = run(mapview()
        .arg("grep")
        .args(mapview_extra)
        .args(flags)
        .arg("--")
        .arg(pattern)
        .arg(root));
    let theirs = run(rg()
        .args(["--no-ignore", "--hidden"])
        .args(rg_extra)
        .args(flags)
        .arg("--")
        .arg(pattern)
        .arg(root));
    let what = format!(
        "flags {flags:?} {mapview_extra:?}/{rg_extra:?}, pattern {pattern:?}, root {root:?}"
    );
    assert_eq!(
        mine.code, theirs.code,
        "exit status differs for {what}\nmapview stderr: {}\nrg stderr: {}",
        mine.stderr, theirs.stderr
    );
    let (a, b) = (per_file(&mine.stdout), per_file(&theirs.stdout));
    if a != b {
        let only = |x: &[Vec<u8>], y: &[Vec<u8>]| {
            x.iter()
                .filter(|l| !y.contains(l))
                .take(5)
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect::<Vec<_>>()
        };
        panic!(
            "output differs for {what}: {} lines from mapview, {} from rg\n\
             only in mapview: {:?}\nonly in rg: {:?}",
            a.len(),
            b.len(),
            only(&a, &b),
            only(&b, &a)
        );
    }
    assert_eq!(
        mine.stderr.is_empty(),
        theirs.stderr.is_empty(),
        "one reported errors and the other did not for {what}\nmapview: {}\nrg: {}",
        mine.stderr,
        theirs.stderr
    );
    theirs
}

/// Output lines grouped by file (the part before the first ':'), files in
/// sorted order, lines of one file in the order printed.
pub fn per_file(out: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    if lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    let key = |l: &Vec<u8>| l.split(|&b| b == b':').next().map(<[u8]>::to_vec);
    lines.sort_by_key(key);
    lines
}

pub fn text(out: &Outcome) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(root: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A small deterministic generator, so the tree is the same every run.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
}

/// Text of about `len` bytes in lines of 1 to `max_line` bytes; some
/// lines hold "foo" (or "Foo"), none is longer than 64 KiB.
pub fn lines_of(rng: &mut Lcg, len: usize, max_line: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + max_line);
    while out.len() < len {
        let n = 1 + rng.below(max_line as u64);
        for _ in 0..n {
            out.push(b"abxyz .,;"[rng.below(9)]);
        }
        match rng.below(12) {
            0 => out.push(b'\r'),
            1 | 2 => out.extend_from_slice(b"foo"),
            3 => out.extend_from_slice(b" Foo bar"),
            _ => {}
        }
        out.push(b'\n');
    }
    out
}

/// A line-numbered text file of about `len` bytes with "foo" on the lines
/// that straddle each of `marks` (byte offsets), on the first line and on
/// the last line, which has no `\n`.
pub fn big_text(len: usize, marks: &[usize]) -> Vec<u8> {
    let mut out = b"foo first line\n".to_vec();
    let mut n = 1;
    while out.len() < len {
        n += 1;
        let start = out.len();
        let mut line =
            format!("line {n:07} padding padding padding padding padding padding").into_bytes();
        if marks
            .iter()
            .any(|&m| m >= start && m < start + line.len() + 1)
        {
            line.extend_from_slice(b" foo here");
        }
        out.extend_from_slice(&line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"the last line has foo and no newline");
    out
}

/// Binary files (a NUL somewhere) that probe where ripgrep stops reading:
/// NULs on and around its 64 KiB buffer ends, in its 3-byte first read,
/// after a newline in that first read, after a byte-order mark.
pub fn binary_files(root: &Path) {
    let mut rng = Lcg::new(0x5eed);
    let edges = [
        0, 1, 2, 3, 65_535, 65_536, 65_537, 65_538, 65_540, 131_035, 131_071, 131_072, 131_073,
        131_100,
    ];
    for (prefix, name) in [(&b""[..], "edge"), (b"a\n", "edge_a")] {
        for &nul in &edges {
            // "a\n" puts a newline inside rg's 3-byte first read, which
            // shifts every later buffer by 3 bytes.
            let mut d = prefix.to_vec();
            d.extend_from_slice(b"foo at the start\n");
            d.extend(lines_of(&mut rng, 200_000, 300));
            d[nul] = 0;
            write(root, &format!("bin/{name}_{nul}"), &d);
        }
    }
    for i in 0..24 {
        let len = 1_000 + rng.below(400_000);
        let max_line = 1 + rng.below(3_000);
        let mut d = lines_of(&mut rng, len, max_line);
        let nul = rng.below(d.len() as u64);
        d[nul] = 0;
        write(root, &format!("bin/random_{i:02}"), &d);
    }
    let mut bom = b"\xEF\xBB\xBFfoo after a byte-order mark\n".to_vec();
    bom.extend(lines_of(&mut rng, 70_000, 100));
    bom[65_539] = 0;
    write(root, "bin/utf8_bom_then_nul", &bom);
    // A byte-order mark makes rg read a named file instead of mapping it.
    let lines = b"x"
        .repeat(99)
        .into_iter()
        .chain(*b"\n")
        .collect::<Vec<u8>>();
    let with_bom = |parts: &[&[u8]]| {
        [&b"\xEF\xBB\xBF"[..]]
            .iter()
            .chain(parts)
            .copied()
            .collect::<Vec<_>>()
            .concat()
    };
    let (ten, thousand) = (lines.repeat(10), lines.repeat(1000));
    write(
        root,
        "bin/bom_nul_early",
        &with_bom(&[b"foo 1\n", &ten, b"a\0b\n", b"foo 2\n"]),
    );
    write(
        root,
        "bin/bom_nul_late",
        &with_bom(&[b"foo 1\n", &thousand, b"x\0y\n", b"foo 2\n"]),
    );
    write(
        root,
        "bin/bom_nul_no_match_after",
        &with_bom(&[b"foo 1\n", &thousand, b"x\0y\n"]),
    );
    write(
        root,
        "bin/bom_nul_splits_a_line",
        &with_bom(&[b"bar\n", &thousand, b"x\0foo\n"]),
    );
    write(
        root,
        "bin/nul_before_match",
        b"nothing\n\0after foo\nfoo again\n",
    );
    write(
        root,
        "bin/match_before_nul",
        b"foo before\n\0after foo\nfoo again\n",
    );
    write(root, "bin/only_nul", b"\0");
}

/// The synthetic tree: hidden files, ignore files, nested directories,
/// empty files, no trailing newline, CRLF, invalid UTF-8, byte-order
/// marks, binary files, symbolic links (to a file, to a directory, a loop,
/// dangling), and a file large enough to be mapped.
pub fn synthetic_tree(root: &Path) {
    write(
        root,
        "top.txt",
        b"foo\nFoo\nFOO\nbar\nfoofoo foo\n  foo_bar baz\n",
    );
    write(root, ".hidden", b"foo in a hidden file\n");
    write(root, ".hiddendir/inner.txt", b"a hidden dir's foo\n");
    // A repository, so that .gitignore applies when ignore files are respected.
    write(root, ".git/HEAD", b"ref: refs/heads/foo\n");
    write(root, ".gitignore", b"ignored.txt\nignored_dir/\n");
    write(root, ".ignore", b"dot_ignored.txt\n");
    write(root, "ignored.txt", b"foo ignored by .gitignore\n");
    write(root, "ignored_dir/x.txt", b"foo in an ignored dir\n");
    write(root, "dot_ignored.txt", b"foo ignored by .ignore\n");
    write(root, "a/b/c/d/deep.txt", b"deep\nfoo deep down\n");
    write(root, "a/b/sibling.rs", b"fn foo() {}\n// FOO\n");
    write(root, "empty", b"");
    write(root, "a/empty_too", b"");
    write(root, "just_newlines", b"\n\n\n");
    write(root, "no_trailing_newline", b"foo\nbar foo");
    write(root, "crlf.txt", b"foo\r\nbar\r\nfoo bar\r\n\r\nend foo");
    write(
        root,
        "invalid_utf8",
        b"foo \xff\xfe bar\n\xc3\x28 foo\n\xe2\x82 Foo\xf0\n",
    );
    write(root, "utf8_bom", b"\xEF\xBB\xBFfoo starts the file\nfoo\n");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "foo in UTF-16\r\nsecond Foo line\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write(root, "utf16le", &utf16);
    write(root, "name with spaces.txt", b"foo with spaces\n");
    write(
        root,
        "unicode_é.txt",
        "café foo ÉTÉ\nstraße FOO\n".as_bytes(),
    );
    let mut rng = Lcg::new(42);
    for i in 0..40 {
        let len = rng.below(5_000);
        write(
            root,
            &format!("many/f{i:02}.txt"),
            &lines_of(&mut rng, len, 80),
        );
    }
    let marks: Vec<usize> = (1..=26)
        .flat_map(|k| [k * 65_536 - 2, k * 65_536 + 30])
        .chain([1_572_864 - 40, 1_572_864, 1_572_864 + 10])
        .collect();
    write(root, "big/large.txt", &big_text(1_700_000, &marks));
    let mut big_bin = big_text(1_700_000, &marks);
    big_bin[1_600_000] = 0;
    write(root, "big/large_binary", &big_bin);
    binary_files(root);
    symlink("top.txt", root.join("link_to_file")).unwrap();
    symlink("a/b", root.join("link_to_dir")).unwrap();
    symlink("loop_b", root.join("loop_a")).unwrap();
    symlink("loop_a", root.join("loop_b")).unwrap();
    symlink("nowhere", root.join("dangling")).unwrap();
    symlink("..", root.join("a/b/c/up")).unwrap();
    // A non-UTF-8 file name: printed as raw bytes.
    let odd = std::ffi::OsStr::from_bytes(b"odd_\xff_name");
    std::fs::write(root.join(odd), b"foo in an odd name\n").unwrap();
}
