"""Progress of a long build on stderr: a bar on a terminal, a plain line every few seconds in a CI log."""

from __future__ import annotations

import multiprocessing
import sys
import time

MIN_PAGES = 2000  # smaller builds take a few seconds: they print nothing
EVERY_S = 5.0  # between plain lines
BAR = 30


class Progress:
    """Counts pages done across the forked processes of one stage (the counter is shared memory made
    before they fork), and whichever process passes a reporting time reports."""

    def __init__(self, stage: str, total: int, stream=None):
        self.stage, self.total = stage, total
        self.stream = stream or sys.stderr
        self.enabled = total >= MIN_PAGES
        self.tty = self.enabled and self.stream.isatty()
        if self.enabled:
            ctx = multiprocessing.get_context("fork")
            self.count, self.last = ctx.Value("q", 0), ctx.Value("d", time.monotonic())
            self.start = time.monotonic()

    def tick(self, n: int = 1) -> None:
        if not self.enabled:
            return
        with self.count.get_lock():
            self.count.value += n
            count = self.count.value
            now = time.monotonic()
            due = now - self.last.value >= (0.25 if self.tty else EVERY_S) or count == self.total
            if due:
                self.last.value = now
        if due:
            self.show(count, now)

    def show(self, count: int, now: float) -> None:
        took, total = now - self.start, max(self.total, count)  # the total may be an estimate
        if self.tty:
            filled = BAR * count // max(1, total)
            self.stream.write(f"\r{self.stage}: [{'#' * filled}{' ' * (BAR - filled)}] "
                              f"{count:,}/{total:,} pages, {took:.0f} s" + ("\n" if count >= self.total else ""))
        else:
            self.stream.write(f"{self.stage}: {count:,} of {total:,} pages, {took:.0f} s\n")
        self.stream.flush()


def stage(message: str, size: int) -> None:
    """One line for a stage of a build of at least MIN_PAGES pages (or tasks)."""
    if size >= MIN_PAGES:
        print(message, file=sys.stderr, flush=True)
