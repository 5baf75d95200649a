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


def test_history_survives_a_renamed_file_and_an_odd_old_version(scratch):
    _git(scratch.root, "init", "-q")
    docs = scratch.content / "documents"
    old = docs / "feixi-health-capacity-five-aspects.yaml"
    text = old.read_text(encoding="utf-8")
    old.write_text(text.replace("id: feixi-health-capacity-five-aspects", "id: feixi-old")
                   + "# an old version may hold anything: 2020-02-30\nx: 2020-02-30\n", encoding="utf-8")
    old.rename(docs / "feixi-old.yaml")
    _git(scratch.root, "add", "-A")
    _git(scratch.root, "commit", "-q", "-m", "First version under another name")
    (docs / "feixi-old.yaml").unlink()
    old.write_text(text, encoding="utf-8")
    _git(scratch.root, "add", "-A")
    _git(scratch.root, "commit", "-q", "-m", "Rename the Feixi document")
    site = load_site(scratch)
    history = task_histories(scratch, site)
    subjects = [c.subject for c in history["feixi-health-capacity-five-aspects/recruit-medical-graduates"]]
    assert subjects == ["First version under another name"]  # the rename left the task as it was
