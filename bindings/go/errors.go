package mapview

// #include "mapview.h"
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
)

// Code is the kind of a failure: one of the C ABI's MAPVIEW_ERR_* status
// codes. A code never changes meaning; later versions of the library may
// add codes, which this package reports by number.
type Code int32

// The codes, mirroring MAPVIEW_ERR_* in include/mapview.h.
const (
	CodeNullArgument    Code = C.MAPVIEW_ERR_NULL_ARGUMENT     // a required pointer was NULL (a bug in this binding)
	CodeInvalidHandle   Code = C.MAPVIEW_ERR_INVALID_HANDLE    // a zero, forged or wrongly typed handle
	CodeClosed          Code = C.MAPVIEW_ERR_CLOSED            // used after Close, or closed twice
	CodeInvalidArgument Code = C.MAPVIEW_ERR_INVALID_ARGUMENT  // an argument whose value does not fit
	CodeOutOfRange      Code = C.MAPVIEW_ERR_OUT_OF_RANGE      // an offset or range past the end
	CodeOverflow        Code = C.MAPVIEW_ERR_OVERFLOW          // offset + length overflows
	CodeInvalidFlags    Code = C.MAPVIEW_ERR_INVALID_FLAGS     // unknown flags or options that cannot go together
	CodeRecordSize      Code = C.MAPVIEW_ERR_RECORD_SIZE       // a record size of 0 or one that does not divide the data
	CodeReadOnly        Code = C.MAPVIEW_ERR_READ_ONLY         // write access asked of a read-only map
	CodeNotFound        Code = C.MAPVIEW_ERR_NOT_FOUND         // the file or directory does not exist
	CodePermission      Code = C.MAPVIEW_ERR_PERMISSION_DENIED // the operating system refused access
	CodeAlreadyExists   Code = C.MAPVIEW_ERR_ALREADY_EXISTS    // create would have overwritten a file
	CodeUnsupported     Code = C.MAPVIEW_ERR_UNSUPPORTED       // the kernel, file system or kind of map cannot do it
	CodeOutOfMemory     Code = C.MAPVIEW_ERR_OUT_OF_MEMORY     // out of memory, address space or huge pages
	CodeIO              Code = C.MAPVIEW_ERR_IO                // any other I/O error
	CodeMisaligned      Code = C.MAPVIEW_ERR_MISALIGNED        // data not on the alignment its records need
	CodePanic           Code = C.MAPVIEW_ERR_PANIC             // a bug in mapview, caught at the C boundary
	CodeBusy            Code = C.MAPVIEW_ERR_BUSY              // someone else holds it (e.g. a log's writer lock)
	CodeCorrupt         Code = C.MAPVIEW_ERR_CORRUPT           // damaged data (checksum, magic, header)

	// The WebAssembly host's codes.
	CodeWasmModule        Code = C.MAPVIEW_ERR_WASM_MODULE         // not a valid guest module
	CodeWasmExport        Code = C.MAPVIEW_ERR_WASM_EXPORT         // the guest lacks an export the call needs
	CodeWasmSignature     Code = C.MAPVIEW_ERR_WASM_SIGNATURE      // the function cannot be called with integers
	CodeWasmTrap          Code = C.MAPVIEW_ERR_WASM_TRAP           // the guest trapped
	CodeWasmTimeout       Code = C.MAPVIEW_ERR_WASM_TIMEOUT        // out of fuel or past the time limit
	CodeWasmMemoryLimit   Code = C.MAPVIEW_ERR_WASM_MEMORY_LIMIT   // the guest's memory would pass the limit
	CodeWasmViewTruncated Code = C.MAPVIEW_ERR_WASM_VIEW_TRUNCATED // a viewed file was truncated during the call
	CodeWasmView          Code = C.MAPVIEW_ERR_WASM_VIEW           // a view could not be attached
)

// knownCodes lists every code this package names; a test compares it with
// the codes the linked library knows, to catch codes added to the header.
var knownCodes = []Code{
	CodeNullArgument, CodeInvalidHandle, CodeClosed, CodeInvalidArgument,
	CodeOutOfRange, CodeOverflow, CodeInvalidFlags, CodeRecordSize,
	CodeReadOnly, CodeNotFound, CodePermission, CodeAlreadyExists,
	CodeUnsupported, CodeOutOfMemory, CodeIO, CodeMisaligned, CodePanic,
	CodeBusy, CodeCorrupt, CodeWasmModule, CodeWasmExport, CodeWasmSignature,
	CodeWasmTrap, CodeWasmTimeout, CodeWasmMemoryLimit, CodeWasmViewTruncated,
	CodeWasmView,
}

// String is the library's short description of the code ("not found",
// "closed handle", ...), or "unknown status" for a code it does not know.
func (c Code) String() string {
	// mapview_status_name returns a static string: nothing to free.
	return C.GoString(C.mapview_status_name(C.int32_t(c)))
}

// Error is every error this package returns, except io.EOF from ReadAt.
// Code says what kind of failure it was; Message is the library's own
// description naming the operation and the path, range or argument.
//
// Match kinds with errors.Is and the Err* sentinels:
//
//	if errors.Is(err, mapview.ErrNotFound) { ... }
//
// ErrNotFound also matches fs.ErrNotExist, ErrPermission fs.ErrPermission,
// ErrAlreadyExists fs.ErrExist, ErrClosed fs.ErrClosed and ErrUnsupported
// errors.ErrUnsupported, so code written for os errors works unchanged.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "mapview: " + e.Code.String()
	}
	return "mapview: " + e.Message
}

// Is reports whether target is a sentinel of the same code (an *Error
// without a message, such as ErrNotFound), an *Error equal to e, or the
// io/fs or errors sentinel that corresponds to e's code.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
		return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
	}
	switch target {
	case fs.ErrNotExist:
		return e.Code == CodeNotFound
	case fs.ErrPermission:
		return e.Code == CodePermission
	case fs.ErrExist:
		return e.Code == CodeAlreadyExists
	case fs.ErrClosed:
		return e.Code == CodeClosed
	case errors.ErrUnsupported:
		return e.Code == CodeUnsupported
	}
	return false
}

// Sentinels for errors.Is: each matches every *Error of its code.
var (
	ErrNullArgument    error = &Error{Code: CodeNullArgument}
	ErrInvalidHandle   error = &Error{Code: CodeInvalidHandle}
	ErrClosed          error = &Error{Code: CodeClosed}
	ErrInvalidArgument error = &Error{Code: CodeInvalidArgument}
	ErrOutOfRange      error = &Error{Code: CodeOutOfRange}
	ErrOverflow        error = &Error{Code: CodeOverflow}
	ErrInvalidFlags    error = &Error{Code: CodeInvalidFlags}
	ErrRecordSize      error = &Error{Code: CodeRecordSize}
	ErrReadOnly        error = &Error{Code: CodeReadOnly}
	ErrNotFound        error = &Error{Code: CodeNotFound}
	ErrPermission      error = &Error{Code: CodePermission}
	ErrAlreadyExists   error = &Error{Code: CodeAlreadyExists}
	ErrUnsupported     error = &Error{Code: CodeUnsupported}
	ErrOutOfMemory     error = &Error{Code: CodeOutOfMemory}
	ErrIO              error = &Error{Code: CodeIO}
	ErrMisaligned      error = &Error{Code: CodeMisaligned}
	ErrPanic           error = &Error{Code: CodePanic}
	ErrBusy            error = &Error{Code: CodeBusy}
	ErrCorrupt         error = &Error{Code: CodeCorrupt}

	ErrWasmModule        error = &Error{Code: CodeWasmModule}
	ErrWasmExport        error = &Error{Code: CodeWasmExport}
	ErrWasmSignature     error = &Error{Code: CodeWasmSignature}
	ErrWasmTrap          error = &Error{Code: CodeWasmTrap}
	ErrWasmTimeout       error = &Error{Code: CodeWasmTimeout}
	ErrWasmMemoryLimit   error = &Error{Code: CodeWasmMemoryLimit}
	ErrWasmViewTruncated error = &Error{Code: CodeWasmViewTruncated}
	ErrWasmView          error = &Error{Code: CodeWasmView}
)

// takeError turns a status and the error object the call stored into a Go
// error. The message is copied and the object freed here, at once: the
// object is per call (not thread-local), so the message is that call's
// even though the goroutine may since have moved to another OS thread.
func takeError(status C.mapview_status, cerr *C.mapview_error) error {
	if status == C.MAPVIEW_OK {
		C.mapview_error_free(cerr) // NULL on success; freeing NULL is a no-op
		return nil
	}
	e := &Error{Code: Code(status)}
	if cerr != nil {
		e.Code = Code(C.mapview_error_code(cerr))
		e.Message = C.GoString(C.mapview_error_message(cerr))
		C.mapview_error_free(cerr)
	}
	return e
}

// statusError is takeError for the calls that return a bare status (the
// close functions): the message says what was being done.
func statusError(status C.mapview_status, what string) error {
	if status == C.MAPVIEW_OK {
		return nil
	}
	c := Code(status)
	return &Error{Code: c, Message: what + ": " + c.String()}
}

// newError makes an error for a check this package does itself, on Go
// arguments the C ABI never sees (a negative offset, a Go type that cannot
// be a record), with the same codes the library uses.
func newError(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
