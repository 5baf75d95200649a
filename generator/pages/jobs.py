"""Which pages the site has, and what each page template is given."""

from __future__ import annotations

from itertools import islice
from operator import attrgetter

from generator.model.site import Site, Task
from generator.render.renderer import Page, Renderer, human_date, human_period, source_paragraphs

HEAT_STEPS = 4


def _indicator_count(tasks) -> int:
    return sum(len(t.indicators) for t in tasks)


def overview_group(site: Site, jurisdiction_id: str) -> str:
    """The row of the home matrix a jurisdiction's documents count in: itself if national or a
    province, else its province (cities and counties roll up, so the matrix stays one screen)."""
    j = site.jurisdiction[jurisdiction_id]
    while j.rank > 1 and j.parent:
        j = site.jurisdiction[j.parent]
    return j.id


def render_home_page(r: Renderer, site: Site) -> Page:
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
    most = max([c for row in rows for c in row["counts"].values()] + [1])
    for row in rows:
        row["cells"] = [{"theme": top, "count": row["counts"][top.id],
                         "heat": 0 if not row["counts"][top.id] else
                         1 + (row["counts"][top.id] - 1) * (HEAT_STEPS - 1) // most} for top in tops]
    tasks = site.all_tasks
    return r.render("home", "index.md", matrix=rows, task_count=len(tasks), indicator_count=_indicator_count(tasks))


def render_document_page(r: Renderer, site: Site, doc) -> Page:
    cascade = any(t.key in site.implemented_by for t in doc.tasks)
    return r.render("document", f"documents/{doc.id}/index.md", doc=doc, cascade=cascade,
                    indicator_count=_indicator_count(doc.tasks))


def render_source_page(r: Renderer, site: Site, doc) -> Page:
    return r.render("source", f"documents/{doc.id}/source.md", doc=doc, paragraphs=source_paragraphs(site, doc))


def cascade_layout(site: Site, doc) -> dict | None:
    """At scale, where each task's implementing tasks are listed: national and provincial ones on
    the page itself (up to CASCADE_INLINE a task, else counted and linked to the task's page, as are
    the tasks of cities and counties carrying out each of those), cities' and counties' on per-province
    cascade pages of at most LOCAL_PAGE_TASKS links. None while every document fits side by side."""
    if len(site.documents) <= SIDE_BY_SIDE_MAX:
        return None
    main: dict[str, list[Task]] = {}
    local: dict[str, list[dict]] = {}
    regions: dict[str, list[tuple[Task, list[Task]]]] = {}
    for task in doc.tasks:
        main[task.key], below = split_local(site, site.implemented_by.get(task.key, ()))
        for group, tasks in below.items():
            regions.setdefault(group, []).append((task, tasks))
    pages, summary = [], []
    for group in sorted(regions, key=lambda g: site.jurisdiction[g].name):
        chunks: list[list[tuple[Task, list[Task]]]] = [[]]
        room = LOCAL_PAGE_TASKS
        for task, tasks in regions[group]:
            while tasks:
                if room == 0:
                    chunks.append([])
                    room = LOCAL_PAGE_TASKS
                piece, tasks = tasks[:room], tasks[room:]
                chunks[-1].append((task, piece))
                room -= len(piece)
        urls = [f"{doc.url}cascade/{group}/" + (f"{n}/" if n > 1 else "") for n in range(1, len(chunks) + 1)]
        summary.append({"jurisdiction": site.jurisdiction[group], "url": urls[0],
                        "tasks": sum(len(tasks) for _, tasks in regions[group]),
                        "carried_out": len(regions[group])})
        for n, chunk in enumerate(chunks):
            pages.append({"group": site.jurisdiction[group], "url": urls[n], "urls": urls, "number": n + 1,
                          "entries": chunk})
            for task, piece in chunk:
                links = local.setdefault(task.key, [])
                if not links or links[-1]["jurisdiction"].id != group:
                    links.append({"jurisdiction": site.jurisdiction[group], "url": f"{urls[n]}#task-{task.id}",
                                  "count": 0})
                links[-1]["count"] += len(piece)
    return {"main": main, "local": local, "pages": pages, "regions": summary, "inline": CASCADE_INLINE}


def render_cascade_pages(r: Renderer, site: Site, doc, layout: dict | None) -> list[Page]:
    linked = sum(1 for t in doc.tasks if t.key in site.implemented_by)
    pages = [r.render("cascade", f"documents/{doc.id}/cascade.md", doc=doc, linked=linked, layout=layout)]
    for region in (layout or {}).get("pages", []):
        pages.append(r.render("cascade_region", region["url"].removesuffix("/") + "/index.md", doc=doc,
                              region=region))
    return pages


def citation(r: Renderer, site: Site, task: Task) -> str:
    doc = site.document[task.doc]
    jur = site.jurisdiction[doc.jurisdiction]
    when = human_period(doc.period) if doc.period else (
        human_date(doc.issued) if doc.issued != "unknown" else "undated")
    return (f"{jur.name}. “{doc.title}” ({when}), section {task.section}: “{task.title}”. "
            f"Reform Compare. {r.absolute(task.url)}")


def related_tasks(site: Site, task: Task, limit: int = 8) -> list[Task]:
    """Tasks of other documents sharing the main theme, not already linked by implements."""
    linked = set(task.implements) | {t.key for t in site.implemented_by.get(task.key, ())}
    out = (t for t in site.tasks_by_theme.get(task.themes[0], ())
           if t.doc != task.doc and t.key not in linked)
    return list(islice(out, limit))  # stop at `limit`: a theme may hold thousands of tasks


def render_task_page(r: Renderer, site: Site, task: Task, history=(), layout: dict | None = None) -> Page:
    return r.render_with("task", f"tasks/{task.doc}/{task.id}.md", lambda: {
        "task": task, "related": related_tasks(site, task), "citation": citation(r, site, task),
        "history": list(history), "layout": layout})


SIDE_BY_SIDE_MAX = 12  # documents; beyond this a theme page shows provinces and links to their cities and counties
LOCAL_PAGE_TASKS = 60  # tasks per page of a province's cities and counties on one theme (or of one body)
LOCAL_PAGE_JURISDICTIONS = 40  # cities and counties per page, each with its documents (a row weighs about 0.5 KB)
CASCADE_INLINE = 12  # at scale, a cascade page lists at most this many national and provincial tasks under a task;
# beyond it, a count links to the task's own page, which lists them all (31 provinces would add 6 KB a task)


def paged(items: list, size: int, base: str) -> list[tuple[str, list]]:
    """Items in pages of `size`: (url, items) with urls base, base + "2/", base + "3/" ..."""
    chunks = [items[i:i + size] for i in range(0, len(items), size)] or [[]]
    return [(base + (f"{n}/" if n > 1 else ""), chunk) for n, chunk in enumerate(chunks, 1)]


def split_local(site: Site, items, doc=attrgetter("doc")) -> tuple[list, dict[str, list]]:
    """The items of national and provincial documents, and the others (cities' and counties') by
    province, provinces in name order; `doc` gives an item's document id."""
    main, local = [], {}
    groups: dict[str, str] = {}  # by jurisdiction: a theme's thousands of tasks come from a few hundred
    for item in items:
        jid = site.document[doc(item)].jurisdiction
        group = groups.get(jid) or groups.setdefault(jid, overview_group(site, jid))
        if group == jid:
            main.append(item)
        else:
            local.setdefault(group, []).append(item)
    return main, {g: local[g] for g in sorted(local, key=lambda g: site.jurisdiction[g].name)}


def region_pages(site: Site, local: dict[str, list], size: int, base: str) -> list[dict]:
    """Each province's entries in pages of `size`, at base.format(province) and its "2/", "3/" ..."""
    regions = []
    for group, entries in local.items():
        chunks = paged(entries, size, base.format(group))
        regions.append({"jurisdiction": site.jurisdiction[group], "url": chunks[0][0],
                        "urls": [url for url, _ in chunks], "chunks": chunks, "entries": entries})
    return regions


def render_region_pages(r: Renderer, template: str, regions: list[dict], **context) -> list[Page]:
    """The pages of every province's entries, each knowing its number for the pager."""
    return [r.render(template, url + "index.md", region=region, entries=chunk, page_number=n, **context)
            for region in regions for n, (url, chunk) in enumerate(region["chunks"], 1)]


def render_theme_pages(r: Renderer, site: Site, theme) -> list[Page]:
    """A theme's comparison page and, at scale, one page (or a few) per province for its cities and counties."""
    tasks = site.tasks_by_theme.get(theme.id, ())
    by_doc: dict[str, list[Task]] = {}
    for t in tasks:  # one pass, not one per document
        by_doc.setdefault(t.doc, []).append(t)
    context = dict(theme=theme, tasks=tasks, parent=site.theme[theme.parent] if theme.parent else None,
                   children=site.children(theme.id))
    if len(site.documents) <= SIDE_BY_SIDE_MAX:
        columns = [{"doc": d, "tasks": by_doc.get(d.id, [])} for d in site.documents]
        return [r.render("theme", f"themes/{theme.id}.md", columns=columns, regions=[], quiet=[], **context)]
    # At scale every document cannot be a column: national and provincial documents stay side by
    # side; each province's cities and counties get pages of their own.
    main, _ = split_local(site, site.documents, doc=attrgetter("id"))
    columns = [{"doc": d, "tasks": by_doc[d.id]} for d in main if d.id in by_doc]
    quiet = [d for d in main if d.id not in by_doc]
    regions = region_pages(site, split_local(site, tasks)[1], LOCAL_PAGE_TASKS, f"themes/{theme.id}/{{}}/")
    for region in regions:
        region["documents"] = len({t.doc for t in region["entries"]})
    return [r.render("theme", f"themes/{theme.id}.md", columns=columns, regions=regions, quiet=quiet, **context),
            *render_region_pages(r, "theme_region", regions, theme=theme)]


def render_body_pages(r: Renderer, site: Site, body) -> list[Page]:
    """A body's page and, at scale, per province the tasks of cities and counties that name it."""
    roles = site.tasks_by_body.get(body.id, ())
    regions = []
    if len(site.documents) > SIDE_BY_SIDE_MAX:
        roles, local = split_local(site, roles, doc=lambda pair: pair[0].doc)
        regions = region_pages(site, local, LOCAL_PAGE_TASKS, f"bodies/{body.id}/{{}}/")
        for region in regions:
            region["documents"] = len({t.doc for t, _ in region["entries"]})
            region["lead"] = sum(1 for _, role in region["entries"] if role == "lead")
    page = r.render("body", f"bodies/{body.id}.md", body=body, regions=regions,
                    lead=[t for t, role in roles if role == "lead"],
                    participate=[t for t, role in roles if role == "participate"],
                    issued=[d for d in site.documents if body.id in (d.issuer or ())])
    return [page, *render_region_pages(r, "body_region", regions, body=body)]


def render_jurisdiction_page(r: Renderer, site: Site, jur, region: dict | None = None,
                             children: list | None = None) -> Page:
    """`children`: the jurisdictions under it, if the caller has them indexed (else every one is searched)."""
    docs = site.documents_of(jur.id)
    tasks = [t for d in docs for t in d.tasks]
    by_main_theme: dict[str, list] = {}
    for t in tasks:
        by_main_theme.setdefault(t.themes[0], []).append(t)
    by_theme = [(theme, by_main_theme[theme.id]) for theme in site.themes if theme.parent and theme.id in by_main_theme]
    return r.render("jurisdiction", f"jurisdictions/{jur.id}.md", jur=jur, docs=docs, tasks=tasks,
                    by_theme=by_theme, indicator_count=_indicator_count(tasks),
                    parent=site.jurisdiction.get(jur.parent), region=region,
                    children=[j for j in site.jurisdictions if j.parent == jur.id] if children is None else children)


def jurisdiction_regions(site: Site) -> list[dict]:
    """At scale, each province's cities and counties (depth first) with their documents, in pages of
    LOCAL_PAGE_JURISDICTIONS: the documents and jurisdictions indexes link there instead of listing them."""
    if len(site.documents) <= SIDE_BY_SIDE_MAX:
        return []
    docs: dict[str, list] = {}
    for d in site.documents:
        docs.setdefault(d.jurisdiction, []).append(d)
    below: dict[str, list] = {}
    for j in site.jurisdictions:
        below.setdefault(j.parent, []).append(j)

    def local_under(jid: str):
        for j in below.get(jid, ()):
            if overview_group(site, j.id) != j.id:
                yield j, docs.get(j.id, [])
                yield from local_under(j.id)

    local = {j.id: list(local_under(j.id)) for j in site.jurisdictions if overview_group(site, j.id) == j.id}
    local = {g: local[g] for g in sorted(local, key=lambda g: site.jurisdiction[g].name) if local[g]}
    regions = region_pages(site, local, LOCAL_PAGE_JURISDICTIONS, "jurisdictions/{}/local/")
    for region in regions:
        region["documents"] = sum(len(ds) for _, ds in region["entries"])
        region["tasks"] = sum(len(d.tasks) for _, ds in region["entries"] for d in ds)
    return regions


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


INDICATOR_PAGE_ROWS = 30  # (a row weighs about 0.6 KB) beyond this, /indicators/ lists the themes and each theme has pages of its own


def render_indicators_pages(r: Renderer, site: Site) -> list[Page]:
    levels = list(dict.fromkeys(j.level for j in sorted(site.jurisdictions, key=lambda j: j.rank)))
    rows = indicator_rows(site)
    if len(rows) <= INDICATOR_PAGE_ROWS:
        return [r.render("indicators", "indicators/index.md", rows=rows, levels=levels, sections=[], pager=None)]
    by_top: dict[str, list[dict]] = {}
    for row in rows:
        by_top.setdefault(row["top"].id, []).append(row)
    pages, sections = [], []
    for top_id, top_rows in by_top.items():
        chunks = paged(top_rows, INDICATOR_PAGE_ROWS, f"indicators/{top_id}/")
        urls = [url for url, _ in chunks]
        sections.append({"theme": site.theme[top_id], "url": urls[0], "count": len(top_rows)})
        for n, (url, chunk) in enumerate(chunks, 1):
            pages.append(r.render("indicators", url + "index.md", rows=chunk, levels=levels, sections=[],
                                  pager={"theme": site.theme[top_id], "urls": urls, "number": n}))
    pages.insert(0, r.render("indicators", "indicators/index.md", rows=[], levels=levels, sections=sections,
                             pager=None))
    return pages


def all_pages(r: Renderer, site: Site, histories: dict | None = None) -> list[Page]:
    """Every Markdown page of the site, in a fixed order."""
    histories = histories or {}
    regions = jurisdiction_regions(site)
    by_id = {region["jurisdiction"].id: region for region in regions}
    main = split_local(site, site.documents, doc=attrgetter("id"))[0] if regions else site.documents
    pages = [render_home_page(r, site),
             r.render("documents", "documents/index.md", documents=main, regions=regions),
             r.render("themes", "themes/index.md"),
             r.render("bodies", "bodies/index.md"),
             r.render("jurisdictions", "jurisdictions/index.md", regions=by_id,
                      elsewhere={j.id for region in regions for j, _ in region["entries"]}),
             r.render("compare", "compare/index.md", documents=main, regions=regions)]
    pages += render_indicators_pages(r, site)
    for doc in site.documents:
        pages.append(render_document_page(r, site, doc))
        pages.append(render_source_page(r, site, doc))
        layout = None
        if any(t.key in site.implemented_by for t in doc.tasks):
            layout = cascade_layout(site, doc)
            pages += render_cascade_pages(r, site, doc, layout)
        for task in doc.tasks:
            pages.append(render_task_page(r, site, task, histories.get(task.key, ()), layout))
    pages += [p for t in site.themes for p in render_theme_pages(r, site, t)]
    pages += [p for b in site.bodies for p in render_body_pages(r, site, b)]
    below: dict[str, list] = {}  # one pass, not a search of every jurisdiction per page (1,900 at 100k tasks)
    for j in site.jurisdictions:
        below.setdefault(j.parent, []).append(j)
    pages += [render_jurisdiction_page(r, site, j, by_id.get(j.id), below.get(j.id, [])) for j in site.jurisdictions]
    pages += render_region_pages(r, "jurisdiction_region", regions)
    return pages
