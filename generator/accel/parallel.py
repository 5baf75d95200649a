"""Work shared among forked processes: every process walks the same list of work, and whichever reaches
a piece first takes it, so a process that drew heavy pieces takes fewer. Results keep their one-process order."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
MAX_WORKERS = 4  # each process walks all the work to find its own, so more stop paying


def workers(amount: int, minimum: int) -> int:
    """How many processes to use on `amount` of work: one below `minimum` (forking costs more than it
    saves), off Linux (elsewhere forking is not Python's default and can break system libraries), and where
    another thread runs (as in `mkdocs serve`: it may hold a lock the fork would copy)."""
    if amount < minimum or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    return max(1, min(MAX_WORKERS, cores()))


def cores() -> int:
    """The processor cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Claims:
    """Which pieces of work (numbered 0, 1, 2 ... in the order every process meets them) are this process's.

    Made before the fork and shared by the processes; with one process, every piece is its own.
    """

    def __init__(self, processes: int):
        self.counter = multiprocessing.get_context("fork").Value("q", 0) if processes > 1 else None
        self.last = -1  # the last piece this process claimed

    def owns(self, piece: int) -> bool:
        if self.counter is None:
            return True
        while self.last < piece:  # pieces are claimed in order, so one passed over is another process's
            with self.counter.get_lock():
                self.last = self.counter.value
                self.counter.value += 1
        return self.last == piece


def start(work: Callable[[], T], daemon: bool = True) -> tuple:
    """A forked process running work(), which sends back what it returns (or raises); see finish(). A process
    that forks processes of its own is not a daemon (multiprocessing refuses a daemon children)."""
    for stream in (sys.stdout, sys.stderr):  # else the child would print what is still buffered once more
        if stream is not None:
            stream.flush()
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(work, send, receive), daemon=daemon)
    child.start()
    send.close()
    return child, receive


def finish(forked: tuple) -> T:
    """What the process start() forked returned; what it raised is raised here."""
    child, receive = forked
    try:
        status, value = receive.recv()  # all of it before waiting: a full pipe would block the child
    except EOFError:
        raise RuntimeError(f"a worker process stopped without its results (exit {child.exitcode})") from None
    finally:
        receive.close()
        child.join()
    if status == "error":
        raise value
    return value


def stop(forked: list[tuple]) -> None:
    """The processes start() forked, ended if still running (after a failure here, none may write on)."""
    for child, receive in forked:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()


def in_processes(work: Callable[[], T], processes: int) -> list[T]:
    """work() run here and in processes - 1 forked processes, which send back what it returns."""
    if processes <= 1:
        return [work()]
    children: list[tuple] = []
    gc.freeze()  # collections then leave the objects the processes share alone (touching them copies their pages)
    with no_cycle_collection():  # 5-15 % of the time of the load and of the render at 10,000 tasks
        try:
            children = [start(work) for _ in range(processes - 1)]
            results = [work()]
            while children:
                results.append(finish(children.pop(0)))
            return results
        finally:
            stop(children)
            # What the work built joins the oldest generation with the rest, rather than be walked by the next
            # collection of the youngest (0.04 s after the load).
            gc.freeze()
            gc.unfreeze()


@contextlib.contextmanager
def beside(minimum: int):
    """Work that writes files while this process goes on. Inside the block, run(work, amount) starts work() in a
    forked process where workers(amount, minimum) would fork (else it runs at once, here) and returns a function
    that waits for it and gives what it returned, or raises what it raised. What is still running when the block
    ends, however it ends, is waited for: no work is left half done, as killing it could leave it."""
    running: list[tuple] = []

    def run(work: Callable[[], T], amount: int) -> Callable[[], T]:
        if workers(amount, minimum) == 1:
            value = work()
            return lambda: value
        forked = start(work)
        running.append(forked)

        def wait() -> T:
            running.remove(forked)
            return finish(forked)
        return wait

    try:
        yield run
    finally:
        while running:
            with contextlib.suppress(Exception):  # the block's own failure is the one to report
                finish(running.pop())


@contextlib.contextmanager
def no_cycle_collection():
    """No automatic garbage collection inside: the stages build large structures with next to no cycles, and
    each collection walks them again. Whatever they drop without a cycle is still freed at once."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def in_order(shares: list[list[tuple]]) -> list[tuple]:
    """What every process returned, as (place, ...) tuples, in the one-process order of the places."""
    return sorted((piece for share in shares for piece in share), key=lambda piece: piece[0])


def _child(work: Callable[[], T], send, receive) -> None:
    # The fork copied the parent's end of the pipe: closed, so that if the parent dies (a Ctrl-C, a kill) this
    # process's send fails at once instead of filling a pipe it holds open itself and waiting for ever.
    receive.close()
    try:
        result = ("ok", work())
    except BaseException as exc:  # noqa: BLE001 (the parent raises it)
        try:
            pickle.loads(pickle.dumps(exc))  # not every exception survives the trip
        except Exception:  # noqa: BLE001
            exc = RuntimeError("".join(traceback.format_exception(exc)))
        result = ("error", exc)
    try:
        send.send(result)
    except OSError:  # the parent is gone (stopped or killed): nobody wants the result
        pass
    send.close()
