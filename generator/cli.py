"""The verbs behind the Makefile: validate, generate, build, coverage, new."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.content.project import Project
from generator.content.errors import ContentError

ROOT = Path(__file__).resolve().parents[1]


def cmd_validate(project: Project, args) -> int:
    from generator.pipeline import load_site
    site = load_site(project)
    tasks = site.all_tasks
    print(f"ok: {len(site.documents)} documents, {len(tasks)} tasks, "
          f"{sum(len(t.indicators) for t in tasks)} indicators, {len(site.bodies)} bodies, "
          f"{len(site.themes)} themes; every quote is verbatim")
    return 0


def cmd_generate(project: Project, args) -> int:
    from generator.pipeline import generate
    site = generate(project, with_history=not args.no_history)
    print(f"generated build/docs for {len(site.all_tasks)} tasks")
    return 0


def cmd_serve(project: Project, args) -> int:
    from generator.serve import serve
    serve(project, args.addr)
    return 0


def cmd_build(project: Project, args) -> int:
    from generator.pipeline import BuildFailed, build_site
    try:
        build_site(project, Path(args.site_dir), strict=not args.no_strict)
    except BuildFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"built {args.site_dir}/")
    return 0


def cmd_coverage(project: Project, args) -> int:
    from generator.pipeline import load_site
    from generator.model.coverage import site_coverage
    site = load_site(project)
    worst = 1.0
    for cov in site_coverage(site):
        worst = min(worst, cov.accounted)
        print(f"{cov.document}: {cov.quoted:.1%} quoted, {cov.noted:.1%} in notes, "
              f"{1 - cov.accounted:.1%} uncovered")
        for sentence in cov.uncovered:
            print(f"  uncovered: {sentence}")
    if args.min is not None and worst * 100 < args.min:
        print(f"error: coverage {worst:.1%} is below --min {args.min}%", file=sys.stderr)
        return 1
    return 0


def cmd_new(project: Project, args) -> int:
    from generator.content.scaffold import ScaffoldError, scaffold
    try:
        paths = scaffold(project, args.jurisdiction, args.title, args.date, args.id,
                         Path(args.source) if args.source else None, args.jurisdiction_name, args.level, args.parent)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"wrote {project.display(path)}")
    print("next: paste the source text into the .txt file (if empty), fill in the tasks, then run `make validate`")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m generator",
                                description="Reform Compare: validate curated policy records and build the site.")
    root = argparse.ArgumentParser(add_help=False)
    root.add_argument("--root", default=argparse.SUPPRESS, help="project folder (default: this checkout)")
    p.add_argument("--root", default=str(ROOT), help="project folder (default: this checkout)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = lambda name, **kw: sub.add_parser(name, parents=[root], **kw)  # noqa: E731  (--root after the verb too)
    add("validate", help="check content against the schema, references and sources; write nothing")
    g = add("generate", help="validate and write the Markdown pages and data files to build/docs")
    g.add_argument("--no-history", action="store_true", help="skip the per-task change history from git")
    b = add("build", help="generate, then build the site with MkDocs into site/ (atomically)")
    b.add_argument("--site-dir", default="site", help="output folder (default: site)")
    b.add_argument("--no-strict", action="store_true", help="do not fail on MkDocs warnings")
    s = add("serve", help="preview with live reload; content problems show in the browser")
    s.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)")
    c = add("coverage", help="share of each source text quoted by tasks; list uncovered sentences")
    c.add_argument("--min", type=float, help="fail when a document accounts for less than this percentage")
    n = add("new", help="scaffold a new document record and its source file",
                       description="Scaffold content/documents/<id>.yaml and content/sources/<id>.txt.")
    n.add_argument("--jurisdiction", required=True, help="jurisdiction id, e.g. jiangxi (or a new one: see below)")
    n.add_argument("--title", required=True, help="the document's English title")
    n.add_argument("--date", default="unknown", help="issue date: 2020, 2020-07, 2020-07-21 or unknown")
    n.add_argument("--id", help="document id (default: made from jurisdiction, date and title)")
    n.add_argument("--source", help="a text file to copy as the source, byte for byte")
    n.add_argument("--jurisdiction-name", help="for a new jurisdiction: its English name")
    n.add_argument("--level", help="for a new jurisdiction: province, prefecture, city or county")
    n.add_argument("--parent", help="for a new jurisdiction: the id of the one above it")
    return p


COMMANDS = {"validate": cmd_validate, "generate": cmd_generate, "build": cmd_build, "serve": cmd_serve,
            "coverage": cmd_coverage, "new": cmd_new}


def exit_now(code: int) -> None:
    """Exit with `code` without freeing the model object by object (0.1 s after 10,000 tasks): the system
    takes the memory back at once. Every file is written and closed by now; printed output is flushed here."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    project = Project(Path(args.root).resolve())
    try:
        return COMMANDS[args.command](project, args)
    except ContentError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
