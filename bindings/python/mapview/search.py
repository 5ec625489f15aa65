"""Directory search (libmapview's mapview_search_dir), when the library has it."""

from __future__ import annotations

import ctypes
import os
from ctypes import byref
from dataclasses import dataclass

from . import _lib
from ._lib import call, lib

FIXED_STRINGS = 1
IGNORE_CASE = 2
COUNT_ONLY = 4
FOLLOW_LINKS = 8
RESPECT_IGNORE_FILES = 16
SKIP_HIDDEN = 32


@dataclass(frozen=True)
class Match:
    path: str
    line_number: int
    line: bytes


@dataclass(frozen=True)
class SearchResult:
    matches: list
    counts: dict
    files_searched: int
    files_matched: int
    lines_matched: int
    errors: int


def search(
    directory,
    pattern: str,
    *,
    fixed_strings: bool = False,
    ignore_case: bool = False,
    count_only: bool = False,
    threads: int = 0,
) -> SearchResult:
    """Searches every regular file under `directory` for `pattern`, as
    `rg --no-ignore --hidden` would (the search runs in libmapview)."""
    if not _lib.HAS_SEARCH:
        raise _lib.UnsupportedError("this libmapview has no directory search", _lib.ERR_UNSUPPORTED)
    o = lib.mapview_search_options_init()
    o.flags = (
        (FIXED_STRINGS if fixed_strings else 0)
        | (IGNORE_CASE if ignore_case else 0)
        | (COUNT_ONLY if count_only else 0)
    )
    o.threads = threads
    matches, counts = [], {}

    def on_match(_ud, m):
        m = m.contents
        path = os.fsdecode(ctypes.string_at(m.path, m.path_len))
        matches.append(Match(path, m.line_number, ctypes.string_at(m.line, m.line_len)))
        return 0

    def on_count(_ud, f):
        f = f.contents
        counts[os.fsdecode(ctypes.string_at(f.path, f.path_len))] = f.count
        return 0

    match_cb = _lib.SEARCH_MATCH_FN(0) if count_only else _lib.SEARCH_MATCH_FN(on_match)
    count_cb = _lib.SEARCH_COUNT_FN(on_count)
    summary = _lib.SearchSummary()
    d = _lib.path_arg(directory)
    p = pattern.encode()
    call(lib.mapview_search_dir, d, len(d), p, len(p), byref(o), match_cb, count_cb, None, byref(summary))
    return SearchResult(
        matches,
        counts,
        summary.files_searched,
        summary.files_matched,
        summary.lines_matched,
        summary.errors,
    )
