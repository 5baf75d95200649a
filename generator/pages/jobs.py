"""The site as a list of jobs: each file of build/docs, with the template that renders it and its context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from operator import attrgetter
from typing import Any

from generator.model.site import Site, Task
from generator.pages.series import above_view, changes_view, series_jobs, timeline
from generator.output.export import GUARD_NOTE
from generator.pages.citation import DOWNLOADS, cite, head_data, page_text
from generator.pages.reads import neighbourhoods, shown_with_above, with_reads
from generator.pages.source_text import source_paragraphs

HEAT_STEPS = 4


@dataclass(frozen=True)
class Job:
    """A page: templates/<template>.md.j2 rendered with `context` into build/docs/<path>. A context given as a
    function is made only by the process that renders the page (most pages are task pages, made once)."""

    path: str
    template: str
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    reads: frozenset[str] | None = None  # the documents it shows (pages/reads.py); None: the whole site
    shape: str = ""  # with `reads`, what else it is made from (the tasks of one page of a list)

    def make_context(self) -> Mapping[str, Any]:
        return self.context() if callable(self.context) else self.context


@dataclass(frozen=True)
class Download:
    """A file of build/docs that is not a page: make() gives its bytes, in the process that writes it."""

    path: str
    make: Callable[[], bytes]
    reads: frozenset[str] | None = None


def _indicator_count(tasks) -> int:
    return sum(len(t.indicators) for t in tasks)


def overview_group(site: Site, jurisdiction_id: str) -> str:
    """The row of the home matrix a jurisdiction's documents count in: itself if national or a
    province, else its province (cities and counties roll up, so the matrix stays one screen)."""
    j = site.jurisdiction[jurisdiction_id]
    while j.rank > 1 and j.parent:
        j = site.jurisdiction[j.parent]
    return j.id


HOME_MATRIX_ROWS = 6  # provinces in the home page's matrix (a row weighs about 2.6 KB, the rest of the page 6 KB):
# beyond, the matrix is paged, China's row on every page, so that a page stays under 40 KB with Material's frame


def home_jobs(site: Site) -> list[Job]:
    """The home page, with the matrix of tasks by jurisdiction and theme, and the further pages of that matrix
    (matrix/2/ ...) when there are more provinces than HOME_MATRIX_ROWS."""
    tops = site.top_themes()
    top_of = {t.id: (t.parent or t.id) for t in site.themes}
    groups: dict[str, list] = {}
    for doc in site.documents:
        groups.setdefault(overview_group(site, doc.jurisdiction), []).append(doc)
    rows = []
    for jid in sorted(groups, key=lambda g: (site.jurisdiction[g].rank, site.jurisdiction[g].name)):
        docs = groups[jid]
        counts = dict.fromkeys((t.id for t in tops), 0)
        for doc in docs:
            for task in doc.tasks:
                for top in {top_of[th] for th in task.themes}:
                    counts[top] += 1
        levels = [site.jurisdiction[d.jurisdiction].level for d in docs]
        rows.append({"jurisdiction": site.jurisdiction[jid], "docs": docs, "counts": counts,
                     "levels": sorted(set(levels), key=levels.index)})
    most = max([c for row in rows for c in row["counts"].values()] + [1])  # one scale over every page
    for row in rows:
        row["cells"] = [{"theme": top, "count": row["counts"][top.id],
                         "heat": 0 if not row["counts"][top.id] else
                         1 + (row["counts"][top.id] - 1) * (HEAT_STEPS - 1) // most} for top in tops]
    national = [row for row in rows if row["jurisdiction"].rank == 0]
    provinces = [row for row in rows if row["jurisdiction"].rank != 0]
    chunks = paged(provinces, HOME_MATRIX_ROWS, "matrix/")
    urls = ["#matrix", *(url for url, _ in chunks[1:])]
    pages = [{"rows": national + chunk, "number": n, "urls": urls if len(chunks) > 1 else [],
              "first": (n - 1) * HOME_MATRIX_ROWS + 1, "last": (n - 1) * HOME_MATRIX_ROWS + len(chunk),
              "provinces": len(provinces)} for n, (_, chunk) in enumerate(chunks, 1)]
    tasks = site.all_tasks
    return [Job("index.md", "home", {"matrix": pages[0]["rows"], "page": pages[0], "task_count": len(tasks),
                                     "indicator_count": _indicator_count(tasks)}),
            *(Job(f"{url}index.md", "matrix", {"matrix": page["rows"], "page": page})
              for (url, _), page in zip(chunks[1:], pages[1:]))]


def _citation(site: Site, site_url: str, doc, task: Task | None = None) -> dict:
    c = cite(site, site_url, doc, task)
    return {"text": page_text(c), "head": head_data(c, site_url), "downloads": DOWNLOADS if task else ()}


def document_page(doc) -> str:
    """The path of a document's page in build/docs."""
    return f"{doc.url}index.md"


def document_job(site: Site, site_url: str, doc, above: dict | None = None, changes: dict | None = None) -> Job:
    cascade = any(t.key in site.implemented_by for t in doc.tasks)
    implemented = list(dict.fromkeys(site.task[key].doc for t in doc.tasks for key in t.implements))
    return Job(document_page(doc), "document",
               lambda: {"doc": doc, "cascade": cascade, "indicator_count": _indicator_count(doc.tasks), "above": above,
                        "changes": changes, "implemented": [site.document[d] for d in implemented],
                        "followed_by": site.followed_by.get(doc.id, ()), "citation": _citation(site, site_url, doc)})


def source_job(site: Site, doc) -> Job:
    return Job(f"documents/{doc.id}/source.md", "source",
               lambda: {"doc": doc, "paragraphs": source_paragraphs(site, doc)})


def cascade_layout(site: Site, doc) -> dict | None:
    """At scale, where each task's implementing tasks are listed: national ones on the page itself (up to
    CASCADE_INLINE a task, else counted and linked to the task's page); each province's own and its cities'
    and counties' on the province's cascade pages, of at most LOCAL_PAGE_TASKS links, the document's page and
    each task's counting them by province. None while every document fits side by side."""
    if len(site.documents) <= SIDE_BY_SIDE_MAX:
        return None
    main: dict[str, list[Task]] = {}
    local: dict[str, list[dict]] = {}
    regions: dict[str, list[tuple[Task, list[Task]]]] = {}
    for task in doc.tasks:
        main[task.key], below = split_local(site, site.implemented_by.get(task.key, ()), national_only=True)
        for group, tasks in below.items():
            regions.setdefault(group, []).append((task, tasks))
    pages, summary = [], []
    for group in sorted(regions, key=lambda g: site.jurisdiction[g].name):
        chunks = _cascade_chunks(regions[group])
        urls = [f"{doc.url}cascade/{group}/" + (f"{n}/" if n > 1 else "") for n in range(1, len(chunks) + 1)]
        own = sum(1 for _, tasks in regions[group] for t in tasks if site.document[t.doc].jurisdiction == group)
        summary.append({"jurisdiction": site.jurisdiction[group], "url": urls[0], "own": own,
                        "tasks": sum(len(tasks) for _, tasks in regions[group]) - own,
                        "carried_out": len(regions[group])})
        for n, chunk in enumerate(chunks):
            pages.append({"group": site.jurisdiction[group], "url": urls[n], "urls": urls, "number": n + 1,
                          "entries": chunk})
            for task, piece in chunk:
                links = local.setdefault(task.key, [])
                if not links or links[-1]["jurisdiction"].id != group:
                    links.append({"jurisdiction": site.jurisdiction[group], "url": f"{urls[n]}#task-{task.id}",
                                  "count": 0, "own": 0})
                links[-1]["count"] += len(piece)
                links[-1]["own"] += sum(1 for t in piece if site.document[t.doc].jurisdiction == group)
    provincial = {key: [t for t in tasks if site.jurisdiction[site.document[t.doc].jurisdiction].rank == 1]
                  for key, tasks in ((t.key, site.implemented_by.get(t.key, ())) for t in doc.tasks)}
    return {"main": main, "local": local, "pages": pages, "regions": summary, "inline": CASCADE_INLINE,
            "provincial": provincial}


def _cascade_chunks(entries: list[tuple[Task, list[Task]]]) -> list[list[tuple[Task, list[Task]]]]:
    """A province's (task, its implementing tasks) in pages of at most LOCAL_PAGE_TASKS implementing tasks."""
    chunks: list[list[tuple[Task, list[Task]]]] = [[]]
    room = LOCAL_PAGE_TASKS
    for task, tasks in entries:
        while tasks:
            if room == 0:
                chunks.append([])
                room = LOCAL_PAGE_TASKS
            piece, tasks = tasks[:room], tasks[room:]
            chunks[-1].append((task, piece))
            room -= len(piece)
    return chunks


def cascade_jobs(site: Site, doc, layout: dict | None) -> list[Job]:
    linked = sum(1 for t in doc.tasks if t.key in site.implemented_by)
    jobs = [Job(f"documents/{doc.id}/cascade.md", "cascade", {"doc": doc, "linked": linked, "layout": layout})]
    for region in (layout or {}).get("pages", []):
        jobs.append(Job(region["url"].removesuffix("/") + "/index.md", "cascade_region", {"doc": doc, "region": region}))
    return jobs


def related_tasks(site: Site, task: Task, limit: int = 8) -> list[Task]:
    """Tasks of other documents sharing the main theme, not already linked by implements."""
    linked = set(task.implements) | {t.key for t in site.implemented_by.get(task.key, ())}
    out = (t for t in site.tasks_by_theme.get(task.themes[0], ())
           if t.doc != task.doc and t.key not in linked)
    return list(islice(out, limit))  # stop at `limit`: a theme may hold thousands of tasks


def task_job(site: Site, site_url: str, task: Task, history=(), layout: dict | None = None,
             near: frozenset[str] | None = None) -> Job:
    related = related_tasks(site, task)
    return Job(f"tasks/{task.doc}/{task.id}.md", "task", lambda: {
        "task": task, "related": related,
        "citation": _citation(site, site_url, site.document[task.doc], task),
        "history": list(history), "layout": layout},
        reads=None if near is None else near | {t.doc for t in related})


SIDE_BY_SIDE_MAX = 12  # documents; beyond this a theme page shows provinces and links to their cities and counties
LOCAL_PAGE_TASKS = 36  # tasks per page of a province's cities and counties on one theme (or of one body): at
# about 0.6 KB each, with the wording link, a page stays under 40 KB
LOCAL_PAGE_JURISDICTIONS = 32  # cities and counties per page, each with its documents (a row weighs about 0.6 KB)
CASCADE_INLINE = 12  # at scale, a cascade page lists at most this many national tasks under a task, and a task's
# page at most this many provinces' tasks carrying it out (about 0.4 KB each); beyond, each province's are counted
# and linked to its cascade page (31 provinces would add 6 KB a task)


def paged(items: list, size: int, base: str, first: int | None = None) -> list[tuple[str, list]]:
    """Items in pages of `size` (the first page `first`, when it holds something else too): (url, items)
    with urls base, base + "2/", base + "3/" ..."""
    first = size if first is None else max(0, min(first, size))
    chunks = [items[:first]] + [items[i:i + size] for i in range(first, len(items), size)]
    return [(base + (f"{n}/" if n > 1 else ""), chunk) for n, chunk in enumerate(chunks, 1)]


def split_local(site: Site, items, doc=attrgetter("doc"), national_only: bool = False) -> tuple[list, dict[str, list]]:
    """The items of national and provincial documents, and the others (cities' and counties') by
    province, provinces in name order; `doc` gives an item's document id. With `national_only`, a
    province's own items go with its cities' and counties', first."""
    main, local = [], {}
    groups: dict[str, str] = {}  # by jurisdiction: a theme's thousands of tasks come from a few hundred
    for item in items:
        jid = site.document[doc(item)].jurisdiction
        group = groups.get(jid) or groups.setdefault(jid, overview_group(site, jid))
        if group == jid and not (national_only and site.jurisdiction[jid].rank != 0):
            main.append(item)
        else:
            local.setdefault(group, []).append(item)
    if national_only:  # stable: the province's own first, each part in its order
        local = {g: sorted(items, key=lambda i: site.document[doc(i)].jurisdiction != g) for g, items in local.items()}
    return main, {g: local[g] for g in sorted(local, key=lambda g: site.jurisdiction[g].name)}


def region_pages(site: Site, local: dict[str, list], size: int, base: str,
                 first: Mapping[str, int] | None = None) -> list[dict]:
    """Each province's entries in pages of `size`, at base.format(province) and its "2/", "3/" ...
    (`first`: by province, how many its first page holds, when that page shows something else too)."""
    regions = []
    for group, entries in local.items():
        chunks = paged(entries, size, base.format(group), (first or {}).get(group))
        regions.append({"jurisdiction": site.jurisdiction[group], "url": chunks[0][0],
                        "urls": [url for url, _ in chunks], "chunks": chunks, "entries": entries})
    return regions


def region_jobs(template: str, regions: list[dict], **context) -> list[Job]:
    """The pages of every province's entries, each knowing its number for the pager."""
    return [Job(url + "index.md", template, {"region": region, "entries": chunk, "page_number": n, **context})
            for region in regions for n, (url, chunk) in enumerate(region["chunks"], 1)]


def theme_jobs(site: Site, theme) -> list[Job]:
    """A theme's comparison page and, at scale, one page (or a few) per province: its own documents side by
    side, then its cities' and counties' tasks."""
    tasks = site.tasks_by_theme.get(theme.id, ())
    by_doc: dict[str, list[Task]] = {}
    for t in tasks:  # one pass, not one per document
        by_doc.setdefault(t.doc, []).append(t)
    context = dict(theme=theme, tasks=tasks, parent=site.theme[theme.parent] if theme.parent else None,
                   children=site.children(theme.id))
    if len(site.documents) <= SIDE_BY_SIDE_MAX:
        columns = [{"doc": d, "tasks": by_doc.get(d.id, [])} for d in site.documents]
        return [Job(f"themes/{theme.id}.md", "theme", {"columns": columns, "regions": [], "quiet": [], "empty": [],
                                                      "scale": False, **context})]
    # At scale every document cannot be a column, nor every province's: national documents stay side by
    # side, each province gets a row, and its page sets its own documents side by side above its cities'
    # and counties' tasks, with as many tasks on its first page as on the others.
    national, own = [], {}
    for d in split_local(site, site.documents, doc=attrgetter("id"))[0]:
        if site.jurisdiction[d.jurisdiction].rank == 0:
            national.append(d)
        else:
            own.setdefault(d.jurisdiction, []).append(d)
    local = split_local(site, tasks)[1]
    name = lambda g: site.jurisdiction[g].name  # noqa: E731
    groups = sorted({g for g, docs in own.items() if any(d.id in by_doc for d in docs)} | set(local), key=name)
    own_tasks = {g: [t for d in own.get(g, ()) for t in by_doc.get(d.id, ())] for g in groups}
    regions = region_pages(site, {g: local.get(g, []) for g in groups}, LOCAL_PAGE_TASKS, f"themes/{theme.id}/{{}}/",
                           first={g: LOCAL_PAGE_TASKS - len(own_tasks[g]) for g in groups})
    for region in regions:
        g = region["jurisdiction"].id
        region["own"] = own_tasks[g]
        region["columns"] = [{"doc": d, "tasks": by_doc[d.id]} for d in own.get(g, ()) if d.id in by_doc]
        region["quiet"] = [d for d in own.get(g, ()) if d.id not in by_doc]
        region["documents"] = len({t.doc for t in region["entries"]})
    empty = [site.jurisdiction[g] for g in sorted(set(own) - set(groups), key=name)]
    columns = [{"doc": d, "tasks": by_doc[d.id]} for d in national if d.id in by_doc]
    quiet = [d for d in national if d.id not in by_doc]
    return [Job(f"themes/{theme.id}.md", "theme", {"columns": columns, "regions": regions, "quiet": quiet,
                                                  "empty": empty, "scale": True, **context}),
            *region_jobs("theme_region", regions, theme=theme)]


def body_jobs(site: Site, body) -> list[Job]:
    """A body's page and, at scale, per province the tasks of cities and counties that name it."""
    roles = site.tasks_by_body.get(body.id, ())
    regions = []
    if len(site.documents) > SIDE_BY_SIDE_MAX:
        roles, local = split_local(site, roles, doc=lambda pair: pair[0].doc)
        regions = region_pages(site, local, LOCAL_PAGE_TASKS, f"bodies/{body.id}/{{}}/")
        for region in regions:
            region["documents"] = len({t.doc for t, _ in region["entries"]})
            region["lead"] = sum(1 for _, role in region["entries"] if role == "lead")
    page = Job(f"bodies/{body.id}.md", "body", {
        "body": body, "regions": regions, "lead": [t for t, role in roles if role == "lead"],
        "participate": [t for t, role in roles if role == "participate"],
        "issued": [d for d in site.documents if body.id in (d.issuer or ())]})
    return [page, *region_jobs("body_region", regions, body=body)]


def jurisdiction_job(site: Site, jur, region: dict | None = None, row_docs: dict | None = None) -> Job:
    """A jurisdiction's documents over time and its tasks by top theme, a task under each of its themes. A
    province's, or China's, page also counts those of its cities and counties, as its row on the home page
    does; at scale those have their own pages."""
    docs = timeline(site.documents_of(jur.id))
    local_docs = [] if region else [d for d in (row_docs or {}).get(jur.id, ()) if d.jurisdiction != jur.id]
    tasks = [t for d in docs + local_docs for t in d.tasks]
    return Job(f"jurisdictions/{jur.id}.md", "jurisdiction", {
        "jur": jur, "docs": docs, "tasks": tasks, "local_docs": local_docs, "by_theme": themes_of(site, tasks),
        "indicator_count": _indicator_count(tasks), "parent": site.jurisdiction.get(jur.parent), "region": region,
        "children": site.jurisdictions_under(jur.id)})


def _region_reads(site: Site, job: Job) -> Job:
    """One page of a province's list: its own tasks (and on a theme, the province's documents), and the list's
    length in tasks, documents and pages."""
    entries, region = job.context["entries"], job.context["region"]
    shown = shown_with_above(site, [*entries, *region.get("own", ())]) | {d.id for d in region.get("quiet", ())}
    return with_reads(job, shown, repr((
        [t.key for t in entries], len(region["entries"]), region.get("documents"), len(region["urls"]))))


def _jurisdiction_reads(site: Site, job: Job) -> Job:
    """A jurisdiction's page shows its documents (and those they follow) and their tasks; the rest is site-wide."""
    docs = job.context["docs"] + job.context["local_docs"]
    return with_reads(job, shown_with_above(site, job.context["tasks"]) | {d.id for d in docs}
                      | {d.follows for d in docs if d.follows})


def themes_of(site: Site, tasks: list[Task]) -> list[tuple]:
    """(top theme, its tasks): as a home-page cell counts them, a task under each top theme it has."""
    by_top: dict[str, list] = {}
    for t in tasks:
        for top in dict.fromkeys(site.theme[th].parent or th for th in t.themes):
            by_top.setdefault(top, []).append(t)
    return [(top, sorted(by_top[top.id], key=site.task_order)) for top in site.top_themes() if top.id in by_top]


def jurisdiction_regions(site: Site) -> list[dict]:
    """At scale, each province's cities and counties (depth first) with their documents, in pages of
    LOCAL_PAGE_JURISDICTIONS: the documents and jurisdictions indexes link there instead of listing them."""
    if len(site.documents) <= SIDE_BY_SIDE_MAX:
        return []
    def local_under(jid: str):
        for j in site.jurisdictions_under(jid):
            if overview_group(site, j.id) != j.id:
                yield j, site.documents_of(j.id)
                yield from local_under(j.id)

    local = {j.id: list(local_under(j.id)) for j in site.jurisdictions if overview_group(site, j.id) == j.id}
    local = {g: local[g] for g in sorted(local, key=lambda g: site.jurisdiction[g].name) if local[g]}
    regions = region_pages(site, local, LOCAL_PAGE_JURISDICTIONS, "jurisdictions/{}/local/")
    for region in regions:
        region["documents"] = sum(len(ds) for _, ds in region["entries"])
        region["tasks"] = sum(len(d.tasks) for _, ds in region["entries"] for d in ds)
    return regions


def documents_job(site: Site, main: list, regions: list[dict]) -> Job:
    """The documents index: every document while they fit; at scale the national ones, and a row per province
    counting its own documents (listed on its page) and its cities' and counties' (on their own pages)."""
    if not regions:
        return Job("documents/index.md", "documents", {"documents": main, "provinces": []})
    local = {region["jurisdiction"].id: region for region in regions}
    national, own = [], {}
    for d in main:
        if site.jurisdiction[d.jurisdiction].rank == 0:
            national.append(d)
        else:
            own.setdefault(d.jurisdiction, []).append(d)
    groups = sorted(set(own) | {g for g, r in local.items() if r["documents"]}, key=lambda g: site.jurisdiction[g].name)
    provinces = [{"jurisdiction": site.jurisdiction[g], "docs": own.get(g, []), "region": local.get(g),
                  "tasks": sum(len(d.tasks) for d in own.get(g, ()))} for g in groups]
    return Job("documents/index.md", "documents", {"documents": national, "provinces": provinces})


def indicator_rows(site: Site) -> list[dict]:
    """Every indicator with its task and main theme, grouped by theme in taxonomy order."""
    theme_order = {t.id: n for n, t in enumerate(site.themes)}
    rows = []
    for task in site.all_tasks:
        theme = site.theme[task.themes[0]]
        top = site.theme[theme.parent] if theme.parent else theme
        for ind in task.indicators:
            rows.append({"task": task, "ind": ind, "theme": theme, "top": top})
    rows.sort(key=lambda row: (theme_order[row["top"].id], theme_order[row["theme"].id], site.task_order(row["task"])))
    return rows


INDICATOR_PAGE_ROWS = 22  # (a row weighs about 0.9 KB) beyond this, /indicators/ lists the themes and each theme has pages of its own


def indicators_jobs(site: Site) -> list[Job]:
    levels = list(dict.fromkeys(j.level for j in sorted(site.jurisdictions, key=lambda j: j.rank)))
    rows = indicator_rows(site)
    if len(rows) <= INDICATOR_PAGE_ROWS:
        return [Job("indicators/index.md", "indicators", {"rows": rows, "levels": levels, "sections": [], "pager": None})]
    by_top: dict[str, list[dict]] = {}
    for row in rows:
        by_top.setdefault(row["top"].id, []).append(row)
    jobs, sections = [], []
    for top_id, top_rows in by_top.items():
        chunks = paged(top_rows, INDICATOR_PAGE_ROWS, f"indicators/{top_id}/")
        urls = [url for url, _ in chunks]
        sections.append({"theme": site.theme[top_id], "url": urls[0], "count": len(top_rows)})
        for n, (url, chunk) in enumerate(chunks, 1):
            jobs.append(Job(url + "index.md", "indicators", {
                "rows": chunk, "levels": levels, "sections": [],
                "pager": {"theme": site.theme[top_id], "urls": urls, "number": n}}))
    index = Job("indicators/index.md", "indicators", {"rows": [], "levels": levels, "sections": sections, "pager": None})
    return [index, *jobs]


CHANGES_SHOWN = 30  # commits on the Changes page
CHANGES_LINES = 60  # lines on it (a document added, or a task changed): a commit adding a province's documents is long


def change_groups(site: Site, histories: dict) -> list[dict]:
    """The latest commits that changed records, newest first, each with the documents it touched: a
    document all of whose tasks it added is 'added'; otherwise each task it changed, with what changed.
    Past CHANGES_LINES lines, a commit's other changes are counted (`more`) and later commits left out."""
    commits: dict[str, dict] = {}
    for doc in site.documents:
        for task in doc.tasks:
            for change in histories.get(task.key, ()):
                entry = commits.setdefault(change.commit, {"date": change.date, "docs": {}})
                entry["docs"].setdefault(doc.id, []).append((task, change.what))
    newest = sorted(commits.items(), key=lambda item: item[1]["date"], reverse=True)[:CHANGES_SHOWN]
    groups, room = [], CHANGES_LINES
    for commit, entry in newest:
        if room <= 0:
            break
        documents, more = [], 0
        for doc_id, tasks in entry["docs"].items():
            doc = site.document[doc_id]
            added = len(tasks) == len(doc.tasks) and all(what == "Task added" for _, what in tasks)
            lines = 1 if added else len(tasks)
            if lines > room:
                more += lines
                continue
            room -= lines
            documents.append({"doc": doc, "tasks": tasks, "added": added})
        groups.append({"commit": commit, "date": entry["date"], "documents": documents, "more": more})
    return groups


def data_jobs(downloads: list, dictionary: list) -> list[Job | Download]:
    """The /data/ page and its downloads (output/export.py's files: name, description, rows, make)."""
    return [Job("data/index.md", "data", {"files": downloads, "dictionary": dictionary, "guard": GUARD_NOTE}),
            *(Download(f"data/{f.name}", f.make) for f in downloads)]


def document_pages(site: Site, site_url: str, doc, histories: dict, near: frozenset[str] | None = None) -> list[Job]:
    """A document's own pages: its page, its source, its views over levels and time, its cascade, its tasks."""
    above, changes = above_view(site, doc), changes_view(site, doc)
    own = [document_job(site, site_url, doc, above, changes), source_job(site, doc), *series_jobs(doc, above, changes)]
    layout = None
    if any(t.key in site.implemented_by for t in doc.tasks):
        layout = cascade_layout(site, doc)
        own += cascade_jobs(site, doc, layout)
    if near is not None:
        own = [with_reads(job, near) for job in own]
    return own + [task_job(site, site_url, task, histories.get(task.key, ()), layout, near) for task in doc.tasks]


def site_jobs(site: Site, site_url: str, downloads: list, dictionary: list,
              histories: dict | None = None) -> list[Job | Download]:
    """Every file of build/docs, in a fixed order (the downloads first: they take longest). Where two jobs
    share a path, the later one is kept, in the earlier one's place."""
    histories = histories or {}
    regions = jurisdiction_regions(site)
    by_id = {region["jurisdiction"].id: region for region in regions}
    main = split_local(site, site.documents, doc=attrgetter("id"))[0] if regions else site.documents
    jobs = [*data_jobs(downloads, dictionary), *home_jobs(site),
            documents_job(site, main, regions),
            Job("themes/index.md", "themes"),
            Job("bodies/index.md", "bodies"),
            Job("jurisdictions/index.md", "jurisdictions", {
                "regions": by_id, "elsewhere": {j.id for region in regions for j, _ in region["entries"]}}),
            Job("compare/index.md", "compare", {"documents": main, "regions": regions}),
            Job("about/index.md", "about"),
            Job("changes/index.md", "recent", {"groups": change_groups(site, histories)}),
            *indicators_jobs(site)]
    near = neighbourhoods(site)
    for doc in site.documents:
        jobs += document_pages(site, site_url, doc, histories, near[doc.id])
    jobs += [_region_reads(site, job) if job.template == "theme_region" else job
             for t in site.themes for job in theme_jobs(site, t)]
    jobs += [job for b in site.bodies for job in body_jobs(site, b)]
    row_docs: dict[str, list] = {}
    for doc in site.documents:
        row_docs.setdefault(overview_group(site, doc.jurisdiction), []).append(doc)
    jobs += [_jurisdiction_reads(site, jurisdiction_job(site, j, by_id.get(j.id), row_docs)) for j in site.jurisdictions]
    jobs += region_jobs("jurisdiction_region", regions)
    return list({job.path: job for job in jobs}.values())
