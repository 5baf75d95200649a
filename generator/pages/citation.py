"""How a task is cited: what a careful citation says, as text, as meta tags, and as BibTeX, RIS and CSL-JSON.

A task's three citation files are not generated into build/docs: the page carries its citation (head_data),
and the MkDocs hook writes the files beside the page as it builds it (at 100,000 tasks they were 300,000 of
the generator's 426,000 files, and a second copy of each on disk).

The cited work is the policy document, as the site holds it; the task is described in the site's own words,
never put in quotation marks as if it were the source's.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from markupsafe import Markup, escape

from generator.model.site import Document, Site, Task
from generator.content.dates import long_date, long_period

SITE_NAME = "Reform Compare"
SOURCE_FORM = {"news-report": "News report of the document", "reprint": "Reprint of the document",
               "text": "Text of the document"}
DOWNLOADS = (("cite.bib", "BibTeX"), ("cite.ris", "RIS"), ("cite.json", "CSL-JSON"))


@dataclass(frozen=True)
class Citation:
    authors: tuple[str, ...]  # the issuing bodies, else the jurisdiction's government; () when neither is named
    title: str  # the document's title
    title_zh: str
    issued: str | None  # "2020", "2020-07", "2020-07-15"; None: undated
    period: tuple[str, str] | None
    jurisdiction: str
    label: str  # the site's label of the document, "China · key tasks 2020 H2": two documents never share one
    source: str  # what the stored text is: "News report of the document, English machine translation, excerpt"
    source_url: str  # the original, where the source states it
    task: str  # the site's summary of the task (its title), or "" for a document
    section: str
    url: str  # the permanent link of the page cited
    key: str  # a citation key, from the document and task ids

    @property
    def date_text(self) -> str:
        text = f"Issued {long_date(self.issued)}" if self.issued else "Undated"
        return text + (f"; period covered: {long_period(self.period)}" if self.period else "")

    @property
    def note(self) -> str:
        """Everything a reference manager has no field for, in one sentence or three."""
        parts = [self.date_text + ".", self.source + "."]
        if self.task:
            parts.append(f"Task as summarised by {SITE_NAME}: {self.task} (section: {self.section}).")
        return " ".join(parts)


def authors_of(site: Site, doc: Document) -> tuple[str, ...]:
    """The issuing bodies when the record names them; else the jurisdiction's government under the name the
    source gives it; nothing when the source does not name the place either."""
    if doc.issuer:
        return tuple(site.body[b].name for b in doc.issuer)
    jur = site.jurisdiction[doc.jurisdiction]
    return () if jur.unnamed else (jur.name,)


def source_kind(doc: Document) -> str:
    """'News report of the document, English machine translation, excerpt', from the record's fields."""
    parts = [SOURCE_FORM.get(doc.source_form, "Source text")]
    if doc.translation:
        machine = "machine" in doc.translation.lower()
        parts.append(("English machine translation" if machine else "English translation")
                     if doc.source_language == "en" else "translation")
    if doc.excerpt:
        parts.append("excerpt")
    return ", ".join(parts)


def cite(site: Site, site_url: str, doc: Document, task: Task | None = None) -> Citation:
    return Citation(
        authors=authors_of(site, doc), title=doc.title, title_zh=doc.title_zh,
        issued=None if doc.issued == "unknown" else doc.issued, period=doc.period,
        jurisdiction=site.jurisdiction[doc.jurisdiction].name, label=doc.label, source=source_kind(doc), source_url=doc.source_url,
        task=task.title if task else "", section=task.section if task else "",
        url=site_url + (task.url if task else doc.url), key=f"{doc.id}/{task.id}" if task else doc.id)


def text(c: Citation, accessed: str) -> str:
    """The citation as a reader copies it; `accessed` is the access date (the copy button puts today's)."""
    stop = "" if c.title[-1:] in ".?!" else "."
    title = f"“{c.title}{stop}”" + (f" ({c.title_zh}.)" if c.title_zh else "")
    parts = [", ".join(c.authors) + "." if c.authors else "", title, c.note]
    if c.source_url:
        parts.append(f"Original: {c.source_url}.")
    parts.append(f"{SITE_NAME}: {c.label}, {c.url}, accessed {accessed}.")
    return " ".join(p for p in parts if p)


def meta_tags(c: Citation) -> list[tuple[str, str]]:
    """Highwire Press tags, as Zotero, Mendeley and Google Scholar read them."""
    tags = [("citation_title", c.title)] + [("citation_author", a) for a in c.authors]
    if c.issued:
        tags.append(("citation_date", c.issued.replace("-", "/")))
    tags += [("citation_language", "en"), ("citation_public_url", c.url), ("citation_abstract_html_url", c.url)]
    if c.task:
        tags.append(("citation_section", c.section))
    return tags


def json_ld(c: Citation, site_url: str) -> dict:
    """schema.org: the page, about the document as the site holds it."""
    document = {"@type": "CreativeWork", "name": c.title, "inLanguage": "en", "genre": c.source,
                "spatialCoverage": {"@type": "AdministrativeArea", "name": c.jurisdiction}, "description": c.date_text}
    if c.source_url:
        document["isBasedOn"] = c.source_url
    if c.title_zh:
        document["alternateName"] = c.title_zh
    if c.authors:
        document["author"] = [{"@type": "GovernmentOrganization", "name": a} for a in c.authors]
    if c.issued:
        document["datePublished"] = c.issued
    if c.period:
        document["temporalCoverage"] = f"{c.period[0]}/{c.period[1]}"
    page = {"@context": "https://schema.org", "@type": "WebPage", "url": c.url,
            "name": c.task or c.title, "isPartOf": {"@type": "WebSite", "name": SITE_NAME, "url": site_url},
            "about": document}
    if c.task:
        page["description"] = f"{SITE_NAME}'s summary of a task of this document: {c.task}."
    return page


_BIB_SPECIAL = re.compile(r"([&%$#_{}~^\\])")


def _bib(value: str) -> str:
    escaped = _BIB_SPECIAL.sub(lambda m: {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}",
                                          "^": r"\textasciicircum{}"}.get(m.group(1), "\\" + m.group(1)), value)
    return "{" + escaped + "}"


def bibtex(c: Citation) -> str:
    fields = []
    if c.authors:  # corporate authors: braced, so no name is split into first and last
        fields.append(("author", "{" + " and ".join(_bib(a) for a in c.authors) + "}"))
    fields.append(("title", "{" + _bib(c.title) + "}"))
    if c.issued:
        fields.append(("year", _bib(c.issued[:4])))
    fields += [("howpublished", _bib(SITE_NAME)), ("url", "{" + c.url + "}"), ("note", _bib(c.note))]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{re.sub(r'[^A-Za-z0-9-]', ':', c.key)},\n{body}\n}}\n"


def ris(c: Citation) -> str:
    lines = [("TY", "GOVDOC")] + [("AU", a) for a in c.authors] + [("TI", c.title)]
    if c.title_zh:
        lines.append(("TT", c.title_zh))
    if c.issued:
        lines += [("PY", c.issued[:4]), ("DA", c.issued.replace("-", "/"))]
    lines += [("CY", c.jurisdiction), ("DB", SITE_NAME), ("UR", c.url), ("LA", "en"), ("N1", c.note)]
    if c.source_url:
        lines.append(("L2", c.source_url))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def csl_json(c: Citation) -> str:
    item = {"id": c.key, "type": "document", "title": c.title, "URL": c.url, "language": "en",
            "genre": c.source, "container-title": SITE_NAME, "jurisdiction": c.jurisdiction, "note": c.note}
    if c.authors:
        item["author"] = [{"literal": a} for a in c.authors]
    if c.issued:
        item["issued"] = {"date-parts": [[int(p) for p in c.issued.split("-")]]}
    if c.task:
        item["section"] = c.section
    if c.title_zh:
        item["original-title"] = c.title_zh
    return json.dumps([item], ensure_ascii=False, indent=1) + "\n"


def head_data(c: Citation, site_url: str) -> Markup:
    """The page's citation meta tags and JSON-LD, in a hidden element the MkDocs hook moves into <head>
    (front matter would cost a YAML parse of them on every page); for a task, the citation itself too, from
    which the hook writes the task's citation files (files_of)."""
    data = {"meta": meta_tags(c), "json_ld": json_ld(c, site_url)}
    if c.task:
        data["cite"] = asdict(c)
    return Markup(f'<div hidden class="rc-head" data-head="{escape(json.dumps(data, ensure_ascii=False))}"></div>')


def files_of(cited: dict) -> dict[str, bytes]:
    """A task's BibTeX, RIS and CSL-JSON files, by name, from the citation its page carries (head_data)."""
    fields = dict(cited)
    fields["authors"] = tuple(fields["authors"])
    fields["period"] = tuple(fields["period"]) if fields["period"] is not None else None
    c = Citation(**fields)
    return {name: make(c).encode("utf-8") for (name, _), make in zip(DOWNLOADS, (bibtex, ris, csl_json))}


def page_text(c: Citation) -> Markup:
    """The citation as the page shows it: the access date is a placeholder the copy button's script fills."""
    before, after = (escape(part) for part in text(c, "\0").split("\0"))
    return Markup(f'{before}<span class="rc-accessed">[date you read it]</span>{after}')
