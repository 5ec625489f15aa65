"""Directory search through the C ABI (when the library has it)."""

import pytest

import mapview

pytestmark = pytest.mark.skipif(not mapview.HAS_SEARCH, reason="libmapview built without search")


def test_search_lines_and_counts(tmp_path):
    (tmp_path / "a.txt").write_text("one\ntwo\nthree two\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("nothing\ntwo\n")
    r = mapview.search(tmp_path, "two")
    found = sorted((m.path.rsplit("/", 1)[-1], m.line_number, m.line) for m in r.matches)
    assert found == [("a.txt", 2, b"two"), ("a.txt", 3, b"three two"), ("b.txt", 2, b"two")]
    assert r.lines_matched == 3 and r.files_matched == 2
    c = mapview.search(tmp_path, "TWO", ignore_case=True, count_only=True)
    assert sorted(c.counts.values()) == [1, 2] and c.matches == []


def test_search_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        mapview.search(tmp_path / "missing", "x")
    with pytest.raises(ValueError):
        mapview.search(tmp_path, "(unclosed")
