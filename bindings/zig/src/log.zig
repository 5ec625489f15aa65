//! The append-only event log (`mapview_log_*`; the format is in
//! docs/event-log-format.md and lives in the library).

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");
const bytes_mod = @import("bytes.zig");
const SyncMode = @import("map.zig").SyncMode;

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;
const Bytes = bytes_mod.Bytes;

/// How a new log is laid out; null fields take the library's defaults.
pub const Options = struct {
    /// Bytes to preallocate (default 1 MiB).
    capacity: ?u64 = null,
    /// The most the file grows by at once (default 64 MiB).
    segment: ?u64 = null,
    /// Pre-fault the preallocated space (MAPVIEW_LOG_NO_PREFAULT when false).
    prefault: bool = true,

    pub fn toC(o: Options) c.mapview_log_options {
        var out = c.mapview_log_options_init();
        if (o.capacity) |v| out.capacity = v;
        if (o.segment) |v| out.segment = v;
        out.flags = if (o.prefault) 0 else c.MAPVIEW_LOG_NO_PREFAULT;
        return out;
    }
};

/// One event, borrowed from a reader: `payload` is valid until `refresh`,
/// `wait` or `close` on that reader.
pub const Event = struct {
    /// Where the event starts in the file.
    offset: u64,
    /// Where the next one starts (pass it to `read`).
    next_offset: u64,
    timestamp_ns: u64,
    payload: []const u8,
};

/// An event count and the end of the last event.
pub const Counts = struct {
    count: u64,
    write_offset: u64,
};

/// What `verify` found.
pub const Report = struct {
    /// Events whose checksum is right.
    good_events: u64,
    /// The event count the header claims.
    header_count: u64,
    /// End of the committed events.
    write_offset: u64,
    /// End of the events covered by the writer's last completed sync.
    synced_offset: u64,
    /// Damaged events found (0 for a sound log).
    damaged_events: u64,
    /// Offset of the first damaged event (0 when there is none).
    first_damaged_offset: u64,

    pub fn isSound(r: Report) bool {
        return r.damaged_events == 0;
    }
};

/// The one writer of a log (a lock keeps out writers in other processes:
/// error.Busy).
pub const Writer = struct {
    handle: c.mapview_log_writer,

    /// Creates a new log (never overwrites a file) and opens it for writing.
    pub fn create(path: []const u8, options: Options, diag: ?*Diagnostics) Error!Writer {
        const o = options.toC();
        var out: c.mapview_log_writer = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_log_create(path.ptr, path.len, &o, &out, call.out()));
        return .{ .handle = out };
    }

    /// Opens an existing log for appending, after checking its events:
    /// error.Busy if another writer has it, error.Corrupt (message with
    /// the offset) if a synced event is damaged. A torn tail is cut off.
    pub fn open(path: []const u8, diag: ?*Diagnostics) Error!Writer {
        var out: c.mapview_log_writer = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_log_open_writer(path.ptr, path.len, &out, call.out()));
        return .{ .handle = out };
    }

    /// Appends one event stamped with the current time; returns where it
    /// starts. Readers see it once this returns.
    pub fn append(w: Writer, payload: []const u8, diag: ?*Diagnostics) Error!u64 {
        return w.appendAt(payload, c.MAPVIEW_LOG_NOW, diag);
    }

    /// Appends one event with the timestamp given (nanoseconds).
    pub fn appendAt(w: Writer, payload: []const u8, timestamp_ns: u64, diag: ?*Diagnostics) Error!u64 {
        var offset: u64 = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_log_append(w.handle, payload.ptr, payload.len, timestamp_ns, &offset, call.out()));
        return offset;
    }

    /// Appends events stamped now and commits them at once: readers see
    /// all or none; on failure none is in the log.
    pub fn appendBatch(w: Writer, payloads: []const Bytes, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_log_append_batch(w.handle, Bytes.asC(payloads), payloads.len, call.out()));
    }

    /// `appendBatch` for a list of slices (the list of pointers is built
    /// with `gpa` and freed before returning).
    pub fn appendBatchAlloc(w: Writer, gpa: std.mem.Allocator, payloads: []const []const u8, diag: ?*Diagnostics) Error!void {
        const list = try bytes_mod.fromSlices(gpa, payloads);
        defer gpa.free(list);
        return w.appendBatch(list, diag);
    }

    /// Writes the appended events to disk: `.sync` waits (then they
    /// survive a power loss), `.async` starts the write-back.
    pub fn sync(w: Writer, mode: SyncMode, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_log_sync(w.handle, mode.flags(), call.out()));
    }

    pub fn count(w: Writer, diag: ?*Diagnostics) Error!Counts {
        var out: Counts = .{ .count = 0, .write_offset = 0 };
        var call: Call = .init(diag);
        try call.check(c.mapview_log_writer_count(w.handle, &out.count, &out.write_offset, call.out()));
        return out;
    }

    /// Closes the writer and releases the writer lock; errors ignored
    /// (see `tryClose`). Call `sync` first to wait for the disk.
    pub fn close(w: Writer) void {
        w.tryClose() catch {};
    }

    pub fn tryClose(w: Writer) Error!void {
        return errors.checkStatus(c.mapview_log_writer_close(w.handle));
    }
};

/// A reader of a log: needs no lock, sees the writer's commits after
/// `refresh` or `wait`.
pub const Reader = struct {
    handle: c.mapview_log_reader,

    pub fn open(path: []const u8, diag: ?*Diagnostics) Error!Reader {
        var out: c.mapview_log_reader = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_log_open_reader(path.ptr, path.len, &out, call.out()));
        return .{ .handle = out };
    }

    /// The event at `offset` (0 for the first, else an offset or
    /// next_offset an event gave); null at the end of the committed
    /// events. error.InvalidArgument for an offset past the end or not a
    /// multiple of 8; error.Corrupt where no intact event starts.
    pub fn read(r: Reader, offset: u64, diag: ?*Diagnostics) Error!?Event {
        var ev: c.mapview_log_event = .{};
        var has = false;
        var call: Call = .init(diag);
        try call.check(c.mapview_log_read(r.handle, offset, &ev, &has, call.out()));
        if (!has) return null;
        return .{
            .offset = ev.offset,
            .next_offset = ev.next_offset,
            .timestamp_ns = ev.timestamp_ns,
            .payload = if (ev.len == 0) &.{} else ev.payload[0..ev.len],
        };
    }

    /// Picks up events committed since opening or the last refresh;
    /// returns whether there are new ones. Invalidates earlier payloads.
    pub fn refresh(r: Reader, diag: ?*Diagnostics) Error!bool {
        var grew = false;
        var call: Call = .init(diag);
        try call.check(c.mapview_log_reader_refresh(r.handle, &grew, call.out()));
        return grew;
    }

    /// Like `refresh`, waiting up to `timeout_ms` for new events.
    pub fn wait(r: Reader, timeout_ms: u32, diag: ?*Diagnostics) Error!bool {
        var grew = false;
        var call: Call = .init(diag);
        try call.check(c.mapview_log_reader_wait(r.handle, timeout_ms, &grew, call.out()));
        return grew;
    }

    /// The header's event count and the end of the committed events, as
    /// of the last refresh.
    pub fn count(r: Reader, diag: ?*Diagnostics) Error!Counts {
        var out: Counts = .{ .count = 0, .write_offset = 0 };
        var call: Call = .init(diag);
        try call.check(c.mapview_log_reader_count(r.handle, &out.count, &out.write_offset, call.out()));
        return out;
    }

    /// Iterates from the first event.
    pub fn iterator(r: Reader) Iterator {
        return .{ .reader = r, .offset = 0 };
    }

    /// Iterates from `offset` (an event's offset or next_offset).
    pub fn iteratorFrom(r: Reader, offset: u64) Iterator {
        return .{ .reader = r, .offset = offset };
    }

    pub fn close(r: Reader) void {
        r.tryClose() catch {};
    }

    pub fn tryClose(r: Reader) Error!void {
        return errors.checkStatus(c.mapview_log_reader_close(r.handle));
    }

    /// ```
    /// var it = reader.iterator();
    /// while (try it.next(null)) |ev| use(ev.payload);
    /// ```
    /// After the end, `next` keeps returning null until the reader is
    /// refreshed and more events are committed; then it goes on from
    /// where it stopped.
    pub const Iterator = struct {
        reader: Reader,
        offset: u64,

        pub fn next(it: *Iterator, diag: ?*Diagnostics) Error!?Event {
            const ev = (try it.reader.read(it.offset, diag)) orelse return null;
            it.offset = ev.next_offset;
            return ev;
        }
    };
};

/// Checks every event of the log at `path`. A damaged log is not an
/// error (the report says what is damaged); a file that is not a log at
/// all is error.Corrupt.
pub fn verify(path: []const u8, diag: ?*Diagnostics) Error!Report {
    var rep: c.mapview_log_report = .{};
    var call: Call = .init(diag);
    try call.check(c.mapview_log_verify(path.ptr, path.len, &rep, call.out()));
    return .{
        .good_events = rep.good_events,
        .header_count = rep.header_count,
        .write_offset = rep.write_offset,
        .synced_offset = rep.synced_offset,
        .damaged_events = rep.damaged_events,
        .first_damaged_offset = rep.first_damaged_offset,
    };
}

test "Options.toC" {
    const d = (Options{}).toC();
    try std.testing.expectEqual(@as(u32, @sizeOf(c.mapview_log_options)), d.struct_size);
    try std.testing.expectEqual(@as(u32, 0), d.flags);
    const o = (Options{ .capacity = 4096, .segment = 8192, .prefault = false }).toC();
    try std.testing.expectEqual(@as(u64, 4096), o.capacity);
    try std.testing.expectEqual(@as(u64, 8192), o.segment);
    try std.testing.expectEqual(@as(u32, c.MAPVIEW_LOG_NO_PREFAULT), o.flags);
}
