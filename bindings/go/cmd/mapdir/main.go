// Command mapdir maps every regular file under a directory and reports
// each file's size and line count and, with -pattern, how many of its
// lines contain a pattern.
//
//	mapdir [-pattern TEXT [-regex]] DIR
//
// Output, one line per file in lexical order (paths relative to DIR, with
// '/' separators), then a summary line:
//
//	size	lines	[matching	]path
//	14	3	1	a.txt
//	...
//	3 files, 40 bytes, 6 lines, 2 matching lines in 1 file
//
// Lines end at '\n'; a last line without one counts. Symbolic links are
// not followed. A file that cannot be mapped is reported on stderr and the
// walk goes on; the exit status is then 1.
//
// Every file is read through a read-only map (mapview.OpenFile with
// sequential advice): no read() copies, and the page cache is shared with
// every other reader of the file. The pattern is searched by the library's
// directory search (mapview.SearchDir), which counts matching lines as
// `rg -c --no-ignore --hidden` does: a literal (a regular expression with
// -regex), and files with binary data (a NUL byte) are not counted.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"mapview.dev/mapview"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// fileReport is what mapdir reports for one file.
type fileReport struct {
	path    string
	size    int
	lines   int
	matches int
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("mapdir", flag.ContinueOnError)
	flags.SetOutput(stderr)
	pattern := flags.String("pattern", "", "count the lines of every file that contain this text")
	regex := flags.Bool("regex", false, "the pattern is a regular expression, not a literal")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: mapdir [-pattern TEXT [-regex]] DIR")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return 2
	}
	root := flags.Arg(0)

	status := 0
	var reports []fileReport
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			fmt.Fprintf(stderr, "mapdir: %v\n", err)
			status = 1
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rep, err := measure(path)
		if err != nil {
			fmt.Fprintf(stderr, "mapdir: %v\n", err)
			status = 1
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rep.path = filepath.ToSlash(rel)
		reports = append(reports, rep)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "mapdir: %v\n", err)
		return 1
	}
	if *pattern != "" {
		if err := countMatches(root, *pattern, *regex, reports); err != nil {
			fmt.Fprintf(stderr, "mapdir: %v\n", err)
			return 1
		}
	}
	write(stdout, reports, *pattern != "")
	return status
}

// countMatches fills in each report's count of matching lines with one
// directory search over root.
func countMatches(root, pattern string, regex bool, reports []fileReport) error {
	counts := map[string]int{}
	_, err := mapview.SearchDir(root, pattern, &mapview.SearchOptions{
		FixedStrings: !regex,
		CountOnly:    true,
		OnFile: func(f mapview.SearchFile) error {
			rel, err := filepath.Rel(root, f.Path)
			if err != nil {
				return err
			}
			counts[filepath.ToSlash(rel)] = int(f.Count)
			return nil
		},
	})
	for i := range reports {
		reports[i].matches = counts[reports[i].path]
	}
	return err
}

// measure maps one file and counts its lines.
func measure(path string) (fileReport, error) {
	m, err := mapview.OpenFile(path, mapview.ModeReadOnly, &mapview.Options{Advice: mapview.AdviceSequential})
	if err != nil {
		return fileReport{}, err
	}
	defer m.Close()
	data := m.Bytes() // valid until the deferred Close; nothing keeps it
	rep := fileReport{size: len(data), lines: bytes.Count(data, []byte{'\n'})}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		rep.lines++
	}
	return rep, nil
}

func write(w io.Writer, reports []fileReport, withMatches bool) {
	if withMatches {
		fmt.Fprintln(w, "size\tlines\tmatching\tpath")
	} else {
		fmt.Fprintln(w, "size\tlines\tpath")
	}
	var size, lines, matches, matched int
	for _, r := range reports {
		size, lines, matches = size+r.size, lines+r.lines, matches+r.matches
		if withMatches {
			if r.matches > 0 {
				matched++
			}
			fmt.Fprintf(w, "%d\t%d\t%d\t%s\n", r.size, r.lines, r.matches, r.path)
		} else {
			fmt.Fprintf(w, "%d\t%d\t%s\n", r.size, r.lines, r.path)
		}
	}
	fmt.Fprintf(w, "%s, %s, %s", plural(len(reports), "file"), plural(size, "byte"), plural(lines, "line"))
	if withMatches {
		fmt.Fprintf(w, ", %s in %s", plural(matches, "matching line"), plural(matched, "file"))
	}
	fmt.Fprintln(w)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
