//! `SearchOptions`: what to look for and which files to look in.

/// Files larger than this many bytes (1.5 MiB) are mapped; smaller ones are
/// read into a buffer each worker reuses. Measured (docs/benchmarks.md,
/// "Directory search"): searching 128 MiB of 1 MiB files took 24 ms read
/// and 26 ms mapped, of 1.5 MiB files 24 ms either way, of 2 MiB files
/// 26 ms read and 22.5 ms mapped; mapping every file of /usr/include (14 KiB
/// on average) took three times as long as reading them.
pub const DEFAULT_MMAP_THRESHOLD: u64 = 3 << 19;

/// How a search runs. The defaults match `rg --no-ignore --hidden`: a
/// regular expression, case-sensitive, every matching line with its number,
/// hidden files searched, ignore files (.gitignore, .ignore, .rgignore)
/// not read, symbolic links not followed.
///
/// ```
/// use mapview::search::SearchOptions;
/// let mut options = SearchOptions::new();
/// options.fixed_strings(true).ignore_case(true).count_only(true);
/// ```
#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub(crate) fixed_strings: bool,
    pub(crate) ignore_case: bool,
    pub(crate) count_only: bool,
    pub(crate) follow_links: bool,
    pub(crate) respect_ignore_files: bool,
    pub(crate) skip_hidden: bool,
    pub(crate) skip_stdout: bool,
    pub(crate) threads: usize,
    pub(crate) mmap_threshold: u64,
}

impl Default for SearchOptions {
    fn default() -> SearchOptions {
        SearchOptions {
            fixed_strings: false,
            ignore_case: false,
            count_only: false,
            follow_links: false,
            respect_ignore_files: false,
            skip_hidden: false,
            skip_stdout: false,
            threads: 0,
            mmap_threshold: DEFAULT_MMAP_THRESHOLD,
        }
    }
}

impl SearchOptions {
    pub fn new() -> SearchOptions {
        SearchOptions::default()
    }

    /// Treats the pattern as a literal string, not a regular expression
    /// (`rg -F`).
    pub fn fixed_strings(&mut self, yes: bool) -> &mut Self {
        self.fixed_strings = yes;
        self
    }

    /// Matches without regard to case, with Unicode simple case folding
    /// (`rg -i`).
    pub fn ignore_case(&mut self, yes: bool) -> &mut Self {
        self.ignore_case = yes;
        self
    }

    /// Reports how many lines match in each file instead of the lines
    /// themselves (`rg -c`). This also changes how binary files are treated,
    /// as in ripgrep: see [`Binary`](super::Binary).
    pub fn count_only(&mut self, yes: bool) -> &mut Self {
        self.count_only = yes;
        self
    }

    /// Follows symbolic links to files and directories (`rg -L`). A link
    /// that points to one of its own ancestors is reported as an error and
    /// not followed.
    pub fn follow_links(&mut self, yes: bool) -> &mut Self {
        self.follow_links = yes;
        self
    }

    /// Skips what .gitignore (inside a git repository), .ignore, .rgignore,
    /// .git/info/exclude and the global git excludes file exclude, as
    /// ripgrep does without `--no-ignore`.
    pub fn respect_ignore_files(&mut self, yes: bool) -> &mut Self {
        self.respect_ignore_files = yes;
        self
    }

    /// Skips files and directories whose name starts with a dot, as ripgrep
    /// does without `--hidden`. The root itself is always searched.
    pub fn skip_hidden(&mut self, yes: bool) -> &mut Self {
        self.skip_hidden = yes;
        self
    }

    /// Skips the file this process's standard output is redirected to, so
    /// that `mapview grep x . > out` does not search its own output.
    pub fn skip_stdout(&mut self, yes: bool) -> &mut Self {
        self.skip_stdout = yes;
        self
    }

    /// How many threads search; 0 (the default) means one per core, at
    /// most 12, like ripgrep.
    pub fn threads(&mut self, n: usize) -> &mut Self {
        self.threads = n;
        self
    }

    /// Files larger than `bytes` are mapped, smaller ones read (see
    /// [`DEFAULT_MMAP_THRESHOLD`]). Results do not depend on it.
    pub fn mmap_threshold(&mut self, bytes: u64) -> &mut Self {
        self.mmap_threshold = bytes;
        self
    }
}
