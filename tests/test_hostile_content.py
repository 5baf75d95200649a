"""Hostile content beyond one document file (tests/bad/): shared files, source texts, Unicode forms."""

from __future__ import annotations

import pytest

from generator.content.errors import Problem

from .test_bad_input import assert_clean_failure, assert_reported, validate

FEIXI_SOURCE = "content/sources/feixi-health-capacity-five-aspects.txt"
FEIXI = "content/documents/feixi-health-capacity-five-aspects.yaml"


def edit(scratch, rel: str, old: str, new: str) -> None:
    path = scratch.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_col(scratch, rel: str, needle: str) -> tuple[int, int]:
    text = (scratch.root / rel).read_text(encoding="utf-8")
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


@pytest.mark.parametrize(("rel", "record", "listing"), [
    ("content/jurisdictions.yaml", "  - id: index\n    name: Index County\n    level: county\n", "/jurisdictions/"),
    ("content/bodies.yaml", "  - id: index\n    name: Index Office\n    level: county\n", "/bodies/"),
    ("content/themes.yaml", "  - id: index\n    title: Index\n    description: A theme.\n", "/themes/"),
])
def test_index_is_reserved_for_every_listing(scratch, rel, record, listing):
    path = scratch.root / rel
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + record, encoding="utf-8")
    line, col = line_col(scratch, rel, "id: index")
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert_reported(problems, rel, line, col + 4, f"id 'index' is reserved: {listing}index/ would replace the list",
                    "choose another id", result.stderr)


def test_a_whitespace_only_quote_of_an_empty_source_is_refused(scratch):
    (scratch.root / FEIXI_SOURCE).write_text("  \n", encoding="utf-8")
    result, _ = validate(scratch.root)
    assert_reported(assert_clean_failure(result), FEIXI_SOURCE, 1, 1, "source text is empty", "paste", result.stderr)


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\x1b", "\u2066"])
def test_a_source_with_invisible_characters_is_refused_where_they_are(scratch, char):
    path = scratch.root / FEIXI_SOURCE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Feixi County", "Feixi" + char + " County", 1), encoding="utf-8")
    line, col = line_col(scratch, FEIXI_SOURCE, char)
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert_reported(problems, FEIXI_SOURCE, line, col, f"character U+{ord(char):04X}", "remove it", result.stderr)
    assert char not in result.stderr  # messages never print it raw


def test_a_quote_in_another_unicode_form_is_named_as_such(scratch):
    path = scratch.root / FEIXI_SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "\nThe café opens.\n", encoding="utf-8")  # composed é
    doc = scratch.root / FEIXI
    doc.write_text(doc.read_text(encoding="utf-8").replace("\nnotes:\n", "\nnotes:\n  - quote: The cafe\u0301 opens.\n"
                                                            "    reason: A test\n", 1), encoding="utf-8")
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    [p] = [p for p in problems if p.message == "quote is not in the source text"]
    assert "another Unicode form" in p.hint and "NFC" in p.hint


def test_a_quote_that_differs_by_a_look_alike_names_both_characters(scratch):
    path = scratch.root / FEIXI_SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "\nThe hospital opens in autumn.\n", encoding="utf-8")
    doc = scratch.root / FEIXI
    doc.write_text(doc.read_text(encoding="utf-8").replace(
        "\nnotes:\n", "\nnotes:\n  - quote: The hospital opens in \u0430utumn.\n    reason: A test\n", 1), encoding="utf-8")
    result, _ = validate(scratch.root)
    [p] = [p for p in assert_clean_failure(result) if p.message == "quote is not in the source text"]
    assert "U+0430 CYRILLIC SMALL LETTER A in the quote, U+0061 LATIN SMALL LETTER A in the source" in p.hint


def test_messages_never_print_control_characters():
    text = str(Problem("content/x\x1b[2J.yaml", 1, 1, "bad \x07 \u202e value", "hint \x00"))
    assert text == "content/x\\x1b[2J.yaml:1:1: error: bad \\x07 \\u202e value\n  hint: hint \\x00"


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    (" =1+1", "' =1+1"), ("  \t@x", "'  \t@x"), ("\n=cmd", "'\n=cmd"), ("\x00=x", "'\x00=x"), ("\r\n+x", "'\r\n+x"),
    ("\tplain", "'\tplain"), ("\rplain", "'\rplain"), ("\nplain", "'\nplain"), ("\x00plain", "'\x00plain"),
    ("\u3000=x", "'\u3000=x"), ("\uff1dx", "'\uff1dx"),
    ("-5", "-5"), ("+3", "'+3"), ("-1,000.5", "-1,000.5"), (-5, "-5"), (2.0, "2"), ("plain = text", "plain = text"),
    ("全国 = x", "全国 = x"), ("", ""), (None, ""),
])
def test_csv_cells_that_a_spreadsheet_would_run_are_guarded(value, written):
    from generator.output.export import _cell
    assert _cell(value) == written


def test_the_data_dictionary_says_how_the_guard_changes_a_value(tmp_path):
    from markupsafe import escape

    from generator.output.export import GUARD_NOTE
    from generator.pipeline import render_files
    from generator.model.site import build_model
    from generator.content.project import Project, load_content
    from .conftest import copy_project
    project = copy_project(tmp_path / "p")
    page = render_files(project, build_model(load_content(project)), with_history=False, workers=1)["data/index.md"]
    assert str(escape(GUARD_NOTE)) in page.decode("utf-8") and "apostrophe" in GUARD_NOTE
