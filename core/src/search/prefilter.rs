//! Candidate lines for regexes the regex engine cannot prefilter itself.
//!
//! The lazy DFA looks for a pattern's leading literal only while it sits in
//! its start state. A regex that begins with a look-around assertion
//! (`^` in multi-line mode, `\b`) leaves that state after the first byte
//! and never returns, so `^#include <[a-z]+\.h>` ran the DFA over every
//! byte: twice as slow as ripgrep, which finds lines holding the literal
//! first and runs the regex on those lines only. So do we, for such
//! regexes. Every match starts with one of the prefix literals, so a line
//! without any of them cannot match.

use memchr::memmem;
use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

/// More literals than this, or shorter ones, would find too many
/// candidates to pay for the per-line check.
const MAX_LITERALS: usize = 64;
const MIN_LITERAL_LEN: usize = 2;

/// Finds the positions where a match could start.
#[derive(Debug, Clone)]
pub(crate) enum Candidates {
    One(Box<memmem::Finder<'static>>),
    Any(Regex),
}

impl Candidates {
    /// Candidates for `hir`, when it begins with a look-around assertion and
    /// every match starts with one of a few literals.
    pub(crate) fn for_regex(hir: &Hir) -> Option<Candidates> {
        if !starts_with_look(hir) {
            return None;
        }
        let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
        let literals = seq.literals()?;
        if literals.is_empty()
            || literals.len() > MAX_LITERALS
            || literals
                .iter()
                .any(|l| l.as_bytes().len() < MIN_LITERAL_LEN)
        {
            return None;
        }
        if let [one] = literals {
            return Some(Candidates::One(Box::new(
                memmem::Finder::new(one.as_bytes()).into_owned(),
            )));
        }
        // An alternation of the literals, byte by byte (they need not be
        // UTF-8); the regex engine searches such a set with SIMD.
        let alternation = literals
            .iter()
            .map(|l| {
                l.as_bytes()
                    .iter()
                    .map(|b| format!("\\x{b:02X}"))
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("|");
        RegexBuilder::new(&format!("(?-u:{alternation})"))
            .build()
            .ok()
            .map(Candidates::Any)
    }

    /// The start of the first candidate at or after `at`.
    pub(crate) fn find(&self, hay: &[u8], at: usize) -> Option<usize> {
        match self {
            Candidates::One(f) => f.find(&hay[at..]).map(|i| at + i),
            Candidates::Any(r) => r.find_at(hay, at).map(|m| m.start()),
        }
    }
}

fn starts_with_look(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(_) => true,
        HirKind::Concat(subs) => subs.first().is_some_and(starts_with_look),
        HirKind::Capture(cap) => starts_with_look(&cap.sub),
        HirKind::Alternation(subs) => subs.iter().any(starts_with_look),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(pattern: &str) -> Option<Candidates> {
        let hir = regex_syntax::ParserBuilder::new()
            .multi_line(true)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap();
        Candidates::for_regex(&hir)
    }

    #[test]
    fn only_regexes_that_start_with_an_assertion_get_candidates() {
        assert!(matches!(
            candidates(r"^#include <[a-z]+\.h>"),
            Some(Candidates::One(_))
        ));
        assert!(matches!(
            candidates(r"\b(foo|bar)\w*"),
            Some(Candidates::Any(_))
        ));
        assert!(
            candidates(r"#include <[a-z]+\.h>").is_none(),
            "the engine prefilters it"
        );
        assert!(candidates(r"^[a-z]+").is_none(), "no literal");
        assert!(candidates(r"^x").is_none(), "too short");
    }

    #[test]
    fn candidates_are_where_matches_can_start() {
        let c = candidates(r"(?i)^ab").unwrap();
        let hay = b"xx\nAb\naB";
        assert_eq!(c.find(hay, 0), Some(3));
        assert_eq!(c.find(hay, 4), Some(6));
        assert_eq!(c.find(hay, 7), None);
    }
}
