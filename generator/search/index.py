"""Write the site's search index: Pagefind's bundle in <site>/pagefind/, from build/search/.

The index is made in parts (search/records.py: the main part, and one folder per part of the tasks), each by
its own Pagefind process, two at a time; theme/assets/search.js merges them (Pagefind's mergeIndex). After an
edit only the parts whose records changed are indexed again (generator/accel/incremental.py).

Pagefind runs as a service (`pagefind --service`): the records go in as in-memory HTML files, in site
order, and the bundle comes back in one message, which this writes out itself. (Pagefind's own
WriteFiles answers before its last file is on disk, and the service ends when its input closes: a
build could keep a truncated file.) The protocol is base64 JSON messages, each ending in a comma.
Pagefind's UI bundles are left out: theme/assets/search.js uses its JavaScript API.

Pagefind writes each filter's values, and the filters in its metadata, in hash-map order, which
changes from run to run; they are sorted here, and the rewritten files named by their content's hash,
so the same records give the same bytes (tests/test_search_index.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.service import get_executable

from generator.accel.parallel import cores
from generator.search import cbor
from generator.search.records import LEXICON, MAIN, SITE

BUNDLE = "pagefind"
# Set to "later" by `make site` (generator/pipeline.py): MkDocs's hook then leaves the index to it, which makes it
# in a process beside MkDocs's (in MkDocs's own, Pagefind waited for every page and held MkDocs's memory).
LATER = "RC_SEARCH_INDEX"
KEEP = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.", "pagefind.", "index/", "fragment/",
        "filter/")  # what the JavaScript API loads


class SearchIndexError(RuntimeError):
    """Pagefind refused a record or stopped."""


def _message(n: int, payload: dict) -> bytes:
    return base64.b64encode(json.dumps({"message_id": n, "payload": payload}).encode("utf-8")) + b","


class _Replies(threading.Thread):
    """Reads the service's replies while the records are written (else both pipes could fill)."""

    def __init__(self, stream, last: int):
        super().__init__(daemon=True)
        self.stream, self.last = stream, last
        self.errors: list[str] = []
        self.files: list[dict] | None = None
        self.done = threading.Event()

    def run(self):
        pending = b""
        try:
            while not self.done.is_set():
                chunk = self.stream.read1(1 << 20)
                if not chunk:
                    break
                *whole, pending = (pending + chunk).split(b",")
                for part in whole:
                    self._reply(json.loads(base64.b64decode(part)))
        finally:
            self.done.set()

    def _reply(self, reply: dict) -> None:
        payload = reply.get("payload") or {}
        if payload.get("type") == "Error":
            self.errors.append(str(payload.get("message")))
            if reply.get("message_id") in (None, self.last):
                self.done.set()
        elif reply.get("message_id") == self.last:
            self.files = payload.get("files") or []
            self.done.set()


def index_files(records: list[tuple[str, str]], usage: dict | None = None, tag: str = "") -> dict[str, bytes]:
    """Pagefind's bundle for these (address, HTML) records: relative path -> bytes, in a fixed order.
    `usage`, if given, gets the CPU seconds the Pagefind process used ("cpu_s"); `tag` is in the name of each
    page (a part's, so that pages of two parts have two names)."""
    executable = get_executable()
    if executable is None:
        raise SearchIndexError("the Pagefind binary is missing: run `make venv` (requirements.txt installs it)")
    proc = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        index_id = _first_reply(proc, {"type": "NewIndex", "config": {"force_language": "en"}})["index_id"]
        last = len(records) + 2
        replies = _Replies(proc.stdout, last)
        replies.start()
        for n, (url, page) in enumerate(records, start=2):
            proc.stdin.write(_message(n, {"type": "AddFile", "index_id": index_id, "url": "/" + url,
                                          "file_contents": page}))
        proc.stdin.write(_message(last, {"type": "GetFiles", "index_id": index_id}))
        proc.stdin.flush()
        replies.done.wait()
    except BrokenPipeError:
        raise SearchIndexError("the Pagefind service stopped while indexing") from None
    finally:
        if not proc.stdin.closed:
            proc.stdin.close()
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if usage is not None:
            usage["cpu_s"] = rusage.ru_utime + rusage.ru_stime
    if replies.errors or replies.files is None:
        raise SearchIndexError("Pagefind: " + ("; ".join(replies.errors[:3]) or "no index came back"))
    files = {f["path"].lstrip("/"): base64.b64decode(f["content"]) for f in replies.files}
    files = {path: data for path, data in files.items() if path.startswith(KEEP)}
    return _fix_filter_order(files, tag)


def _fix_filter_order(files: dict[str, bytes], tag: str) -> dict[str, bytes]:
    entry = json.loads(files.pop("pagefind-entry.json"))
    for language in entry["languages"].values():
        meta = cbor.read(files.pop(f"pagefind.{language['hash']}.pf_meta"))
        filters, tasks, lexicons = [], set(), set()
        for name, old in meta[3]:
            content = cbor.read(files.pop(f"filter/{old}.pf_filter"))
            content[1].sort(key=lambda value: value[0])
            if name == "kind":
                tasks = {n for value, pages in content[1] if value == "task" for n in pages}
                lexicons = {n for value, pages in content[1] if value == LEXICON for n in pages}
            new, data = _named(content, 7)
            files[f"filter/{new}.pf_filter"] = data
            filters.append([name, new])
        meta[3] = sorted(filters)
        _short_page_names(meta, files, tasks, lexicons, tag)
        language["hash"], data = _named(meta, 10)
        files[f"pagefind.{language['hash']}.pf_meta"] = data
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(files.items()))


def _short_page_names(meta: list, files: dict[str, bytes], tasks: set[int], lexicons: set[int], tag: str) -> None:
    """Each page's fragment renamed by its place: "t" and a base-36 number for a task, "o" for another page,
    "x" for a part's lexicon (search/records.py), which is never shown (after the letter, a part's `tag` and
    "-").

    The metadata, which every first search downloads, lists every page by its fragment's name: Pagefind's
    names are hashes, which do not compress (62 KB at 10,739 pages); numbers in order take 26 KB. And a
    result's id (its name) then says whether it is a task, so one search, with no filter, fills both groups
    of results (theme/assets/search.js)."""
    for n, page in enumerate(meta[1]):
        name = ("t" if n in tasks else "x" if n in lexicons else "o") + (tag + "-" if tag else "") + _base36(n)
        files[f"fragment/{name}.pf_fragment"] = files.pop(f"fragment/{page[0]}.pf_fragment")
        page[0] = name


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = digits[n % 36]
    while n >= 36:
        n //= 36
        out = digits[n % 36] + out
    return out


def _named(value, digits: int) -> tuple[str, bytes]:
    """Pagefind's file name for a value (language, then a hash of the content) and the file's bytes."""
    data = cbor.MAGIC + cbor.dumps(value)
    return "en_" + hashlib.sha256(data).hexdigest()[:digits], cbor.pack(data)


SHARED = ("pagefind.js", "pagefind-worker.js", "wasm.")  # the scripts: one copy, in the main part


def part_files(name: str, records: list[tuple[str, str]], usage: dict | None = None) -> dict[str, bytes]:
    """One part of the bundle, by path inside the bundle: the main part at its top, another in its own folder
    (which theme/assets/search.js merges into the main part's search), without the scripts."""
    files = index_files(records, usage, "" if name == MAIN else name.lstrip("s"))
    if name == MAIN:
        return files
    return {f"{name}/{rel}": data for rel, data in files.items() if not rel.startswith(SHARED)}


def part_folders(bundle: Path, name: str) -> list[Path]:
    """Where a part's files are in the bundle: the main part's are beside the other parts' folders."""
    if name != MAIN:
        return [bundle / name]
    return [bundle / rel for rel in ("", "index", "fragment", "filter")]


def bundle_files(search_dir: Path, parts: list[str] | None = None,
                 usage: dict | None = None) -> tuple[dict[str, bytes], int]:
    """Pagefind's bundle for the records of search_dir (build/search/), by path inside the bundle, and how many
    pages it indexed. With `parts`, only those parts (and SITE). The parts are indexed at once, one Pagefind
    process a core."""
    site = json.loads((search_dir / SITE).read_bytes())
    names = [MAIN, *site["shards"]] if parts is None else parts
    data = {name: json.loads((search_dir / f"{name}.json").read_bytes())["records"] for name in names}
    usages = [{} for _ in names]
    with ThreadPoolExecutor(max_workers=max(1, min(len(names), cores()))) as pool:
        made = list(pool.map(lambda n: part_files(names[n], [tuple(r) for r in data[names[n]]], usages[n]),
                             range(len(names))))
    files = {SITE: (search_dir / SITE).read_bytes()}
    for part in made:
        files.update(part)
    if usage is not None:
        usage["cpu_s"] = sum(u.get("cpu_s", 0) for u in usages)
    return dict(sorted(files.items())), sum(len(records) for records in data.values())


def write_index(search_dir: Path, site_dir: Path, usage: dict | None = None) -> int:
    """Index the records of search_dir into site_dir/pagefind/; returns how many pages it indexed."""
    files, pages = bundle_files(search_dir, usage=usage)
    out = site_dir / BUNDLE
    if out.exists():
        shutil.rmtree(out)
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return pages


def index_site(search_dir: Path, site_dir: Path) -> str:
    """Index the records of search_dir into site_dir; the line that reports it."""
    start, usage = time.perf_counter(), {}
    pages = write_index(search_dir, site_dir, usage)
    return (f"Site search: {pages} pages indexed in {time.perf_counter() - start:.2f} seconds "
            f"(Pagefind {usage.get('cpu_s', 0):.2f} CPU seconds)")


def main(argv: list[str]) -> int:
    """python -m generator.search.index BUILD_SEARCH SITE_DIR: the index, as `make site` makes it beside MkDocs."""
    if len(argv) != 2:
        print("usage: python -m generator.search.index BUILD_SEARCH SITE_DIR", file=sys.stderr)
        return 2
    try:
        print(index_site(Path(argv[0]), Path(argv[1])), file=sys.stderr)
    except SearchIndexError as exc:
        print(f"site search: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:  # build/search damaged: once removed, the generator writes it whole
        print(f"site search: cannot read the records in {argv[0]}: {exc}; remove that folder and run `make site` again",
              file=sys.stderr)
        return 1
    return 0


def _first_reply(proc: subprocess.Popen, payload: dict) -> dict:
    proc.stdin.write(_message(1, payload))
    proc.stdin.flush()
    reply = b""
    while not reply.endswith(b","):
        byte = proc.stdout.read(1)
        if not byte:
            raise SearchIndexError("the Pagefind service stopped before it answered")
        reply += byte
    answer = json.loads(base64.b64decode(reply[:-1]))["payload"]
    if answer.get("type") == "Error":
        raise SearchIndexError(f"Pagefind: {answer.get('message')}")
    return answer


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
