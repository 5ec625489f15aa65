//! Directory search: mapview_search_dir and its options, results and
//! callbacks. The search itself (and ripgrep's semantics) is in
//! `mapview::search`; this file checks arguments and turns results into
//! C callbacks.

use std::ffi::{CStr, CString, c_char, c_void};
use std::ops::ControlFlow;
use std::os::unix::ffi::OsStrExt;

use mapview::search::{Binary, FileMatches, SearchOptions, SearchSummary, Sink, search};

use crate::args::{self, out};
use crate::boundary::guard;
use crate::error::{Failure, mapview_error, mapview_error_free, mapview_status};

/// mapview_search_options.flags: the pattern is a literal string, not a
/// regular expression (`rg -F`).
pub const MAPVIEW_SEARCH_FIXED_STRINGS: u32 = 1;
/// mapview_search_options.flags: match without regard to case, with
/// Unicode simple case folding (`rg -i`).
pub const MAPVIEW_SEARCH_IGNORE_CASE: u32 = 2;
/// mapview_search_options.flags: count matching lines per file instead of
/// reporting them (`rg -c`): on_match must be NULL. As with rg -c, a binary
/// file found by the walk is not reported at all.
pub const MAPVIEW_SEARCH_COUNT_ONLY: u32 = 4;
/// mapview_search_options.flags: follow symbolic links (`rg -L`); a link to
/// one of its own ancestors is reported as an error.
pub const MAPVIEW_SEARCH_FOLLOW_LINKS: u32 = 8;
/// mapview_search_options.flags: skip what .gitignore (in a git
/// repository), .ignore, .rgignore and git's exclude files exclude, as rg
/// does without --no-ignore.
pub const MAPVIEW_SEARCH_RESPECT_IGNORE_FILES: u32 = 16;
/// mapview_search_options.flags: skip files and directories whose name
/// starts with a dot, as rg does without --hidden.
pub const MAPVIEW_SEARCH_SKIP_HIDDEN: u32 = 32;
const SEARCH_FLAGS_KNOWN: u32 = MAPVIEW_SEARCH_FIXED_STRINGS
    | MAPVIEW_SEARCH_IGNORE_CASE
    | MAPVIEW_SEARCH_COUNT_ONLY
    | MAPVIEW_SEARCH_FOLLOW_LINKS
    | MAPVIEW_SEARCH_RESPECT_IGNORE_FILES
    | MAPVIEW_SEARCH_SKIP_HIDDEN;

/// How a file's binary data (a NUL byte) shaped its report: one of
/// MAPVIEW_SEARCH_BINARY_*. These are ripgrep 13's rules.
pub type mapview_search_binary = i32;
/// No binary data changed the report.
pub const MAPVIEW_SEARCH_BINARY_NONE: mapview_search_binary = 0;
/// A file found by the walk: ripgrep stops reading at the buffer that
/// brings in the NUL; the lines before it were reported (rg prints
/// "WARNING: stopped searching binary file after match").
pub const MAPVIEW_SEARCH_BINARY_STOPPED: mapview_search_binary = 1;
/// The directory argument named a file: lines were reported until binary
/// data was seen, then the report ended (rg prints "binary file matches").
pub const MAPVIEW_SEARCH_BINARY_MATCHES: mapview_search_binary = 2;

/// One matching line, passed to a mapview_search_match_fn. Every pointer
/// is valid only during the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_search_match {
    /// The file: the directory argument joined with the path below it.
    /// NUL-terminated; path_len bytes without the NUL. Raw bytes, not
    /// necessarily UTF-8.
    pub path: *const c_char,
    pub path_len: usize,
    /// 1 for the first line of the file.
    pub line_number: u64,
    /// The line without its `\n` (a `\r` before it is kept). Not
    /// NUL-terminated; raw bytes.
    pub line: *const u8,
    pub line_len: usize,
}

/// A file with matches, passed to a mapview_search_count_fn once its
/// lines (if any) have been passed to on_match. Valid only during the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_search_file {
    /// As in mapview_search_match.
    pub path: *const c_char,
    pub path_len: usize,
    /// Matching lines: with MAPVIEW_SEARCH_COUNT_ONLY the count of the
    /// whole file, otherwise the number of lines passed to on_match.
    pub count: u64,
    /// One of MAPVIEW_SEARCH_BINARY_*.
    pub binary: mapview_search_binary,
    /// Where the NUL is, unless binary is MAPVIEW_SEARCH_BINARY_NONE.
    pub binary_offset: u64,
}

/// Receives one matching line. Return 0 to go on, anything else to stop
/// the search. Called on the thread that called mapview_search_dir.
pub type mapview_search_match_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, found: *const mapview_search_match) -> i32>;

/// Receives a file with matches and its count. Return 0 to go on,
/// anything else to stop the search. Called on the thread that called
/// mapview_search_dir.
pub type mapview_search_count_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, file: *const mapview_search_file) -> i32>;

/// Receives a file or directory that could not be searched (unreadable, a
/// link loop, ...); the error's code and message (naming the path) are
/// read with mapview_error_code and mapview_error_message. The error
/// belongs to the library and is valid only during the call: do not free
/// it. Return 0 to go on, anything else to stop the search.
pub type mapview_search_error_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, error: *const mapview_error) -> i32>;

/// Options for mapview_search_dir. Initialise with
/// mapview_search_options_init(), then change fields. The struct may grow
/// in later versions: struct_size tells the library which fields the
/// caller knows.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_search_options {
    /// sizeof(mapview_search_options) as the caller was compiled; set by init.
    pub struct_size: u32,
    /// MAPVIEW_SEARCH_* flags; other bits are refused.
    pub flags: u32,
    /// Threads searching; 0 means one per core (at most 12).
    pub threads: u32,
    /// Called for each file or directory that could not be searched, or
    /// NULL (they are still counted in mapview_search_summary.errors).
    pub on_error: mapview_search_error_fn,
}

const OPTIONS_V1_SIZE: usize = std::mem::size_of::<mapview_search_options>();

/// What a search did.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct mapview_search_summary {
    /// Regular files opened and searched (binary ones included).
    pub files_searched: u64,
    /// Files passed to on_count (whether or not on_count was given).
    pub files_matched: u64,
    /// The sum of their counts.
    pub lines_matched: u64,
    /// Files and directories that could not be searched.
    pub errors: u64,
    /// A callback stopped the search.
    pub stopped: bool,
    /// The non-zero value that callback returned (0 if none stopped it).
    pub stop_code: i32,
}

/// Default options: a regular expression, case-sensitive, every matching
/// line, hidden files searched, ignore files not read, links not followed
/// (`rg --no-ignore --hidden`), one thread per core, no error callback.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_search_options_init() -> mapview_search_options {
    mapview_search_options {
        struct_size: OPTIONS_V1_SIZE as u32,
        flags: 0,
        threads: 0,
        on_error: None,
    }
}

/// Searches every regular file under the directory `dir` for `pattern`
/// and reports what `rg --no-ignore --hidden` (ripgrep 13) reports: lines
/// split on `\n` (a `\r` before it is kept), a match never spans lines,
/// a count is of matching lines, binary files are treated as rg treats
/// them (MAPVIEW_SEARCH_BINARY_*).
///
/// - dir, dir_len: the directory (or a single file) as bytes; dir_len may
///   be MAPVIEW_NUL_TERMINATED.
/// - pattern, pattern_len: a UTF-8 regular expression (Rust regex syntax)
///   or, with MAPVIEW_SEARCH_FIXED_STRINGS, a literal; pattern_len may be
///   MAPVIEW_NUL_TERMINATED. A newline in it is refused.
/// - options: NULL for defaults, or a struct from mapview_search_options_init.
/// - on_match: called for each matching line, in order within a file; may
///   be NULL. Must be NULL with MAPVIEW_SEARCH_COUNT_ONLY.
/// - on_count: called once for each file with matches, after its lines;
///   may be NULL.
/// - user_data: passed to every callback as is.
/// - out_summary: receives the totals (also when a callback stopped the search).
///
/// Files come in no particular order. Every callback is called on the
/// calling thread, one at a time, however many threads search; pointers
/// passed to a callback are valid only during that call. A callback that
/// returns non-zero stops the search: mapview_search_dir then returns
/// MAPVIEW_OK with out_summary->stopped set and out_summary->stop_code
/// holding the value returned. Files that cannot be searched do not fail
/// the call: they go to options->on_error and out_summary->errors.
///
/// Errors: MAPVIEW_ERR_NULL_ARGUMENT (dir, pattern or out_summary NULL),
/// MAPVIEW_ERR_INVALID_FLAGS (unknown flags, or on_match with
/// MAPVIEW_SEARCH_COUNT_ONLY), MAPVIEW_ERR_INVALID_ARGUMENT (an invalid
/// regex or one with a newline, named in the message; a pattern that is
/// not UTF-8; a dir that is neither a directory nor a regular file; a bad
/// struct_size), MAPVIEW_ERR_NOT_FOUND (dir missing, named in the message),
/// MAPVIEW_ERR_PERMISSION_DENIED (dir unreadable).
///
/// Ownership: nothing is handed over; the caller keeps all its buffers.
/// Thread-safety: any thread; searches may run concurrently. The callbacks
/// must return normally (no longjmp out of them).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // the C signature, documented above
pub extern "C" fn mapview_search_dir(
    dir: *const c_char,
    dir_len: usize,
    pattern: *const c_char,
    pattern_len: usize,
    options: *const mapview_search_options,
    on_match: mapview_search_match_fn,
    on_count: mapview_search_count_fn,
    user_data: *mut c_void,
    out_summary: *mut mapview_search_summary,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all four): the pointer contracts are documented above.
        let out_summary = unsafe { out(out_summary, "out_summary") }?;
        *out_summary = mapview_search_summary::default();
        if dir.is_null() {
            return Err(args::null("dir"));
        }
        let dir = unsafe { args::path(dir, dir_len) }?;
        let pattern = unsafe { utf8(pattern, pattern_len, "pattern") }?;
        let opts = unsafe { parse_options(options) }?;
        if opts.flags & MAPVIEW_SEARCH_COUNT_ONLY != 0 && on_match.is_some() {
            return Err(Failure::invalid_flags(
                "on_match is never called with MAPVIEW_SEARCH_COUNT_ONLY: pass NULL".to_string(),
            ));
        }
        let mut sink = CallbackSink {
            on_match,
            on_count,
            on_error: opts.on_error,
            user_data,
            stop_code: 0,
        };
        let summary = search(dir, pattern, &core_options(&opts), &mut sink)?;
        *out_summary = to_c(&summary, sink.stop_code);
        Ok(())
    })
}

/// A UTF-8 string given as (pointer, length) or NUL-terminated.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes (or a NUL-terminated
/// string when `len` is MAPVIEW_NUL_TERMINATED).
unsafe fn utf8<'a>(ptr: *const c_char, len: usize, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(args::null(name));
    }
    let bytes = if len == args::MAPVIEW_NUL_TERMINATED {
        // SAFETY: the caller promised a NUL-terminated string.
        unsafe { CStr::from_ptr(ptr) }.to_bytes()
    } else {
        // SAFETY: the caller promised `len` readable bytes.
        unsafe { args::bytes(ptr.cast::<u8>(), len, name) }?
    };
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
            format!(
                "'{name}' is not UTF-8 ({e}): '{}'",
                String::from_utf8_lossy(bytes)
            ),
        )
    })
}

/// The caller's options (NULL means defaults), checked.
///
/// # Safety
/// `opts` is NULL or points to a readable mapview_search_options of at
/// least `struct_size` bytes.
unsafe fn parse_options(
    opts: *const mapview_search_options,
) -> Result<mapview_search_options, Failure> {
    // SAFETY: forwarded contract.
    let o = unsafe {
        args::versioned(
            opts,
            mapview_search_options_init(),
            OPTIONS_V1_SIZE,
            "mapview_search_options",
        )
    }?;
    args::known_flags(o.flags, SEARCH_FLAGS_KNOWN, "search")?;
    Ok(o)
}

fn core_options(o: &mapview_search_options) -> SearchOptions {
    let has = |flag| o.flags & flag != 0;
    let mut options = SearchOptions::new();
    options
        .fixed_strings(has(MAPVIEW_SEARCH_FIXED_STRINGS))
        .ignore_case(has(MAPVIEW_SEARCH_IGNORE_CASE))
        .count_only(has(MAPVIEW_SEARCH_COUNT_ONLY))
        .follow_links(has(MAPVIEW_SEARCH_FOLLOW_LINKS))
        .respect_ignore_files(has(MAPVIEW_SEARCH_RESPECT_IGNORE_FILES))
        .skip_hidden(has(MAPVIEW_SEARCH_SKIP_HIDDEN))
        .threads(o.threads as usize);
    options
}

fn to_c(s: &SearchSummary, stop_code: i32) -> mapview_search_summary {
    mapview_search_summary {
        files_searched: s.files_searched,
        files_matched: s.files_matched,
        lines_matched: s.lines_matched,
        errors: s.errors,
        stopped: s.stopped,
        stop_code,
    }
}

/// Turns results into calls of the caller's callbacks. The core calls a
/// sink on the thread that started the search, so these run there too.
struct CallbackSink {
    on_match: mapview_search_match_fn,
    on_count: mapview_search_count_fn,
    on_error: mapview_search_error_fn,
    user_data: *mut c_void,
    stop_code: i32,
}

impl CallbackSink {
    fn go_on(&mut self, returned: i32) -> ControlFlow<()> {
        if returned == 0 {
            return ControlFlow::Continue(());
        }
        self.stop_code = returned;
        ControlFlow::Break(())
    }
}

impl Sink for CallbackSink {
    fn file(&mut self, file: FileMatches) -> ControlFlow<()> {
        // Unix paths hold no NUL, so this never fails; C gets a terminated string.
        let path = CString::new(file.path().as_os_str().as_bytes()).unwrap_or_default();
        let path_len = path.as_bytes().len();
        if let Some(on_match) = self.on_match {
            for line in file.lines() {
                let found = mapview_search_match {
                    path: path.as_ptr(),
                    path_len,
                    line_number: line.number,
                    line: line.text.as_ptr(),
                    line_len: line.text.len(),
                };
                // SAFETY: a function pointer the caller passed for this
                // signature; `found` and what it points to outlive the call.
                let returned = unsafe { on_match(self.user_data, &found) };
                self.go_on(returned)?;
            }
        }
        if let Some(on_count) = self.on_count {
            let (binary, binary_offset) = match file.binary() {
                None => (MAPVIEW_SEARCH_BINARY_NONE, 0),
                Some(Binary::Stopped { offset }) => (MAPVIEW_SEARCH_BINARY_STOPPED, offset),
                Some(Binary::Matches { offset }) => (MAPVIEW_SEARCH_BINARY_MATCHES, offset),
            };
            let counted = mapview_search_file {
                path: path.as_ptr(),
                path_len,
                count: file.count(),
                binary,
                binary_offset,
            };
            // SAFETY: as for on_match.
            let returned = unsafe { on_count(self.user_data, &counted) };
            self.go_on(returned)?;
        }
        ControlFlow::Continue(())
    }

    fn error(&mut self, error: mapview::Error) -> ControlFlow<()> {
        let Some(on_error) = self.on_error else {
            return ControlFlow::Continue(());
        };
        let lent = mapview_error::boxed(Failure::from(error));
        // SAFETY: as for on_match; the error object lives until freed below.
        let returned = unsafe { on_error(self.user_data, lent) };
        mapview_error_free(lent);
        self.go_on(returned)
    }
}
