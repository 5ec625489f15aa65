package mapview

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Every code the linked library knows has a name here, and the other way
// round: catches a status code added to the header and not to errors.go.
func TestCodesMatchTheLibrary(t *testing.T) {
	known := map[Code]bool{}
	for _, c := range knownCodes {
		known[c] = true
		if c.String() == "unknown status" {
			t.Errorf("code %d is named here but unknown to the library", c)
		}
	}
	for c := Code(1); c < 256; c++ {
		if c.String() != "unknown status" && !known[c] {
			t.Errorf("the library knows code %d (%q); errors.go does not", c, c.String())
		}
	}
	if CodeNotFound.String() != "not found" {
		t.Errorf("CodeNotFound.String() = %q", CodeNotFound.String())
	}
}

func TestErrorIs(t *testing.T) {
	sentinels := map[Code]error{
		CodeNullArgument: ErrNullArgument, CodeInvalidHandle: ErrInvalidHandle,
		CodeClosed: ErrClosed, CodeInvalidArgument: ErrInvalidArgument,
		CodeOutOfRange: ErrOutOfRange, CodeOverflow: ErrOverflow,
		CodeInvalidFlags: ErrInvalidFlags, CodeRecordSize: ErrRecordSize,
		CodeReadOnly: ErrReadOnly, CodeNotFound: ErrNotFound,
		CodePermission: ErrPermission, CodeAlreadyExists: ErrAlreadyExists,
		CodeUnsupported: ErrUnsupported, CodeOutOfMemory: ErrOutOfMemory,
		CodeIO: ErrIO, CodeMisaligned: ErrMisaligned, CodePanic: ErrPanic,
		CodeBusy: ErrBusy, CodeCorrupt: ErrCorrupt,
		CodeWasmModule: ErrWasmModule, CodeWasmExport: ErrWasmExport,
		CodeWasmSignature: ErrWasmSignature, CodeWasmTrap: ErrWasmTrap,
		CodeWasmTimeout: ErrWasmTimeout, CodeWasmMemoryLimit: ErrWasmMemoryLimit,
		CodeWasmViewTruncated: ErrWasmViewTruncated, CodeWasmView: ErrWasmView,
	}
	if len(sentinels) != len(knownCodes) {
		t.Fatalf("%d sentinels for %d codes", len(sentinels), len(knownCodes))
	}
	for code, s := range sentinels {
		err := fmt.Errorf("wrapped: %w", &Error{Code: code, Message: "something"})
		for other, s2 := range sentinels {
			if got := errors.Is(err, s2); got != (other == code) {
				t.Errorf("errors.Is(%v error, sentinel %v) = %v", code, other, got)
			}
		}
		if !errors.Is(s, s) {
			t.Errorf("sentinel %v is not itself", code)
		}
	}
	os := map[error]Code{fs.ErrNotExist: CodeNotFound, fs.ErrPermission: CodePermission,
		fs.ErrExist: CodeAlreadyExists, fs.ErrClosed: CodeClosed, errors.ErrUnsupported: CodeUnsupported}
	for target, code := range os {
		for _, c := range knownCodes {
			if got := errors.Is(&Error{Code: c}, target); got != (c == code) {
				t.Errorf("errors.Is(code %v, %v) = %v", c, target, got)
			}
		}
	}
	// Two concrete errors with different messages are not the same error.
	if errors.Is(&Error{Code: CodeIO, Message: "a"}, &Error{Code: CodeIO, Message: "b"}) {
		t.Error("errors with different messages matched")
	}
	if got := ErrNotFound.Error(); got != "mapview: not found" {
		t.Errorf("sentinel message %q", got)
	}
}

// Each failed call's message is that call's, even with many goroutines
// failing at once on different paths and moving between OS threads: the C
// ABI returns errors as objects, not thread-local state.
func TestErrorMessagesUnderConcurrency(t *testing.T) {
	dir := t.TempDir()
	const goroutines, calls = 64, 200
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				path := filepath.Join(dir, fmt.Sprintf("missing-%d-%d.bin", g, i))
				var err error
				if i%2 == 0 {
					_, err = Open(path)
				} else {
					_, err = OpenWindows(path, 4096, 0)
				}
				if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), path) {
					errs <- fmt.Sprintf("goroutine %d call %d: %v", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
