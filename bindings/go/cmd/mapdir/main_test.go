package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeTree writes a small tree whose sizes, line counts and matches are
// known, plus a symbolic link that must be skipped.
func makeTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"a.txt":              "one\ntwo\nthree\n",             // 14 bytes, 3 lines
		"empty.txt":          "",                              // 0 bytes, 0 lines
		"sub/b.txt":          "no newline at the end",         // 21 bytes, 1 line
		"sub/deeper/c.log":   "needle\nhay\nneedleneedle\n\n", // 25 bytes, 4 lines, 2 with needles
		"sub/data.bin":       "needle\x00",                    // binary: 7 bytes, 1 line, not counted
		".dot/needle.txt":    "a needle\n",                    // hidden: 9 bytes, 1 line, 1 needle
		"sub/deeper/win.txt": "crlf\r\nline\r\n",              // 12 bytes, 2 lines
	}
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.txt", filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	return root
}

const wantPlain = `size	lines	path
9	1	.dot/needle.txt
14	3	a.txt
0	0	empty.txt
21	1	sub/b.txt
7	1	sub/data.bin
25	4	sub/deeper/c.log
12	2	sub/deeper/win.txt
7 files, 88 bytes, 12 lines
`

const wantPattern = `size	lines	matching	path
9	1	1	.dot/needle.txt
14	3	0	a.txt
0	0	0	empty.txt
21	1	0	sub/b.txt
7	1	0	sub/data.bin
25	4	2	sub/deeper/c.log
12	2	0	sub/deeper/win.txt
7 files, 88 bytes, 12 lines, 3 matching lines in 2 files
`

// A regular expression: lines with "need" or "newline".
const wantRegex = `size	lines	matching	path
9	1	1	.dot/needle.txt
14	3	0	a.txt
0	0	0	empty.txt
21	1	1	sub/b.txt
7	1	0	sub/data.bin
25	4	2	sub/deeper/c.log
12	2	0	sub/deeper/win.txt
7 files, 88 bytes, 12 lines, 4 matching lines in 3 files
`

func TestRun(t *testing.T) {
	root := makeTree(t)
	for _, c := range []struct {
		args []string
		want string
	}{{[]string{root}, wantPlain}, {[]string{"-pattern", "needle", root}, wantPattern},
		{[]string{"-pattern", "need|newline", "-regex", root}, wantRegex}} {
		var out, errs bytes.Buffer
		if code := run(c.args, &out, &errs); code != 0 {
			t.Fatalf("exit %d: %s", code, errs.String())
		}
		if out.String() != c.want {
			t.Errorf("mapdir %v:\n%s\nwant:\n%s", c.args, out.String(), c.want)
		}
	}
}

func TestRunErrors(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(nil, &out, &errs); code != 2 || !strings.Contains(errs.String(), "usage") {
		t.Errorf("no arguments: exit %d, %q", code, errs.String())
	}
	errs.Reset()
	missing := filepath.Join(t.TempDir(), "missing")
	if code := run([]string{missing}, &out, &errs); code != 1 || !strings.Contains(errs.String(), missing) {
		t.Errorf("missing directory: exit %d, %q", code, errs.String())
	}
	errs.Reset()
	if code := run([]string{"-regex", "-pattern", "(", t.TempDir()}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "(") {
		t.Errorf("invalid regex: exit %d, %q", code, errs.String())
	}
	if os.Geteuid() != 0 {
		root := makeTree(t)
		secret := filepath.Join(root, "a.txt")
		os.Chmod(secret, 0)
		out.Reset()
		errs.Reset()
		code := run([]string{root}, &out, &errs)
		if code != 1 || !strings.Contains(errs.String(), secret) || !strings.Contains(out.String(), "6 files") {
			t.Errorf("unreadable file: exit %d, %q, %q", code, errs.String(), out.String())
		}
	}
}

// The built command, run as a program, prints the same.
func TestBuiltCommand(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	bin := filepath.Join(t.TempDir(), "mapdir")
	build := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root := makeTree(t)
	out, err := exec.Command(bin, "-pattern", "needle", root).Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != wantPattern {
		t.Errorf("mapdir printed:\n%s\nwant:\n%s", out, wantPattern)
	}
}
