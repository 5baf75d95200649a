"""Each task page lists the commits that changed its record, read from git."""

import subprocess

from generator.build import load_site
from generator.history import task_histories


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_history_lists_only_commits_that_changed_the_task(scratch):
    _git(scratch.root, "init", "-q")
    _git(scratch.root, "add", "content")
    _git(scratch.root, "commit", "-q", "-m", "Add the documents")
    path = scratch.content / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Support epidemic treatment bases", "title: Support the epidemic treatment bases"), encoding="utf-8")
    _git(scratch.root, "commit", "-q", "-am", "Retitle the epidemic task")
    site = load_site(scratch)
    history = task_histories(scratch, site)
    changed = history["jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity"]
    assert [c.subject for c in changed] == ["Retitle the epidemic task", "Add the documents"]
    untouched = history["jiangxi-2020-h2-key-tasks/hospital-investment"]
    assert [c.subject for c in untouched] == ["Add the documents"]
    assert all(len(c.date) == 10 for c in changed)  # commit dates: the same on every rebuild


def test_no_git_no_history(scratch):
    site = load_site(scratch)
    assert all(not changes for changes in task_histories(scratch, site).values())
