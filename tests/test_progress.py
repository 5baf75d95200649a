"""Long builds say how far they are: plain lines in a log, a bar on a terminal, counted across processes."""

from __future__ import annotations

import io

from generator import progress
from generator.accel import parallel


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_small_builds_print_nothing():
    out = io.StringIO()
    p = progress.Progress("generate: rendering", progress.MIN_PAGES - 1, stream=out)
    for _ in range(progress.MIN_PAGES - 1):
        p.tick()
    assert out.getvalue() == ""


def test_a_log_gets_plain_lines_ending_with_the_count(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(progress, "EVERY_S", 0.0)  # a line at every tick
    p = progress.Progress("mkdocs: building", 2500, stream=out)
    for _ in range(2500):
        p.tick()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and len(lines) > 1
    assert lines[-1].startswith("mkdocs: building: 2,500 of 2,500 pages, ")


def test_a_terminal_gets_one_bar_redrawn():
    out = _Terminal()
    p = progress.Progress("mkdocs: building", 3000, stream=out)
    for _ in range(3000):
        p.tick()
    text = out.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and text.count("\n") == 1
    assert text.rsplit("\r", 1)[1].startswith("mkdocs: building: [" + "#" * progress.BAR + "] 3,000/3,000 pages")


def test_pages_are_counted_across_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "EVERY_S", 0.0)
    log = tmp_path / "log"
    with open(log, "a", encoding="utf-8") as stream:  # each process appends to the one file
        p = progress.Progress("generate: rendering", 4000, stream=stream)

        def work():
            for _ in range(2000):
                p.tick()
            stream.flush()
            return []
        parallel.in_processes(work, 2)
    counts = [int(line.split(": ")[2].split(" of ")[0].replace(",", "")) for line in log.read_text().splitlines()]
    assert max(counts) == 4000 and counts.count(4000) == 1
