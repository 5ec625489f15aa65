package mapview

// #include "mapview.h"
import "C"

import (
	"iter"
	"math"
	"runtime"
	"time"
	"unsafe"
)

// The event log: an append-only file of timestamped events with a CRC per
// event, one writer (locked across processes) and any number of lock-free
// readers. The format and its guarantees are the library's
// (docs/event-log-format.md); this file only wraps the calls.

// LogOptions is how CreateLog lays out a new log (mapview_log_options).
// Zero fields mean the library's defaults.
type LogOptions struct {
	// Capacity is the bytes to preallocate (default 1 MiB). A log created
	// with room for what it will hold appends fastest.
	Capacity uint64
	// Segment is the most the file grows by at once (default 64 MiB).
	Segment uint64
	// NoPrefault leaves preallocated space unfaulted (MAPVIEW_LOG_NO_PREFAULT).
	NoPrefault bool
}

func (o *LogOptions) toC() *C.mapview_log_options {
	if o == nil {
		return nil
	}
	c := C.mapview_log_options_init()
	if o.Capacity != 0 {
		c.capacity = C.uint64_t(o.Capacity)
	}
	if o.Segment != 0 {
		c.segment = C.uint64_t(o.Segment)
	}
	if o.NoPrefault {
		c.flags |= C.MAPVIEW_LOG_NO_PREFAULT
	}
	return &c
}

// LogWriter appends to an event log. It holds the log's writer lock until
// Close. Its methods may be called from any goroutine; appends are
// serialised by the library. A LogWriter that is never closed is closed by
// the garbage collector (it hands out no memory, so that is always safe).
type LogWriter struct {
	id      uint64
	cleanup runtime.Cleanup
}

func (w *LogWriter) handle() C.mapview_log_writer {
	return C.mapview_log_writer{id: C.uint64_t(w.id)}
}

func closeLogWriter(id uint64) {
	C.mapview_log_writer_close(C.mapview_log_writer{id: C.uint64_t(id)})
}

func newLogWriter(h C.mapview_log_writer) *LogWriter {
	w := &LogWriter{id: uint64(h.id)}
	w.cleanup = runtime.AddCleanup(w, closeLogWriter, w.id)
	return w
}

// CreateLog creates a new event log (never overwriting a file:
// ErrAlreadyExists) and opens it for writing. opts may be nil.
func CreateLog(path string, opts *LogOptions) (*LogWriter, error) {
	p, n := cPath(path)
	var h C.mapview_log_writer
	var cerr *C.mapview_error
	st := C.mapview_log_create(p, n, opts.toC(), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return newLogWriter(h), nil
}

// OpenLogWriter opens an existing log for appending after checking its
// events: ErrBusy if another writer (in any process) has it open,
// ErrCorrupt if a synced event is damaged. A torn tail left by a crash is
// cut off.
func OpenLogWriter(path string) (*LogWriter, error) {
	p, n := cPath(path)
	var h C.mapview_log_writer
	var cerr *C.mapview_error
	st := C.mapview_log_open_writer(p, n, &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return newLogWriter(h), nil
}

// Append appends one event stamped with the current time and returns the
// offset where it starts. Readers see it once Append returns. The payload
// is copied.
func (w *LogWriter) Append(payload []byte) (offset uint64, err error) {
	return w.append(payload, C.MAPVIEW_LOG_NOW)
}

// AppendAt appends one event stamped with t (which must not be before 1970).
func (w *LogWriter) AppendAt(payload []byte, t time.Time) (offset uint64, err error) {
	ns := t.UnixNano()
	if ns < 0 {
		return 0, newError(CodeInvalidArgument, "append at %v: before 1970", t)
	}
	return w.append(payload, C.uint64_t(ns))
}

func (w *LogWriter) append(payload []byte, ts C.uint64_t) (uint64, error) {
	var off C.uint64_t
	var cerr *C.mapview_error
	st := C.mapview_log_append(w.handle(), unsafe.Pointer(unsafe.SliceData(payload)),
		C.size_t(len(payload)), ts, &off, &cerr)
	runtime.KeepAlive(w)
	return uint64(off), takeError(st, cerr)
}

// AppendBatch appends every payload, all stamped now, and commits them at
// once: readers see all or none; on failure none is in the log.
func (w *LogWriter) AppendBatch(payloads [][]byte) error {
	// The array of mapview_bytes is Go memory holding pointers to the
	// payloads. cgo lets C read Go memory that holds Go pointers only if
	// those are pinned, so pin each payload for the duration of the call
	// (the library copies them and keeps nothing).
	var pin runtime.Pinner
	defer pin.Unpin()
	arr := make([]C.mapview_bytes, len(payloads))
	for i, p := range payloads {
		if len(p) > 0 {
			pin.Pin(&p[0])
			arr[i].data = (*C.uint8_t)(unsafe.Pointer(&p[0]))
		}
		arr[i].len = C.size_t(len(p))
	}
	var cerr *C.mapview_error
	st := C.mapview_log_append_batch(w.handle(), unsafe.SliceData(arr), C.size_t(len(arr)), &cerr)
	runtime.KeepAlive(w)
	return takeError(st, cerr)
}

// Sync writes the appended events to disk and waits: afterwards they
// survive a power loss.
func (w *LogWriter) Sync() error { return w.sync(0) }

// SyncAsync starts writing the appended events to disk and returns.
func (w *LogWriter) SyncAsync() error { return w.sync(C.MAPVIEW_FLUSH_ASYNC) }

func (w *LogWriter) sync(flags C.uint32_t) error {
	var cerr *C.mapview_error
	st := C.mapview_log_sync(w.handle(), flags, &cerr)
	runtime.KeepAlive(w)
	return takeError(st, cerr)
}

// Count returns the number of events in the log and the end of the last.
func (w *LogWriter) Count() (count, writeOffset uint64, err error) {
	var c, off C.uint64_t
	var cerr *C.mapview_error
	st := C.mapview_log_writer_count(w.handle(), &c, &off, &cerr)
	runtime.KeepAlive(w)
	return uint64(c), uint64(off), takeError(st, cerr)
}

// Close closes the writer and releases the writer lock. Appended events
// reach the disk with the kernel's write-back; call Sync first to wait for
// that. A second Close returns an error matching ErrClosed.
func (w *LogWriter) Close() error {
	st := C.mapview_log_writer_close(w.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		w.cleanup.Stop()
	}
	return statusError(st, "close log writer")
}

// Event is one event of a log.
type Event struct {
	Offset      uint64 // where the event starts in the file
	NextOffset  uint64 // where the next event starts (pass it to Read)
	TimestampNs uint64 // nanoseconds since 1970
	// Payload is the event's bytes inside the reader's map (no copy),
	// valid until Refresh, Wait or Close on the reader. Copy it
	// (bytes.Clone) to keep it longer.
	Payload []byte
}

// Time is the event's timestamp as a time.Time.
func (e Event) Time() time.Time {
	if e.TimestampNs > math.MaxInt64 {
		return time.Unix(0, math.MaxInt64)
	}
	return time.Unix(0, int64(e.TimestampNs))
}

// LogReader reads an event log. Readers take no lock and see what the
// writer commits after Refresh or Wait. Its methods may be called from any
// goroutine.
type LogReader struct {
	// state.exposed is set once a payload has been handed out and cleared
	// by Refresh and Wait, which invalidate payloads anyway. The cleanup
	// closes the reader (unmapping the log) only when it is clear.
	state   *handleState
	cleanup runtime.Cleanup
}

func (r *LogReader) handle() C.mapview_log_reader {
	return C.mapview_log_reader{id: C.uint64_t(r.state.id)}
}

func closeUnexposedLogReader(s *handleState) {
	if !s.exposed.Load() {
		C.mapview_log_reader_close(C.mapview_log_reader{id: C.uint64_t(s.id)})
	}
}

// OpenLogReader opens a log for reading.
func OpenLogReader(path string) (*LogReader, error) {
	p, n := cPath(path)
	var h C.mapview_log_reader
	var cerr *C.mapview_error
	st := C.mapview_log_open_reader(p, n, &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	r := &LogReader{state: &handleState{id: uint64(h.id)}}
	r.cleanup = runtime.AddCleanup(r, closeUnexposedLogReader, r.state)
	return r, nil
}

// Read returns the event starting at offset: 0 means the first event,
// otherwise an offset an earlier event's NextOffset (or Offset) gave. ok is
// false at the end of the committed events. An offset past the end or not a
// multiple of 8 is ErrInvalidArgument. An offset where no intact event
// starts (a damaged event, or the middle of one) is an error naming the
// offset: ErrCorrupt as mapview.h documents it, though libmapview 0.1.0
// returns ErrInvalidArgument there.
func (r *LogReader) Read(offset uint64) (ev Event, ok bool, err error) {
	var e C.mapview_log_event
	var has C.bool
	var cerr *C.mapview_error
	st := C.mapview_log_read(r.handle(), C.uint64_t(offset), &e, &has, &cerr)
	runtime.KeepAlive(r)
	if err := takeError(st, cerr); err != nil || !has {
		return Event{}, false, err
	}
	r.state.exposed.Store(true)
	return Event{
		Offset:      uint64(e.offset),
		NextOffset:  uint64(e.next_offset),
		TimestampNs: uint64(e.timestamp_ns),
		Payload:     unsafe.Slice((*byte)(unsafe.Pointer(e.payload)), int(e.len)),
	}, true, nil
}

// All yields every committed event from the first, as of the last
// Refresh, then, if a read failed, one last pair with the error. Payloads
// are valid as for Read.
func (r *LogReader) All() iter.Seq2[Event, error] {
	return r.From(0)
}

// From is All starting at offset (0 or an offset an earlier event gave),
// to resume after Refresh or Wait where the last loop stopped.
func (r *LogReader) From(offset uint64) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for off := offset; ; {
			ev, ok, err := r.Read(off)
			if err != nil {
				yield(Event{}, err)
				return
			}
			if !ok || !yield(ev, nil) {
				return
			}
			off = ev.NextOffset
		}
	}
}

// Refresh picks up events committed since the reader opened or last
// refreshed and reports whether there are new ones. Payloads read before
// are invalid afterwards.
func (r *LogReader) Refresh() (grew bool, err error) {
	var g C.bool
	var cerr *C.mapview_error
	st := C.mapview_log_reader_refresh(r.handle(), &g, &cerr)
	runtime.KeepAlive(r)
	r.state.exposed.Store(false)
	return bool(g), takeError(st, cerr)
}

// Wait is Refresh that waits up to timeout for new events, to follow the
// tail of a log. It holds up other calls on this reader while it waits
// (and an OS thread, like any blocking cgo call).
func (r *LogReader) Wait(timeout time.Duration) (grew bool, err error) {
	ms := timeout.Milliseconds()
	ms = max(0, min(ms, math.MaxUint32))
	var g C.bool
	var cerr *C.mapview_error
	st := C.mapview_log_reader_wait(r.handle(), C.uint32_t(ms), &g, &cerr)
	runtime.KeepAlive(r)
	r.state.exposed.Store(false)
	return bool(g), takeError(st, cerr)
}

// Count returns the event count in the header and the end of the
// committed events, as of the last Refresh.
func (r *LogReader) Count() (count, writeOffset uint64, err error) {
	var c, off C.uint64_t
	var cerr *C.mapview_error
	st := C.mapview_log_reader_count(r.handle(), &c, &off, &cerr)
	runtime.KeepAlive(r)
	return uint64(c), uint64(off), takeError(st, cerr)
}

// Close closes the reader and unmaps the log: payloads read from it are
// invalid afterwards. A second Close returns an error matching ErrClosed.
func (r *LogReader) Close() error {
	st := C.mapview_log_reader_close(r.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		r.state.exposed.Store(false)
		r.cleanup.Stop()
	}
	return statusError(st, "close log reader")
}

// LogReport is what VerifyLog found (mapview_log_report).
type LogReport struct {
	GoodEvents         uint64 // events whose checksum is right
	HeaderCount        uint64 // the event count the header claims
	WriteOffset        uint64 // end of the committed events
	SyncedOffset       uint64 // end of the events covered by the last completed sync
	DamagedEvents      uint64 // damaged events found (0 for a sound log)
	FirstDamagedOffset uint64 // offset of the first damaged event (0 if none)
}

// VerifyLog checks every event of the log at path. A damaged log is not an
// error (the report says what is damaged); a file that is not a log at all
// is ErrCorrupt.
func VerifyLog(path string) (LogReport, error) {
	p, n := cPath(path)
	var rep C.mapview_log_report
	var cerr *C.mapview_error
	if err := takeError(C.mapview_log_verify(p, n, &rep, &cerr), cerr); err != nil {
		return LogReport{}, err
	}
	return LogReport{
		GoodEvents:         uint64(rep.good_events),
		HeaderCount:        uint64(rep.header_count),
		WriteOffset:        uint64(rep.write_offset),
		SyncedOffset:       uint64(rep.synced_offset),
		DamagedEvents:      uint64(rep.damaged_events),
		FirstDamagedOffset: uint64(rep.first_damaged_offset),
	}, nil
}
