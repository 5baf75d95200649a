"""Benchmark the pipeline at the scale of all of China: `python -m tests.bench` (or `make bench`).

For each scale (default 1,000 and 10,000 tasks) it builds a throw-away project from the real
records, replicated under new ids (synthetic counties under the real provinces, each with a copy
of one real document: same task shapes, quotes and themes; its source copied under the new name),
then measures in one run:

  pipeline  validate + generate (stages timed one by one), then the same `mkdocs build` command
            that generator.pipeline.build_site runs;
  bare      MkDocs Material on as many plain Markdown pages (~130 words each), same theme and
            nav policy (a small nav of section pages, every other page in not_in_nav), no hooks;
  rebuild   one content file changed, then `make site` again, as an editor runs it (the project's own
            build: generate, then MkDocs on the changed pages, or a full build if the edit needs one);
  reload    `make serve` running, one title saved: seconds until its task page is served with it.

Each measured step runs in its own child process, so its peak RSS is that child's ru_maxrss
(os.wait4). The disk is synced before the pipeline, the bare build and the rebuild, so that none
of them is charged for writing out files an earlier one made. It prints a table and writes a JSON
report (default bench-report.json at the root).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from tests.conftest import FIXTURE_CONTENT, ROOT, copy_project, read_yaml
from tests.search_bench import first_searches

PAGE_LIMIT_KB = 40
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "commit.gpgsign=false"]


# --------------------------------------------------------------------------- the synthetic project

# China's administrative shape, one document a jurisdiction a year (tasks from the fixture records' shapes:
# the national plan 32, a provincial plan 11-34, a city work plan 24, a county report 27; about 84,000 a year).
CHINA = {"province": 31, "prefecture": 330, "county": 2800}
YEARS = (2020, 2021)  # the second year's document of each jurisdiction follows its first
TEMPLATE = {"national": "china-2020-h2-key-tasks", "province": ("guangdong-2020-near-term-key-tasks",
            "jiangxi-2020-h2-key-tasks"), "prefecture": "city-2014-grassroots-public-health",
            "county": "feixi-health-capacity-five-aspects"}
PARENT_LEVEL = {"province": "national", "prefecture": "province", "county": "prefecture"}


def _records() -> dict[str, tuple[str, list[str]]]:
    """Each fixture document's YAML text and task ids, by its id."""
    out = {}
    for path in sorted((FIXTURE_CONTENT / "documents").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        out[path.stem] = text, re.findall(r"^  - id: (\S+)$", text, re.M)
    return out


def shape(tasks_wanted: int, records: dict) -> dict[str, int]:
    """How many jurisdictions of each level give about `tasks_wanted` tasks over YEARS, in China's proportions."""
    per = {level: sum(len(records[t][1]) for t in ([TEMPLATE[level]] if isinstance(TEMPLATE[level], str)
                                                    else TEMPLATE[level])) / (1 if isinstance(TEMPLATE[level], str)
                                                                              else len(TEMPLATE[level]))
           for level in TEMPLATE}
    national = len(records[TEMPLATE["national"]][1])
    full = sum(CHINA[level] * per[level] for level in CHINA)
    scale = max(0.0, (tasks_wanted / len(YEARS) - national) / full)
    return {level: max(1, round(count * scale)) for level, count in CHINA.items()}


def _follows_supported() -> bool:
    """Whether documents can say which one they follow (the document schema has `follows`)."""
    schema = json.loads((ROOT / "schema" / "document.schema.json").read_text(encoding="utf-8"))
    return "follows" in schema.get("properties", {})


def _retarget(text: str, path: Path, new_id: str, jurisdiction: str, source: str) -> str:
    """The document's YAML text with a new id, jurisdiction and source file; nothing else changes."""
    for pattern, repl in ((r"^id: .*$", f"id: {new_id}"),
                          (r"^jurisdiction: .*$", f"jurisdiction: {jurisdiction}"),
                          (r"^  file: .*\.txt$", f"  file: {source}")):
        text, n = re.subn(pattern, repl, text, count=1, flags=re.M)
        if n != 1:
            raise SystemExit(f"bench: cannot rewrite {pattern!r} in {path.name}")
    # A copy stands alone: the document it follows, and the tasks its tasks continue, are not its own.
    return re.sub(r"^(follows: .*|label: .*|    continues: .*)\n", "", text, flags=re.M)


def _document(records: dict, template: str, new_id: str, jurisdiction: str, year: int, source: str,
              parent: tuple[str, list[str]] | None, follows: str | None) -> str:
    """A copy of a fixture document for another jurisdiction and year, its tasks implementing the parent's."""
    text, _ = records[template]
    text = _retarget(text, Path(template), new_id, jurisdiction, source)
    # An undated template's copies get their year, so each jurisdiction's two documents read apart.
    text = re.sub(r"^issued: unknown$", "issued: \"2020\"", text, count=1, flags=re.M) \
        if re.search(r"^period: unknown$", text, re.M) else text
    if year != YEARS[0]:  # the year in its title and dates; quotes stay verbatim
        text = re.sub(r"^(title: .*|issued: .*|  start: .*|  end: .*)$",
                      lambda m: m.group(1).replace(str(YEARS[0]), str(year)), text, flags=re.M)
    if parent is not None:
        parent_id, parent_tasks = parent
        n = iter(range(1 << 30))
        # every task that implements one above now implements the parent's task of that id, or the next one
        text = re.sub(r"^      - [a-z0-9-]+/([a-z0-9-]+)$",
                      lambda m: f"      - {parent_id}/"
                                f"{m.group(1) if m.group(1) in parent_tasks else parent_tasks[next(n) % len(parent_tasks)]}",
                      text, flags=re.M)
        if "implements:" not in text:  # a city work plan implements nothing: three tasks in four carry one out
            k = iter(range(1 << 30))
            text = re.sub(r"^(  - id: \S+)$", lambda m: m.group(1) + (
                f"\n    implements: [{parent_id}/{parent_tasks[i % len(parent_tasks)]}]"
                if (i := next(k)) % 4 != 3 else ""), text, flags=re.M)
    if follows is not None:
        text = re.sub(r"^(jurisdiction: .*)$", rf"\1\nfollows: {follows}", text, count=1, flags=re.M)
    if parent is None:  # the national copies share China and a period with the fixture's own plans
        text = re.sub(r"^(jurisdiction: .*)$", rf"\1\nlabel: China · synthetic key tasks {year}", text, count=1,
                      flags=re.M)
    return text


def _finish(dest: Path, jur_lines: list[str], git: bool) -> None:
    """The synthetic jurisdictions appended to jurisdictions.yaml; with `git`, the project committed once, as
    in a clone (history and SOURCE_DATE_EPOCH come from git)."""
    jur_file = dest / "content" / "jurisdictions.yaml"
    jur_file.write_text(jur_file.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(jur_lines) + "\n",
                        encoding="utf-8")
    if git:
        env = dict(os.environ, GIT_AUTHOR_DATE="2024-01-01T00:00:00Z", GIT_COMMITTER_DATE="2024-01-01T00:00:00Z")
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Synthetic corpus"]):
            subprocess.run(GIT + args, cwd=dest, env=env, check=True, capture_output=True)


def synthesise(dest: Path, tasks_wanted: int, git: bool = True) -> dict:
    """A project at `dest` with about `tasks_wanted` tasks: the fixture corpus plus, for each of YEARS, a
    national document, provinces, prefectures and counties in China's proportions (31 : 330 : 2,800), each
    a copy of the fixture document of its level, every level's tasks implementing the level above's, and
    each second-year document following its first-year one (once the schema has `follows`)."""
    copy_project(dest)
    records = _records()
    counts = shape(tasks_wanted, records)
    follows = _follows_supported()
    jurs = [("china", "China", "national", "")]  # the fixture's own national jurisdiction
    jur_lines = []
    for level in ("province", "prefecture", "county"):
        above = [j for j in jurs if j[2] == PARENT_LEVEL[level]]
        for n in range(counts[level]):
            jid = f"{level[:4]}-{n + 1:04d}"
            jurs.append((jid, f"Synthetic {level} {n + 1:04d}", level, above[n % len(above)][0]))
    for jid, name, level, parent in jurs[1:]:
        jur_lines += [f"  - id: {jid}", f"    name: {name}", f"    level: {level}", f"    parent: {parent}"]
    ids = {}
    tasks = documents = 0
    for year in YEARS:
        for n, (jid, _, level, parent) in enumerate(jurs):
            template = TEMPLATE[level] if isinstance(TEMPLATE[level], str) else TEMPLATE[level][n % 2]
            new_id = f"{jid}-{year}"
            above = (ids[(parent, year)], records[ids[(parent, year)][1]][1]) if parent else None
            ids[(jid, year)] = (new_id, template)
            text = _document(records, template, new_id, jid, year, f"{new_id}.txt",
                             (above[0][0], above[1]) if above else None,
                             ids[(jid, YEARS[0])][0] if follows and year != YEARS[0] else None)
            source = re.search(r"^  file: (.*\.txt)$", records[template][0], re.M).group(1)
            shutil.copyfile(FIXTURE_CONTENT / "sources" / source, dest / "content" / "sources" / f"{new_id}.txt")
            (dest / "content" / "documents" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
            tasks += len(records[template][1])
            documents += 1
    _finish(dest, jur_lines, git)
    return {"documents": documents + len(records), "tasks": tasks + sum(len(t) for _, t in records.values()),
            "jurisdictions_by_level": {"national": 1, **counts}, "years": list(YEARS), "follows": follows}


def _real_records() -> tuple[list[Path], list[str], int]:
    """The fixture corpus's document files and provinces, and how many tasks the documents hold."""
    docs = sorted((FIXTURE_CONTENT / "documents").glob("*.yaml"))
    jurs = read_yaml(FIXTURE_CONTENT / "jurisdictions.yaml")["jurisdictions"]
    provinces = [j["id"] for j in jurs if j["level"] == "province"]
    tasks = sum(len(read_yaml(p)["tasks"]) for p in docs)
    return docs, provinces, tasks


def synthesise_copies(dest: Path, tasks_wanted: int, git: bool = True) -> dict:
    """The corpus of earlier benches, which tests/test_scale.py builds on: the fixture documents plus copies of
    them, each for a synthetic county straight under a fixture province."""
    copy_project(dest)
    docs, provinces, per_copy = _real_records()
    copies = max(1, round(tasks_wanted / per_copy))  # the real documents count as the first copy
    jur_lines, n = [], 0
    for round_ in range(1, copies):
        for doc_path in docs:
            n += 1
            county = f"county-{n:04d}"
            jur_lines += [f"  - id: {county}", f"    name: Synthetic County {n:04d}", "    level: county",
                          # shifted each round, so that each document's copies reach every province
                          f"    parent: {provinces[(n + round_) % len(provinces)]}"]
            new_id = f"c{n:04d}-{doc_path.stem}"
            text = doc_path.read_text(encoding="utf-8")
            old_source = re.search(r"^  file: (.*\.txt)$", text, re.M).group(1)
            shutil.copyfile(FIXTURE_CONTENT / "sources" / old_source, dest / "content" / "sources" / f"{new_id}.txt")
            (dest / "content" / "documents" / f"{new_id}.yaml").write_text(
                _retarget(text, doc_path, new_id, county, f"{new_id}.txt"), encoding="utf-8")
    _finish(dest, jur_lines, git)
    return {"documents": len(docs) * copies, "tasks": per_copy * copies, "copies": copies,
            "synthetic_counties": n}


# --------------------------------------------------------------------------- child processes

def _tree_pss_kb(pid: int) -> int:
    """The memory of a process and its descendants, shared pages split among them (PSS), in KB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):  # it has just ended
            pass
    return total


class _PeakMemory(threading.Thread):
    """Samples the whole process tree's PSS: forked workers share most pages, so adding RSS overcounts.

    Reading PSS walks each process's page tables: at 100,000 tasks a sample every 0.1 s took a tenth to a fifth
    of a core, which a step using both cores loses and a one-process step (the bare build) does not. So the
    sampler waits at least COST_SHARE times what its last sample cost (at most 1/COST_SHARE of one core)."""

    EVERY_S = 0.1
    COST_SHARE = 50

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.done = pid, 0, threading.Event()
        self.cpu_s = 0.0  # what the sampling cost, for the report

    def run(self):
        start = time.thread_time()
        wait = self.EVERY_S
        while not self.done.wait(wait):
            before = time.thread_time()
            self.peak_kb = max(self.peak_kb, _tree_pss_kb(self.pid))
            wait = max(self.EVERY_S, self.COST_SHARE * (time.thread_time() - before))
        self.cpu_s = time.thread_time() - start


def run_child(cmd: list[str], cwd: Path, env: dict | None = None, log: Path | None = None) -> dict:
    """Run one measured step in a child process: wall time, peak RSS of its largest process (ru_maxrss),
    peak PSS of its whole process tree (sampled every 0.1 s or less often, on Linux: _PeakMemory), CPU time,
    exit code, and the CPU time the sampling took."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = _PeakMemory(proc.pid)
        if Path(f"/proc/{proc.pid}/smaps_rollup").exists():
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        if sampler.is_alive():
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    result = {"s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "rc": proc.returncode,
              "peak_tree_pss_mb": round(sampler.peak_kb / 1024, 1) if sampler.peak_kb else None,
              "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "sampler_cpu_s": round(sampler.cpu_s, 2)}
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log else ""
        raise SystemExit(f"bench: {' '.join(map(str, cmd[:6]))} ... failed (exit {proc.returncode})\n{tail}")
    return result


def child_generate(root: Path, result_file: Path) -> None:
    """Inside the child: generator.pipeline.generate, each stage timed."""
    from generator.content.project import Project
    from generator.pipeline import generate

    timings: dict = {}
    site = generate(Project(root), timings=timings)
    written, removed = timings.pop("written"), timings.pop("removed")
    result_file.write_text(json.dumps({
        "stages_s": timings, "written": written, "removed": removed,
        "tasks": len(site.all_tasks), "documents": len(site.documents), "jurisdictions": len(site.jurisdictions)}))


def generate_step(root: Path, work: Path, name: str) -> dict:
    result_file = work / f"{name}.json"
    step = run_child([sys.executable, "-m", "tests.bench", "--child-generate", str(root), str(result_file)],
                     cwd=ROOT, env=_env(), log=work / f"{name}.log")
    step.update(json.loads(result_file.read_text(encoding="utf-8")))
    rels = [p.relative_to(root / "build" / "docs").as_posix() for p in (root / "build" / "docs").rglob("*")
            if p.is_file()]  # counted here: the walk is the bench's, not the generator's
    step.update(pages=sum(1 for rel in rels if rel.endswith(".md")), files=len(rels))
    return step


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


def mkdocs_step(root: Path, config: Path, site_dir: Path, work: Path, name: str) -> dict:
    """A plain `mkdocs build --strict` into site_dir (the bare build's)."""
    from generator.pipeline import source_date_epoch
    from generator.content.project import Project
    extra = {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH") or source_date_epoch(Project(root))}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--clean", "--site-dir", str(site_dir),
           "--config-file", str(config), "--strict"]
    log = work / f"{name}.log"
    step = run_child(cmd, cwd=root, env=_env(extra), log=log)
    step["mkdocs_reported_s"] = _built_in(log.read_text(encoding="utf-8", errors="replace"))
    return step


def site_step(root: Path, work: Path) -> dict:
    """What generator.pipeline.build_site runs after generating, its own code: MkDocs into site/ and the
    search index beside it. Its time is the two at once; each one's own is read from its report line."""
    code = ("import sys; from pathlib import Path; from generator import pipeline; "
            "from generator.content.project import Project; root = Path(sys.argv[1]); "
            "(root / 'site').mkdir(); pipeline._mkdocs_build(Project(root), root / 'site', True, 'site')")
    log = work / "mkdocs.log"
    step = run_child([sys.executable, "-c", code, str(root)], cwd=ROOT, env=_env(), log=log)
    text = log.read_text(encoding="utf-8", errors="replace")
    step["mkdocs_reported_s"] = _built_in(text)
    step["search_index"] = _indexed(text)
    return step


def _built_in(log_text: str) -> float | None:
    m = re.search(r"Documentation built in ([0-9.]+) seconds", log_text)
    return float(m.group(1)) if m else None


def _indexed(log_text: str) -> dict | None:
    """The search index's report line (generator/search/index.py index_site), read."""
    m = re.search(r"Site search: (\d+) pages indexed in ([0-9.]+) seconds \(Pagefind ([0-9.]+) CPU", log_text)
    return {"pages": int(m.group(1)), "s": float(m.group(2)), "pagefind_cpu_s": float(m.group(3))} if m else None


# --------------------------------------------------------------------------- the bare build

def bare_project(dest: Path, pages: int, seed: int = 1) -> Path:
    """Plain pages of ~130 words under the real nav policy and theme, with no hooks; returns mkdocs.yml."""
    config = read_yaml(ROOT / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", dest / "theme", copy_function=shutil.copyfile)
    for name in ("header.html", "rc-search.html"):  # the project's search in the header: Material's here
        (dest / "theme" / "partials" / name).unlink(missing_ok=True)
    for path in (dest / "theme").rglob("*.html"):  # rc_frame is the hook's (generator/accel/frames.py)
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\{%-?\s*(?:call rc_frame\([^)]*\)|endcall)\s*-?%\}", "", text), encoding="utf-8")
    docs = dest / "docs"
    words = re.findall(r"[A-Za-z]+", " ".join(p.read_text(encoding="utf-8")
                                              for p in sorted((FIXTURE_CONTENT / "sources").glob("*.txt"))))
    rng = random.Random(seed)
    sections = [next(iter(item.values())) for item in config["nav"]]
    for rel in sections:  # the section pages of the nav
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(f"# {rel}\n\n{' '.join(rng.choices(words, k=130))}.\n", encoding="utf-8")
    for n in range(pages - len(sections)):  # folders of 30 pages, as tasks/<document>/<task>.md
        path = docs / "tasks" / f"d{n // 30:04d}" / f"p{n % 30:02d}.md"
        if n % 30 == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        body = " ".join(rng.choices(words, k=130))
        path.write_text(f"# Page {n}\n\n{body[:1].upper()}{body[1:]}.\n", encoding="utf-8")
    for key in ("hooks", "watch"):
        config.pop(key, None)
    # The baseline a MkDocs user would have: Material's own search (the project's is Pagefind, from its hook),
    # with the settings the project used for it.
    config["plugins"] = [{"search": {"separator": r"[\s\u200b\-]+", "lang": "en"}}]
    config["theme"]["features"] = config["theme"]["features"] + ["search.highlight", "search.suggest"]
    config["docs_dir"] = "docs"
    config["not_in_nav"] = "/tasks/\n"
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest / "mkdocs.yml"


# --------------------------------------------------------------------------- measuring a built site

def site_sizes(site_dir: Path) -> dict:
    pages = [(p.stat().st_size, p.relative_to(site_dir).as_posix()) for p in site_dir.rglob("*.html")]
    pages.sort(reverse=True)
    by_kind: dict[str, tuple[int, str]] = {}
    for size, rel in pages:
        kind = rel.split("/", 1)[0] if "/" in rel else rel
        if kind == "documents" and rel.endswith("/source/index.html"):
            kind = "documents/source"
        elif kind == "documents" and rel.endswith("/cascade/index.html"):
            kind = "documents/cascade"
        by_kind.setdefault(kind, (size, rel))
    index = site_dir / "search" / "search_index.json"
    over = [(s, r) for s, r in pages if s > PAGE_LIMIT_KB * 1024]
    return {
        "html_pages": len(pages),
        "max_page_kb": round(pages[0][0] / 1024, 1) if pages else 0,
        "max_page": pages[0][1] if pages else "",
        "largest_pages": [{"page": r, "kb": round(s / 1024, 1)} for s, r in pages[:8]],
        "largest_by_kind": {k: {"page": r, "kb": round(s / 1024, 1)} for k, (s, r) in sorted(by_kind.items())},
        "pages_over_limit": len(over),
        "pages_over_limit_by_kind": _count_kinds(over),
        "search_index_kb": round(index.stat().st_size / 1024, 1) if index.is_file() else None,
        "site_mb": round(sum(p.stat().st_size for p in site_dir.rglob("*") if p.is_file()) / 1024 / 1024, 1),
    }


def _folder_mb(folder: Path) -> float | None:
    if not folder.is_dir():
        return None
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1024 / 1024, 2)


def _count_kinds(pages) -> dict:
    out: dict[str, int] = {}
    for _, rel in pages:
        kind = rel.split("/", 1)[0]
        out[kind] = out.get(kind, 0) + 1
    return out


# --------------------------------------------------------------------------- one scale

def settle() -> None:
    """Write out what earlier steps left in memory before the next measured run (the pipeline, the bare
    build, the rebuild) starts: else the system writes one run's files to disk during the next, and the
    run that follows a large one is charged for it (here, up to a few tenths of a second). The pipeline's
    own two steps are not separated: the generator's files are written out while MkDocs runs, as they are
    in `make site`."""
    os.sync()


class Steps:
    """Says which scale and step the bench is on, and how long the bench has run."""

    NAMES = ("synthesise the corpus", "pipeline: generate", "pipeline: mkdocs build, the search index beside it",
             "bare MkDocs build",
             "first search in Chromium: Pagefind here, Material's on the bare build", "rebuild after one edit: make site",
             "make serve: reload")

    def __init__(self, scale: int, log):
        self.scale, self.log, self.n, self.start = scale, log, 0, time.perf_counter()

    def __call__(self, detail: str = "") -> None:
        self.n += 1
        took = time.perf_counter() - self.start
        self.log(f"[{self.scale:,} tasks] step {self.n}/{len(self.NAMES)}: {self.NAMES[self.n - 1]}"
                 f"{' (' + detail + ')' if detail else ''}; {took:.0f} s so far")


def _edit_title(path: Path, mark: str) -> str:
    """Append `mark` to the first task title; returns the task id."""
    text = path.read_text(encoding="utf-8")
    task = re.search(r"^  - id: (\S+)$", text, re.M).group(1)
    path.write_text(re.sub(r"^(    title: .*)$", rf"\1 {mark}", text, count=1, flags=re.M), encoding="utf-8")
    return task


def record_step(project: Path) -> None:
    """What `make site` records after its MkDocs step (the bench runs the two steps apart, to time each)."""
    code = ("import os, sys; from pathlib import Path; from generator.accel import incremental; "
            "from generator.pipeline import source_date_epoch; from generator.content.project import Project; "
            "root = Path(sys.argv[1]); site = (root / 'site').resolve(); "
            "epoch = os.environ.get('SOURCE_DATE_EPOCH') or source_date_epoch(Project(root)); "
            "incremental.record(root / 'build', site, incremental.inputs(root, site, True, epoch))")
    subprocess.run([sys.executable, "-c", code, str(project)], cwd=ROOT, env=_env(), check=True)


def rebuild_step(project: Path, work: Path) -> dict:
    """`make site` after one edit, as an editor runs it: what it builds again, and how long it takes."""
    step = run_child([sys.executable, "-m", "generator", "--root", str(project), "build", "--site-dir",
                      str(project / "site")], cwd=ROOT, env=_env(),
                     log=work / "rebuild.log")
    text = (work / "rebuild.log").read_text(encoding="utf-8", errors="replace")
    found = re.search(r"site: (\d+) changed pages? built(, search index: \d+ of \d+ parts made again)?", text)
    step["path"] = found.group(0)[len("site: "):] if found else "full build"
    return step


def reload_step(project: Path, work: Path, changed: Path, timeout: float = 1800) -> dict:
    """`make serve` on loopback: seconds from saving an edited title to the task page served with it."""
    import socket
    import urllib.request
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(work / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(project), "serve", "--addr",
                               f"127.0.0.1:{port}"], cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT)

    def get(url: str) -> str:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""
    try:
        start, first = time.perf_counter(), ""
        while not first and time.perf_counter() - start < timeout and server.poll() is None:
            first = get(f"http://127.0.0.1:{port}/")
            time.sleep(0.5)
        startup = time.perf_counter() - start
        task = _edit_title(changed, "(served)")
        url = f"http://127.0.0.1:{port}/tasks/{changed.stem}/{task}/"
        saved = time.perf_counter()
        while "(served)" not in get(url) and time.perf_counter() - saved < timeout:
            time.sleep(0.05)
        reload_s = time.perf_counter() - saved
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return {"reload_s": round(reload_s, 2), "serve_first_build_s": round(startup, 1), "page": url.split("/", 3)[3]}


SERVE_MAX = 10_000  # the make serve step's scale (issue 21's reload target): at 100,000 its first build alone is long


def run_scale(tasks_wanted: int, work: Path, git: bool = True, log=print, serve: bool = True) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    start_load = [round(x, 2) for x in os.getloadavg()]  # other work on the machine inflates wall times
    project = work / "project"
    step = Steps(tasks_wanted, log)
    step(str(project))
    corpus = synthesise(project, tasks_wanted, git=git)

    step(f"{corpus['tasks']:,} tasks, {corpus['documents']:,} documents, {corpus['jurisdictions_by_level']}")
    settle()
    gen = generate_step(project, work, "generate")
    step(f"{gen['pages']:,} pages")
    mk = site_step(project, work)
    record_step(project)
    sizes = site_sizes(project / "site")

    step(f"{gen['pages']:,} plain pages")
    bare = work / "bare"
    bare.mkdir()
    bare_config = bare_project(bare, gen["pages"])
    settle()
    bare_step = mkdocs_step(bare, bare_config, bare / "site", work, "bare")
    bare_sizes = site_sizes(bare / "site")

    step()
    task_page = next(iter(sorted((project / "site" / "tasks").glob("*/*/index.html"))), None)
    first = first_searches(project / "site", task_page.parent.relative_to(project / "site").as_posix() + "/"
                           if task_page else "", "pagefind")
    bare_first = first_searches(bare / "site", "tasks/d0000/p00/", "material")

    counties = sorted((project / "content" / "documents").glob("coun-*.yaml"))
    changed = counties[len(counties) // 2]  # a county's document: what most edits are
    step(changed.name)
    _edit_title(changed, "(revised)")
    settle()
    rebuilt = rebuild_step(project, work)
    step(f"the rebuild: {rebuilt['path']}, {rebuilt['s']:.1f} s" + ("; skipped" if not serve else ""))
    served = reload_step(project, work, changed) if serve else {}

    pipeline_s = gen["s"] + mk["s"]
    pipeline_cpu = gen["cpu_s"] + mk["cpu_s"]
    return {
        "tasks": gen["tasks"],
        "documents": gen["documents"],
        "jurisdictions": gen["jurisdictions"],
        "markdown_pages": gen["pages"],
        "pipeline_s": round(pipeline_s, 2),
        "bare_mkdocs_s": bare_step["s"],
        "ratio": round(pipeline_s / bare_step["s"], 3),
        "generator_s": gen["s"],
        "generator_share": round(gen["s"] / pipeline_s, 3),
        "generator_stages_s": gen["stages_s"],
        "mkdocs_s": mk["s"],  # with the search index beside it (search_indexing: the index's own seconds)
        "mkdocs_reported_s": mk["mkdocs_reported_s"],
        "peak_rss_mb": max(gen["peak_rss_mb"], mk["peak_rss_mb"]),
        "peak_tree_pss_mb": max(gen["peak_tree_pss_mb"] or 0, mk["peak_tree_pss_mb"] or 0) or None,
        "peak_tree_pss_mb_by_step": {"generate": gen["peak_tree_pss_mb"], "mkdocs+index": mk["peak_tree_pss_mb"],
                                     "bare_mkdocs": bare_step["peak_tree_pss_mb"]},
        "peak_rss_mb_by_step": {"generate": gen["peak_rss_mb"], "mkdocs+index": mk["peak_rss_mb"],
                                "bare_mkdocs": bare_step["peak_rss_mb"], "rebuild": rebuilt["peak_rss_mb"]},
        "max_page_kb": sizes["max_page_kb"],
        "max_page": sizes["max_page"],
        "search_index_kb": sizes["search_index_kb"],
        "first_search_kb": next(iter(first.values()))["kb"] if first else None,
        "first_search_ms": next(iter(first.values()))["ms"] if first else None,
        "first_search": first,
        "search_indexing": mk["search_index"],
        "search_bundle_mb": _folder_mb(project / "site" / "pagefind"),
        "rebuild_s": rebuilt["s"],
        "cpu_s": {"pipeline": round(pipeline_cpu, 2), "generator": gen["cpu_s"], "mkdocs+index": mk["cpu_s"],
                  "bare_mkdocs": bare_step["cpu_s"], "ratio": round(pipeline_cpu / bare_step["cpu_s"], 3),
                  "rebuild": rebuilt["cpu_s"]},
        "load_average": {"start": start_load, "end": [round(x, 2) for x in os.getloadavg()]},
        "rebuild": {"s": rebuilt["s"], "path": rebuilt["path"],
                    "share_of_full": round(rebuilt["s"] / pipeline_s, 3), "changed_file": changed.name},
        "reload_s": served.get("reload_s"),
        "serve": served,
        "corpus": corpus,
        "site": sizes,
        "bare": {"max_page_kb": bare_sizes["max_page_kb"], "search_index_kb": bare_sizes["search_index_kb"],
                 "first_search_kb": next(iter(bare_first.values()))["kb"] if bare_first else None,
                 "first_search_ms": next(iter(bare_first.values()))["ms"] if bare_first else None,
                 "first_search": bare_first,
                 "html_pages": bare_sizes["html_pages"], "site_mb": bare_sizes["site_mb"]},
    }


# --------------------------------------------------------------------------- search alone, at larger scales

def search_scale(tasks_wanted: int, work: Path, page_from: Path, log=print) -> dict:
    """Only the search index of a corpus of this size (no site build), and the first search over it in
    Chromium, from a page of a site built at a smaller scale (`page_from`): its home page and assets."""
    work.mkdir(parents=True, exist_ok=True)
    project = work / "project"
    log(f"[{tasks_wanted}] search only: synthesising the corpus")
    corpus = synthesise(project, tasks_wanted, git=False)
    site = work / "site"
    site.mkdir()
    shutil.copyfile(page_from / "index.html", site / "index.html")
    shutil.copytree(page_from / "assets", site / "assets", copy_function=shutil.copyfile)
    log(f"[{tasks_wanted}] search only: records and index ({corpus['tasks']} tasks)")
    settle()
    step = run_child([sys.executable, "-m", "tests.search_bench", str(project), str(site)], cwd=ROOT, env=_env(),
                     log=work / "index.log")
    timing = json.loads((project / "build" / "index-time.json").read_text(encoding="utf-8"))
    log(f"[{tasks_wanted}] search only: first search in Chromium")
    first = first_searches(site, "", "pagefind")
    return {"tasks": corpus["tasks"], "load_model_records_index_s": step["s"], "index_s": round(timing["s"], 2),
            "pages_indexed": timing["pages"], "peak_rss_mb": step["peak_rss_mb"],
            "peak_tree_pss_mb": step["peak_tree_pss_mb"], "search_bundle_mb": _folder_mb(site / "pagefind"),
            "first_search_kb": next(iter(first.values()))["kb"] if first else None,
            "first_search_ms": next(iter(first.values()))["ms"] if first else None, "first_search": first}


# --------------------------------------------------------------------------- report

COLUMNS = [("tasks", "tasks", "{:,}"), ("pages", "markdown_pages", "{:,}"), ("pipeline s", "pipeline_s", "{:.1f}"),
           ("bare s", "bare_mkdocs_s", "{:.1f}"), ("ratio", "ratio", "{:.2f}"),
           ("generator s", "generator_s", "{:.1f}"), ("gen share", "generator_share", "{:.1%}"),
           ("peak MB", "peak_rss_mb", "{:.0f}"), ("all processes MB", "peak_tree_pss_mb", "{:.0f}"),
           ("max page KB", "max_page_kb", "{:.1f}"),
           ("search KB", "search_index_kb", "{:,.0f}"), ("first search KB", "first_search_kb", "{:,.0f}"),
           ("first search ms", "first_search_ms", "{:,.0f}"), ("rebuild s", "rebuild_s", "{:.1f}"),
           ("reload s", "reload_s", "{:.2f}")]


def table(rows: list[dict]) -> str:
    cells = [[h for h, _, _ in COLUMNS]] + [[f.format(r[k]) if r.get(k) is not None else "n/a" for _, k, f in COLUMNS]
                                            for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in rows:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r["generator_stages_s"].items())
        cpu = r["cpu_s"]
        lines.append(f"{r['tasks']:,} tasks: CPU s pipeline {cpu['pipeline']:.1f} (generator {cpu['generator']:.1f}), "
                     f"bare {cpu['bare_mkdocs']:.1f}, ratio {cpu['ratio']:.2f}; load average {r['load_average']}")
        lines.append(f"{r['tasks']:,} tasks: largest page {r['max_page']} ({r['max_page_kb']} KB); "
                     f"{r['site']['pages_over_limit']} pages over {PAGE_LIMIT_KB} KB; generator stages: {stages}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", default="1000,10000", help="task counts, comma-separated (default 1000,10000)")
    p.add_argument("--with-100k", action="store_true",
                   help="also 100,000 tasks (about all of China for a year and a bit; long, and several GB)")
    p.add_argument("--no-serve", action="store_true",
                   help=f"skip the make serve reload measurement (made at {SERVE_MAX:,} tasks and below)")
    p.add_argument("--out", default=str(ROOT / "bench-report.json"), help="JSON report (default bench-report.json)")
    p.add_argument("--work", help="keep the synthetic projects here (default: a temporary folder, removed)")
    p.add_argument("--no-git", action="store_true", help="do not make the synthetic project a git repository")
    p.add_argument("--search-scales", default="",
                   help="task counts (e.g. 100000) at which to build and measure only the search index, "
                        "after the full scales; reported in the last row as search_scales")
    p.add_argument("--child-generate", nargs=2, metavar=("ROOT", "RESULT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child_generate:
        child_generate(Path(args.child_generate[0]), Path(args.child_generate[1]))
        # As make site's generator process ends (pipeline._generate_apart forks it, and a forked multiprocessing
        # process ends with os._exit), not freeing every object one by one.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    scales = [int(s) for s in args.scales.split(",") if s.strip()] + ([100_000] if args.with_100k else [])
    base = Path(args.work).resolve() if args.work else Path(tempfile.mkdtemp(prefix="rc-bench-"))
    rows = []
    try:
        for scale in scales:
            work = base / f"scale-{scale}"
            if work.exists():
                shutil.rmtree(work)
            rows.append(run_scale(scale, work, git=not args.no_git, serve=not args.no_serve and scale <= SERVE_MAX,
                                  log=lambda m: print(m, file=sys.stderr, flush=True)))
            Path(args.out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
        for scale in [int(s) for s in args.search_scales.split(",") if s.strip()]:
            if not rows:
                raise SystemExit("bench: --search-scales needs a full scale first (its page and assets)")
            work = base / f"search-{scale}"
            if work.exists():
                shutil.rmtree(work)
            rows[-1].setdefault("search_scales", []).append(search_scale(
                scale, work, base / f"scale-{scales[-1]}" / "project" / "site",
                log=lambda m: print(m, file=sys.stderr, flush=True)))
            Path(args.out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    finally:
        if not args.work:
            shutil.rmtree(base, ignore_errors=True)
    print(table(rows))
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        print(f"{b['tasks'] / a['tasks']:.2f}x tasks cost {b['pipeline_s'] / a['pipeline_s']:.2f}x pipeline time")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
