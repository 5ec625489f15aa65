package mapview

// This file has //export functions, so its preamble may only declare
// (cgo's rule). The declarations of the callbacks match the prototypes
// cgo generates for them in _cgo_export.h.

// #include <stdlib.h>
// #include "mapview.h"
// extern int32_t goSearchMatch(void *, mapview_search_match *);
// extern int32_t goSearchCount(void *, mapview_search_file *);
// extern int32_t goSearchError(void *, mapview_error *);
import "C"

import (
	"io/fs"
	"runtime/cgo"
	"unsafe"
)

// Directory search: every regular file under a directory searched for a
// regular expression or a literal, with ripgrep's semantics (lines,
// counts, binary files), on all cores. The walk and the search are the
// library's (mapview_search_dir); this file turns its callbacks into Go
// functions.

// SearchBinary says how a file's binary data (a NUL byte) shaped its
// report, by ripgrep 13's rules.
type SearchBinary int32

const (
	// SearchBinaryNone: no binary data changed the report.
	SearchBinaryNone SearchBinary = C.MAPVIEW_SEARCH_BINARY_NONE
	// SearchBinaryStopped: a file found by the walk; reading stopped at
	// the binary data and the lines before it were reported.
	SearchBinaryStopped SearchBinary = C.MAPVIEW_SEARCH_BINARY_STOPPED
	// SearchBinaryMatches: the directory argument named a file; lines
	// were reported until binary data was seen.
	SearchBinaryMatches SearchBinary = C.MAPVIEW_SEARCH_BINARY_MATCHES
)

// SearchMatch is one matching line.
type SearchMatch struct {
	Path       string // the directory argument joined with the path below it
	LineNumber uint64 // 1 for the first line of the file
	// Line is the line without its '\n' (a '\r' before it is kept). It
	// points into the library's memory and is valid only during the
	// callback: copy it (bytes.Clone) to keep it.
	Line []byte
}

// SearchFile is a file with matches and its count of matching lines.
type SearchFile struct {
	Path         string
	Count        uint64 // with CountOnly the whole file's, else the lines passed to OnMatch
	Binary       SearchBinary
	BinaryOffset uint64 // where the NUL is, unless Binary is SearchBinaryNone
}

// SearchSummary is what a search did.
type SearchSummary struct {
	FilesSearched uint64 // regular files opened and searched
	FilesMatched  uint64 // files with matches
	LinesMatched  uint64 // the sum of their counts
	Errors        uint64 // files and directories that could not be searched
	Stopped       bool   // a callback stopped the search
}

// SearchOptions are the options of SearchDir. The zero value is
// `rg --no-ignore --hidden`: a regular expression, case-sensitive, every
// matching line, hidden files searched, ignore files not read, links not
// followed, one thread per core.
type SearchOptions struct {
	FixedStrings       bool // the pattern is a literal (rg -F)
	IgnoreCase         bool // Unicode simple case folding (rg -i)
	CountOnly          bool // count matching lines per file (rg -c); OnMatch must be nil
	FollowLinks        bool // follow symbolic links (rg -L)
	RespectIgnoreFiles bool // skip what .gitignore, .ignore, ... exclude
	SkipHidden         bool // skip names starting with a dot
	Threads            int  // threads searching; 0: one per core (at most 12)

	// OnMatch receives each matching line, in order within a file.
	OnMatch func(SearchMatch) error
	// OnFile receives each file with matches, after its lines.
	OnFile func(SearchFile) error
	// OnError receives each file or directory that could not be searched
	// (an *Error naming the path). Without it they are only counted.
	OnError func(error) error
}

// searchState is one SearchDir call, reached from the callbacks through a
// cgo.Handle (C keeps no Go pointer).
type searchState struct {
	opts     *SearchOptions
	err      error // the error a callback stopped the search with
	panicked any   // a callback's panic, re-raised after the C call
}

// SearchDir searches every regular file under dir (or the file dir) for
// pattern and reports what `rg --no-ignore --hidden` (ripgrep 13)
// reports, through the callbacks of opts (nil: count only the summary).
// Files come in no particular order; the callbacks run one at a time, on
// the goroutine that called SearchDir.
//
// A callback that returns an error stops the search: SearchDir returns
// the summary (Stopped set) and that error, except fs.SkipAll, which
// stops it without an error (as with filepath.WalkDir). A callback's
// panic stops the search and is re-raised by SearchDir.
//
// Errors: an invalid pattern (ErrInvalidArgument, naming it), a missing
// dir (ErrNotFound), an unreadable one (ErrPermission). Files that cannot
// be searched do not fail the call: they go to OnError and Errors.
func SearchDir(dir, pattern string, opts *SearchOptions) (SearchSummary, error) {
	if opts == nil {
		opts = &SearchOptions{}
	}
	if opts.Threads < 0 {
		return SearchSummary{}, newError(CodeInvalidArgument, "search '%s': negative thread count %d", dir, opts.Threads)
	}
	copts := C.mapview_search_options_init()
	for _, f := range []struct {
		on   bool
		flag C.uint32_t
	}{
		{opts.FixedStrings, C.MAPVIEW_SEARCH_FIXED_STRINGS},
		{opts.IgnoreCase, C.MAPVIEW_SEARCH_IGNORE_CASE},
		{opts.CountOnly, C.MAPVIEW_SEARCH_COUNT_ONLY},
		{opts.FollowLinks, C.MAPVIEW_SEARCH_FOLLOW_LINKS},
		{opts.RespectIgnoreFiles, C.MAPVIEW_SEARCH_RESPECT_IGNORE_FILES},
		{opts.SkipHidden, C.MAPVIEW_SEARCH_SKIP_HIDDEN},
	} {
		if f.on {
			copts.flags |= f.flag
		}
	}
	copts.threads = C.uint32_t(opts.Threads)
	var onMatch C.mapview_search_match_fn
	var onCount C.mapview_search_count_fn
	if opts.OnMatch != nil {
		onMatch = C.mapview_search_match_fn(C.goSearchMatch)
	}
	if opts.OnFile != nil {
		onCount = C.mapview_search_count_fn(C.goSearchCount)
	}
	if opts.OnError != nil {
		copts.on_error = C.mapview_search_error_fn(C.goSearchError)
	}

	// user_data is a C cell holding a cgo.Handle: C never sees a Go
	// pointer, and concurrent searches each have their own state.
	state := &searchState{opts: opts}
	handle := cgo.NewHandle(state)
	defer handle.Delete()
	cell := (*cgo.Handle)(C.malloc(C.size_t(unsafe.Sizeof(handle))))
	defer C.free(unsafe.Pointer(cell))
	*cell = handle

	dp, dn := cPath(dir)
	pp, pn := cPath(pattern)
	var sum C.mapview_search_summary
	var cerr *C.mapview_error
	st := C.mapview_search_dir(dp, dn, pp, pn, &copts, onMatch, onCount, unsafe.Pointer(cell), &sum, &cerr)
	if state.panicked != nil {
		C.mapview_error_free(cerr)
		panic(state.panicked)
	}
	summary := SearchSummary{
		FilesSearched: uint64(sum.files_searched),
		FilesMatched:  uint64(sum.files_matched),
		LinesMatched:  uint64(sum.lines_matched),
		Errors:        uint64(sum.errors),
		Stopped:       bool(sum.stopped),
	}
	if err := takeError(st, cerr); err != nil {
		return summary, err
	}
	if state.err != nil && state.err != fs.SkipAll {
		return summary, state.err
	}
	return summary, nil
}

// call runs a user callback for the library: 0 to go on, 1 to stop. A
// panic must not unwind through the library's frames, so it is caught
// here and re-raised by SearchDir.
func (s *searchState) call(f func() error) (ret C.int32_t) {
	defer func() {
		if r := recover(); r != nil {
			s.panicked, ret = r, 1
		}
	}()
	if err := f(); err != nil {
		s.err = err
		return 1
	}
	return 0
}

func stateOf(userData unsafe.Pointer) *searchState {
	return (*(*cgo.Handle)(userData)).Value().(*searchState)
}

//export goSearchMatch
func goSearchMatch(userData unsafe.Pointer, found *C.mapview_search_match) C.int32_t {
	s := stateOf(userData)
	return s.call(func() error {
		return s.opts.OnMatch(SearchMatch{
			Path:       C.GoStringN(found.path, C.int(found.path_len)),
			LineNumber: uint64(found.line_number),
			Line:       unsafe.Slice((*byte)(unsafe.Pointer(found.line)), int(found.line_len)),
		})
	})
}

//export goSearchCount
func goSearchCount(userData unsafe.Pointer, file *C.mapview_search_file) C.int32_t {
	s := stateOf(userData)
	return s.call(func() error {
		return s.opts.OnFile(SearchFile{
			Path:         C.GoStringN(file.path, C.int(file.path_len)),
			Count:        uint64(file.count),
			Binary:       SearchBinary(file.binary),
			BinaryOffset: uint64(file.binary_offset),
		})
	})
}

//export goSearchError
func goSearchError(userData unsafe.Pointer, cerr *C.mapview_error) C.int32_t {
	s := stateOf(userData)
	// The error belongs to the library and lives only during this call:
	// copy its code and message, never free it.
	err := &Error{
		Code:    Code(C.mapview_error_code(cerr)),
		Message: C.GoString(C.mapview_error_message(cerr)),
	}
	return s.call(func() error { return s.opts.OnError(err) })
}
