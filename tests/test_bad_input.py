"""Broken content through the real CLI: exit 1, `path:line:col: error:` + hint, no traceback, no hang.

Every case of tests/bad/ is dropped into content/documents/ of a scratch project and checked with
`python -m generator --root <scratch> validate` in a subprocess limited to ~1 GB of address space.
Cases that cannot be stored as text (bytes, huge files) are written by the tests below.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.content.errors import ContentError
from generator.content.reader import MAX_FILE_BYTES, MAX_NODES, load_yaml

BAD = Path(__file__).parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))
MEMORY_LIMIT = 1 << 30  # bytes of address space for the CLI process
HANG_GUARD = 60  # seconds; only there so that a hang fails instead of blocking the suite

# A valid document (apart from what each test breaks), quoting the Feixi source.
GOOD = """\
id: {id}
title: {title}
jurisdiction: feixi
issuer: unknown
kind: work-plan
issued: unknown
period: unknown
source:
  file: feixi-health-capacity-five-aspects.txt
  language: en
  excerpt: true
tasks:
  - id: recruit-graduates
    title: Recruit 1,000 medical graduates within three years
    section: Second aspect
    quote: plan to recruit 1,000 graduates within three years
    themes: [recruitment-and-training]
    bodies: []
"""


@dataclass(frozen=True)
class Case:
    name: str
    expect: str
    stage: str
    line: int
    col: int
    hint: str = ""

    @property
    def rel(self) -> str:
        return f"content/documents/{self.name}.yaml"


def read_case(path: Path) -> Case:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"# (expect|stage|hint|at): (.*)$", line)
        if not m:
            break
        header[m[1]] = m[2]
    line, col = (int(n) for n in header["at"].split(":"))
    return Case(path.stem, header["expect"], header["stage"], line, col, header.get("hint", ""))


@dataclass
class Reported:
    path: str
    line: int
    col: int
    message: str
    hint: str


def _limit_memory():  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate(root: Path) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "generator", "--root", str(root), "validate"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=HANG_GUARD,
                            preexec_fn=_limit_memory)
    return result, time.monotonic() - start


def reported(stderr: str) -> list[Reported]:
    """Parse `path:line:col: error: message` lines, each with the `  hint: ...` line after it."""
    out: list[Reported] = []
    for line in stderr.splitlines():
        m = re.match(r"^(\S+?):(\d+):(\d+): error: (.*)$", line)
        if m:
            out.append(Reported(m[1], int(m[2]), int(m[3]), m[4], ""))
        elif line.startswith("  hint: ") and out:
            out[-1].hint = line.removeprefix("  hint: ")
    return out


def assert_clean_failure(result: subprocess.CompletedProcess) -> list[Reported]:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    assert result.stdout == ""  # nothing claims success
    problems = reported(result.stderr)
    assert problems, result.stderr
    assert re.search(r"^\d+ problems? found; nothing was written\.$", result.stderr, re.M), result.stderr
    for p in problems:
        assert p.hint.strip(), f"no hint for {p}"
    return problems


def assert_reported(problems: list[Reported], rel: str, line: int, col: int, expect: str, hint: str = "",
                    stderr: str = "") -> None:
    here = [p for p in problems if p.path == rel and expect in p.message]
    assert here, f"no error containing {expect!r} for {rel} in:\n{stderr}"
    assert any((p.line, p.col) == (line, col) for p in here), (
        f"{rel}: expected {expect!r} at {line}:{col}, got {[(p.line, p.col) for p in here]}\n{stderr}")
    if hint:
        assert any(hint in p.hint for p in here), f"hint {hint!r} not in {[p.hint for p in here]}"


def drop(scratch, name: str, content: bytes | str) -> str:
    path = scratch.content / "documents" / f"{name}.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return f"content/documents/{name}.yaml"


# --- the corpus ---------------------------------------------------------------------------------

def test_the_unbroken_template_passes(scratch):
    """Baseline: the document the cases are made from is valid, so each case fails for its own reason."""
    # a label of its own: made from its jurisdiction, kind and period it would be Feixi's document's
    drop(scratch, "good-case", GOOD.format(id="good-case", title="A good case") + "label: A good case\n")
    result, _ = validate(scratch.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 7 documents")


def test_the_corpus_covers_the_issue():
    names = {c.stem for c in CASES}
    for wanted in ("yaml-syntax-error", "duplicate-key", "wrong-type", "missing-required-field",
                   "unknown-theme", "unknown-body", "unknown-jurisdiction", "unknown-implements-task",
                   "duplicate-task-id", "id-dot-dot", "id-has-space", "id-capital", "quote-not-in-source",
                   "impossible-month", "impossible-day", "alias-bomb", "yaml-tag", "empty-file"):
        assert wanted in names
    assert {read_case(c).stage for c in CASES} == {"load", "schema", "references", "addresses"}


@pytest.mark.parametrize("path", CASES, ids=[c.stem for c in CASES])
def test_each_broken_file_is_reported_where_it_is_broken(scratch, path):
    case = read_case(path)
    drop(scratch, case.name, path.read_bytes())
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert_reported(problems, case.rel, case.line, case.col, case.expect, case.hint, result.stderr)
    assert {p.path for p in problems} == {case.rel}, "only the broken file is blamed"
    assert not (scratch.root / "build").exists(), "validate writes nothing"
    assert not (scratch.root / "pwned-by-yaml-tag").exists()


@pytest.mark.parametrize("stage", ["load", "schema", "references", "addresses"])
def test_every_error_of_a_pass_is_reported_in_one_run(scratch, stage):
    cases = [read_case(p) for p in CASES if read_case(p).stage == stage]
    assert len(cases) >= 2
    for case in cases:
        drop(scratch, case.name, (BAD / f"{case.name}.yaml").read_bytes())
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    for case in cases:
        assert_reported(problems, case.rel, case.line, case.col, case.expect, case.hint, result.stderr)


def test_two_broken_files_are_both_reported(scratch):
    a, b = read_case(BAD / "unknown-theme.yaml"), read_case(BAD / "quote-not-in-source.yaml")
    for case in (a, b):
        drop(scratch, case.name, (BAD / f"{case.name}.yaml").read_bytes())
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert "2 problems found" in result.stderr
    assert_reported(problems, a.rel, a.line, a.col, a.expect, a.hint, result.stderr)
    assert_reported(problems, b.rel, b.line, b.col, b.expect, b.hint, result.stderr)


def test_load_errors_in_several_files_and_later_passes_wait(scratch):
    """Every file that cannot be read is reported; schema and reference errors wait until they can be."""
    for path in CASES:
        drop(scratch, path.stem, path.read_bytes())
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    for case in (read_case(p) for p in CASES if read_case(p).stage == "load"):
        assert_reported(problems, case.rel, case.line, case.col, case.expect, case.hint, result.stderr)


# --- cases that are written by the test ---------------------------------------------------------

def test_non_utf8_bytes_are_located_in_characters(scratch):
    text = GOOD.format(id="non-utf8", title="Feixi 肥西 county \udcff plan").encode("utf-8", "surrogateescape")
    rel = drop(scratch, "non-utf8", text)
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    # line 2 is `title: Feixi 肥西 county <0xff> plan`; columns count characters, not bytes
    assert_reported(problems, rel, 2, len("title: Feixi 肥西 county ") + 1, "byte 0xff is not valid UTF-8",
                    "UTF-8", result.stderr)


def test_latin1_file_is_refused(scratch):
    rel = drop(scratch, "latin1", GOOD.format(id="latin1", title="Café plan").encode("latin-1"))
    result, _ = validate(scratch.root)
    assert_reported(assert_clean_failure(result), rel, 2, len("title: Caf") + 1,
                    "byte 0xe9 is not valid UTF-8", "", result.stderr)


def test_file_of_tens_of_megabytes_is_refused_by_size(scratch):
    path = scratch.content / "documents" / "huge.yaml"
    line = b"  - " + b"lol " * 30 + b"\n"
    with path.open("wb") as f:
        f.write(GOOD.format(id="huge", title="Huge").encode() + b"padding:\n")
        f.write(line * (30_000_000 // len(line)))
    assert path.stat().st_size > 10 * MAX_FILE_BYTES
    result, elapsed = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert_reported(problems, "content/documents/huge.yaml", 1, 1, f"more than the {MAX_FILE_BYTES:,} allowed",
                    "", result.stderr)
    assert elapsed < HANG_GUARD


def test_size_is_checked_before_the_file_is_read(tmp_path, monkeypatch):
    """The size limit is a stat, not a read: a huge file costs no memory."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(40_000_000)  # sparse: forty megabytes of NUL without writing them
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file that is too big"))
    with pytest.raises(ContentError, match="more than the"):
        load_yaml(path, "huge.yaml")


def test_zero_byte_file(scratch):
    rel = drop(scratch, "zero", b"")
    result, _ = validate(scratch.root)
    assert_reported(assert_clean_failure(result), rel, 1, 1, "file is empty", "", result.stderr)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_control_characters_are_located(scratch, char):
    rel = drop(scratch, "control", GOOD.format(id="control", title=f"A {char} title"))
    result, _ = validate(scratch.root)
    assert_reported(assert_clean_failure(result), rel, 2, len("title: A ") + 1,
                    f"character U+{ord(char):04X} is not allowed", "", result.stderr)


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_nesting_is_refused_without_recursion_error(scratch, shape):
    depth = 5_000 if shape == "flow" else 600  # Python's recursion limit is 1,000 frames
    nested = " " + "[" * depth + "]" * depth + "\n" if shape == "flow" else "\n" + "".join(
        " " * i + "-\n" for i in range(depth))
    text = GOOD.format(id="deep", title="Deep") + "summary:" + nested
    rel = drop(scratch, "deep", text)
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert "RecursionError" not in result.stderr
    [p] = problems
    assert p.path == rel and "too deeply nested" in p.message
    assert p.line > GOOD.count("\n")  # inside the nested value, not at 1:1


def test_too_many_values_stop_early_under_the_size_limit(scratch):
    """Just under the size limit but a million values: stopped by the node count, within memory."""
    body = "- 1\n" * ((MAX_FILE_BYTES - 10_000) // 4)
    rel = drop(scratch, "many", GOOD.format(id="many", title="Many") + "summary:\n" + body)
    result, elapsed = validate(scratch.root)
    [p] = assert_clean_failure(result)
    assert p.path == rel and "too many" in p.message
    assert p.line <= MAX_NODES + GOOD.count("\n") + 2


def test_infinite_number_is_not_a_number(scratch):
    text = GOOD.format(id="infinite", title="Infinite") + (
        "    indicators:\n"
        "      - id: graduates\n"
        "        measure: Graduates\n"
        "        value: 1e999\n"
        "        unit: graduates\n"
        "        comparator: '='\n"
        "        deadline: unknown\n"
        "        quote: plan to recruit 1,000 graduates within three years\n")
    rel = drop(scratch, "infinite", text)
    result, _ = validate(scratch.root)
    assert_reported(assert_clean_failure(result), rel, 22, 16, "expected number, got '1e999'", "", result.stderr)


@pytest.mark.parametrize("text, expect", [
    ("a: 1\n---\nb: 2\n", "single document"),
    ("a:\n\t- b\n", "YAML syntax"),
    ("!!python/name:os.system : x\n", "YAML tag"),
    ("a: {<<: {b: 1}}\n", "YAML tag"),
    ("%TAG ! tag:evil,2000:\n---\na: !x 1\n", "YAML tag tag:evil,2000:x"),
])
def test_other_yaml_pitfalls_are_content_errors(scratch, text, expect):
    rel = drop(scratch, "pitfall", text)
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert any(p.path == rel and expect in p.message for p in problems), result.stderr
