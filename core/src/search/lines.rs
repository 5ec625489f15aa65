//! Matching lines of a buffer: counted, or collected with their numbers.
//! The pattern is run over the whole buffer; line boundaries are found
//! only around matches, and line numbers by counting `\n` bytes between
//! matches with memchr's vectorised count.

use super::matcher::Matcher;
use super::report::FileMatches;

/// How many lines of `hay` match.
pub(crate) fn count(matcher: &Matcher, hay: &[u8]) -> u64 {
    let mut n = 0;
    let mut pos = 0;
    while let Some((_, end)) = matcher.next_line(hay, pos) {
        n += 1;
        pos = end + 1;
    }
    n
}

/// Appends every matching line of `hay` to `out`.
pub(crate) fn collect(matcher: &Matcher, hay: &[u8], out: &mut FileMatches) {
    let mut numbers = LineNumbers::default();
    let mut pos = 0;
    while let Some((start, end)) = matcher.next_line(hay, pos) {
        out.push_line(numbers.at(hay, start), &hay[start..end]);
        pos = end + 1;
    }
}

/// Line numbers for line starts met in increasing order.
#[derive(Default)]
pub(crate) struct LineNumbers {
    counted_to: usize,
    newlines: u64,
}

impl LineNumbers {
    /// The number of the line that starts at `start`.
    pub(crate) fn at(&mut self, hay: &[u8], start: usize) -> u64 {
        self.newlines += memchr::memchr_iter(b'\n', &hay[self.counted_to..start]).count() as u64;
        self.counted_to = start;
        self.newlines + 1
    }
}
