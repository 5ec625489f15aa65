package mapview

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// searchTree writes a small tree for the search tests.
func searchTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range map[string]string{
		"a.txt":         "one\ntwo\nthree\n",
		"sub/b.txt":     "Two two\nfour\r\nt.o",
		".hidden/c.txt": "two",
		"bin.dat":       "two\x00two\n",
	} {
		path := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// collect runs a search and returns "rel:line:text" for every match,
// "rel=count" for every file, sorted, and the summary.
func runSearch(t *testing.T, root, pattern string, opts SearchOptions) ([]string, SearchSummary) {
	t.Helper()
	var got []string
	rel := func(p string) string { r, _ := filepath.Rel(root, p); return filepath.ToSlash(r) }
	if !opts.CountOnly {
		opts.OnMatch = func(m SearchMatch) error {
			got = append(got, fmt.Sprintf("%s:%d:%s", rel(m.Path), m.LineNumber, m.Line))
			return nil
		}
	}
	opts.OnFile = func(f SearchFile) error {
		got = append(got, fmt.Sprintf("%s=%d", rel(f.Path), f.Count))
		return nil
	}
	sum, err := SearchDir(root, pattern, &opts)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got, sum
}

func TestSearchDir(t *testing.T) {
	root := searchTree(t)
	got, sum := runSearch(t, root, "two", SearchOptions{})
	want := []string{".hidden/c.txt:1:two", ".hidden/c.txt=1", "a.txt:2:two", "a.txt=1", "sub/b.txt:1:Two two", "sub/b.txt=1"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// bin.dat has a NUL in its first block: searched, not reported (rg's rule).
	if sum.FilesSearched != 4 || sum.FilesMatched != 3 || sum.LinesMatched != 3 || sum.Errors != 0 || sum.Stopped {
		t.Errorf("summary %+v", sum)
	}

	got, _ = runSearch(t, root, "two", SearchOptions{IgnoreCase: true, SkipHidden: true, CountOnly: true})
	if want := []string{"a.txt=1", "sub/b.txt=1"}; !slices.Equal(got, want) {
		t.Errorf("ignore case, skip hidden, count: %q", got)
	}
	got, _ = runSearch(t, root, "t.o", SearchOptions{FixedStrings: true, Threads: 1})
	if want := []string{"sub/b.txt:3:t.o", "sub/b.txt=1"}; !slices.Equal(got, want) {
		t.Errorf("fixed strings: %q", got)
	}
	got, _ = runSearch(t, root, `four\r$`, SearchOptions{})
	if want := []string{"sub/b.txt:2:four\r", "sub/b.txt=1"}; !slices.Equal(got, want) {
		t.Errorf("a \\r before the newline is part of the line: %q", got)
	}
	os.WriteFile(filepath.Join(root, ".ignore"), []byte("sub/\n"), 0o644)
	got, _ = runSearch(t, root, "two", SearchOptions{RespectIgnoreFiles: true, CountOnly: true})
	if want := []string{".hidden/c.txt=1", "a.txt=1"}; !slices.Equal(got, want) {
		t.Errorf("respect ignore files: %q", got)
	}
	// A single file as the root is searched as rg searches a file named on
	// its command line: binary data ends the report but matches count.
	// (`rg two bin.dat` says "binary file matches" and prints no line;
	// `rg -c two bin.dat` says 1.)
	for _, countOnly := range []bool{false, true} {
		var files []SearchFile
		_, err := SearchDir(filepath.Join(root, "bin.dat"), "two", &SearchOptions{CountOnly: countOnly,
			OnFile: func(f SearchFile) error { files = append(files, f); return nil }})
		want := uint64(0)
		if countOnly {
			want = 1
		}
		if err != nil || len(files) != 1 || files[0].Count != want ||
			(!countOnly && (files[0].Binary != SearchBinaryMatches || files[0].BinaryOffset != 3)) {
			t.Errorf("binary file, count only %v: %+v, %v", countOnly, files, err)
		}
	}
}

func TestSearchDirErrors(t *testing.T) {
	root := searchTree(t)
	_, err := SearchDir(root, "(", nil)
	wantError(t, err, CodeInvalidArgument, "(")
	_, err = SearchDir(root, "a\nb", nil)
	wantError(t, err, CodeInvalidArgument)
	missing := filepath.Join(root, "missing")
	_, err = SearchDir(missing, "x", nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
	wantError(t, err, CodeNotFound, missing)
	_, err = SearchDir(root, "x", &SearchOptions{CountOnly: true, OnMatch: func(SearchMatch) error { return nil }})
	wantError(t, err, CodeInvalidFlags)
	_, err = SearchDir(root, "x", &SearchOptions{Threads: -1})
	wantError(t, err, CodeInvalidArgument)

	// A link to an ancestor, followed, is an error for OnError; the search
	// goes on.
	if err := os.Symlink("..", filepath.Join(root, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	var seen []error
	sum, err := SearchDir(root, "two", &SearchOptions{FollowLinks: true, OnError: func(e error) error {
		seen = append(seen, e)
		return nil
	}})
	if err != nil || sum.Errors != 1 || len(seen) != 1 || sum.FilesMatched != 3 {
		t.Fatalf("link loop: %+v, %v, %v", sum, err, seen)
	}
	var e *Error
	if !errors.As(seen[0], &e) || !strings.Contains(e.Message, "loop") {
		t.Errorf("OnError got %v", seen[0])
	}
}

func TestSearchDirStops(t *testing.T) {
	root := searchTree(t)
	n := 0
	sum, err := SearchDir(root, "t", &SearchOptions{OnMatch: func(SearchMatch) error { n++; return fs.SkipAll }})
	if err != nil || !sum.Stopped || n != 1 {
		t.Errorf("SkipAll: %+v, %v, %d calls", sum, err, n)
	}
	mine := errors.New("enough")
	sum, err = SearchDir(root, "t", &SearchOptions{OnFile: func(SearchFile) error { return mine }})
	if err != mine || !sum.Stopped || sum.FilesMatched != 1 {
		t.Errorf("own error: %+v, %v", sum, err)
	}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v", r)
			}
		}()
		SearchDir(root, "t", &SearchOptions{OnMatch: func(SearchMatch) error { panic("boom") }})
		t.Error("the callback's panic was swallowed")
	}()
	// The library is fine afterwards.
	if sum, err := SearchDir(root, "two", nil); err != nil || sum.LinesMatched != 3 {
		t.Errorf("after a panic: %+v, %v", sum, err)
	}
}

// Searches from many goroutines at once each get their own callbacks.
func TestSearchDirConcurrent(t *testing.T) {
	root := searchTree(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pattern := []string{"two", "one", "four", "three"}[g%4]
			for range 20 {
				lines := 0
				_, err := SearchDir(root, pattern, &SearchOptions{OnMatch: func(m SearchMatch) error {
					if !strings.Contains(string(m.Line), pattern) {
						return fmt.Errorf("goroutine %d searching %q got line %q", g, pattern, m.Line)
					}
					lines++
					return nil
				}})
				if err != nil {
					t.Error(err)
					return
				}
				if lines == 0 {
					t.Errorf("%q: no lines", pattern)
					return
				}
			}
		}()
	}
	wg.Wait()
}
