//! The compiled pattern, and the one question the line scanner asks it:
//! where is the next line that matches?
//!
//! ripgrep searches a whole buffer at once and only then finds the line
//! around a match; so do we. ripgrep also removes `\n` from every class of
//! the regex (`\s`, `[^a]`, ...) so that a match never spans lines, and
//! refuses a pattern that contains a literal newline. We refuse the same
//! patterns, but keep the regex as written and check the rare match that
//! does cross a line end against that line alone; the lines reported are
//! the same (see `next_line`).

use memchr::memmem;
use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind};

use crate::error::{Error, Result};

use super::options::SearchOptions;
use super::prefilter::Candidates;

/// The regex compiler's limits, as ripgrep sets them: big enough for
/// large case-insensitive Unicode classes, with a lazy DFA cache that does
/// not thrash on them.
const SIZE_LIMIT: usize = 100 << 20;
const DFA_SIZE_LIMIT: usize = 1000 << 20;

/// A pattern ready to search with. Cloning is cheap and gives the clone its
/// own regex scratch space, so each worker thread clones one.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    /// `-F` without `-i`: a plain substring search. (Boxed: the finder's
    /// tables are far bigger than a `Regex`, which is a pointer or two.)
    Literal(Box<memmem::Finder<'static>>),
    /// Everything else (`-F -i` is an escaped regex, as in ripgrep), with
    /// candidate lines when the regex engine cannot find them fast itself.
    Regex {
        regex: Regex,
        candidates: Option<Candidates>,
    },
}

impl Matcher {
    pub(crate) fn new(pattern: &str, options: &SearchOptions) -> Result<Matcher> {
        if pattern.contains('\n') {
            return Err(newline_refused(pattern));
        }
        if options.fixed_strings && !options.ignore_case {
            return Ok(Matcher::Literal(Box::new(
                memmem::Finder::new(pattern.as_bytes()).into_owned(),
            )));
        }
        let source = if options.fixed_strings {
            regex::escape(pattern)
        } else {
            pattern.to_string()
        };
        let regex = RegexBuilder::new(&source)
            .case_insensitive(options.ignore_case)
            .multi_line(true)
            .unicode(true)
            .octal(false)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .map_err(|e| Error::invalid("search", format!("invalid regex '{pattern}': {e}")))?;
        // The regex compiled, so it parses; what is left to check is the
        // literal newline (`\n`, `\x0A`, ...) ripgrep refuses.
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(options.ignore_case)
            .multi_line(true)
            .unicode(true)
            .utf8(false)
            .octal(false)
            .build()
            .parse(&source)
            .map_err(|e| Error::invalid("search", format!("invalid regex '{pattern}': {e}")))?;
        if has_literal_newline(&hir) {
            return Err(newline_refused(pattern));
        }
        Ok(Matcher::Regex {
            regex,
            candidates: Candidates::for_regex(&hir),
        })
    }

    /// The first match at or after `at`, as (start, end).
    fn find_at(&self, hay: &[u8], at: usize) -> Option<(usize, usize)> {
        match self {
            Matcher::Literal(f) => f
                .find(&hay[at..])
                .map(|i| (at + i, at + i + f.needle().len())),
            Matcher::Regex { regex, .. } => regex.find_at(hay, at).map(|m| (m.start(), m.end())),
        }
    }

    /// The next line at or after `pos` (a line start) that matches, as
    /// (line start, line end without its `\n`). Lines end at `\n`; a last
    /// line without one still counts; the empty "line" after a final `\n`
    /// does not.
    pub(crate) fn next_line(&self, hay: &[u8], mut pos: usize) -> Option<(usize, usize)> {
        if let Matcher::Regex {
            regex,
            candidates: Some(candidates),
        } = self
        {
            return next_candidate_line(regex, candidates, hay, pos);
        }
        while pos <= hay.len() {
            let (start, end) = self.find_at(hay, pos)?;
            let line_start = memchr::memrchr(b'\n', &hay[pos..start]).map_or(pos, |i| pos + i + 1);
            if line_start == hay.len() {
                return None;
            }
            let line_end = memchr::memchr(b'\n', &hay[start..]).map_or(hay.len(), |i| start + i);
            // A match that runs past this line's `\n` is one ripgrep's
            // newline-free regex could not make. No line before this one
            // can match either (a match there would have started earlier),
            // so the question is whether this line matches on its own.
            if end <= line_end || self.is_match(&hay[line_start..line_end]) {
                return Some((line_start, line_end));
            }
            pos = line_end + 1;
        }
        None
    }

    fn is_match(&self, line: &[u8]) -> bool {
        match self {
            Matcher::Literal(f) => f.find(line).is_some(),
            Matcher::Regex { regex, .. } => regex.is_match(line),
        }
    }
}

/// `Matcher::next_line` through candidates: the line around each candidate
/// is checked on its own, which is also what makes a match that spans
/// lines impossible here.
fn next_candidate_line(
    regex: &Regex,
    candidates: &Candidates,
    hay: &[u8],
    mut pos: usize,
) -> Option<(usize, usize)> {
    while pos < hay.len() {
        let at = candidates.find(hay, pos)?;
        let line_start = memchr::memrchr(b'\n', &hay[pos..at]).map_or(pos, |i| pos + i + 1);
        let line_end = memchr::memchr(b'\n', &hay[at..]).map_or(hay.len(), |i| at + i);
        if regex.is_match(&hay[line_start..line_end]) {
            return Some((line_start, line_end));
        }
        pos = line_end + 1;
    }
    None
}

fn newline_refused(pattern: &str) -> Error {
    Error::invalid(
        "search",
        format!(
            "pattern '{}' contains a literal newline; lines are searched one at a time, \
             so it could never match",
            pattern.escape_debug()
        ),
    )
}

fn has_literal_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(lit) => lit.0.contains(&b'\n'),
        HirKind::Empty | HirKind::Class(_) | HirKind::Look(_) => false,
        HirKind::Repetition(rep) => has_literal_newline(&rep.sub),
        HirKind::Capture(cap) => has_literal_newline(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(has_literal_newline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex(p: &str) -> Matcher {
        Matcher::new(p, &SearchOptions::new()).unwrap()
    }

    fn lines<'a>(m: &Matcher, hay: &'a [u8]) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((s, e)) = m.next_line(hay, pos) {
            out.push(&hay[s..e]);
            pos = e + 1;
        }
        out
    }

    #[test]
    fn a_match_never_spans_lines() {
        let hay = b"foo\nbar\nxo b\n";
        // `\s` would match the `\n` in "foo\nbar"; only "xo b" really matches.
        assert_eq!(lines(&regex(r"o\sb"), hay), vec![&b"xo b"[..]]);
        assert_eq!(
            lines(&regex(r"(?s)o.b"), b"foo\nbar\n"),
            Vec::<&[u8]>::new()
        );
        assert_eq!(
            lines(&regex(r"[^x]bar"), b"foo\nbar\nxbar\nybar"),
            vec![&b"ybar"[..]]
        );
    }

    #[test]
    fn empty_matches_give_every_line_but_not_the_one_after_the_last_newline() {
        assert_eq!(lines(&regex("x*"), b"a\n\nb\n").len(), 3);
        assert_eq!(lines(&regex("$"), b"a\nb").len(), 2);
        assert!(lines(&regex("x*"), b"").is_empty());
    }

    #[test]
    fn candidate_lines_give_the_same_lines() {
        let m = regex(r"^#include <[a-z]+\.h>");
        assert!(matches!(
            m,
            Matcher::Regex {
                candidates: Some(_),
                ..
            }
        ));
        let hay =
            b"#include <a.h>\n x #include <b.h>\n#include <C.h> #include <d.h>\n#include <e.h>";
        assert_eq!(
            lines(&m, hay),
            vec![&b"#include <a.h>"[..], b"#include <e.h>"]
        );
        let m = regex(r"\bfo[ox]");
        assert_eq!(
            lines(&m, b"afoo\nfox\nxfoo foo\n"),
            vec![&b"fox"[..], b"xfoo foo"]
        );
    }

    #[test]
    fn literal_newlines_are_refused_like_ripgrep_does() {
        for p in [r"a\nb", "a\nb", r"a\x0Ab", r"[\n]"] {
            let err = Matcher::new(p, &SearchOptions::new()).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument, "{p}");
        }
        // Classes that merely include the newline are fine.
        assert!(Matcher::new(r"\s", &SearchOptions::new()).is_ok());
    }
}
