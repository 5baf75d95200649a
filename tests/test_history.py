"""Each task page lists the commits that changed its record, read from git."""

import subprocess

import pytest

from generator.pipeline import load_site
from generator.model.history import Change, task_histories


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
    assert [c.what for c in changed] == ["Title changed", "Task added"]   # in readers' words
    assert all(len(c.date) == 10 for c in changed)  # commit dates: the same on every rebuild


def test_history_of_a_renamed_task_continues_through_the_rename(scratch):
    _git(scratch.root, "init", "-q")
    _git(scratch.root, "add", "content")
    _git(scratch.root, "commit", "-q", "-m", "Add the documents")
    path = scratch.content / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Support epidemic treatment bases", "title: Support the epidemic bases"),
                    encoding="utf-8")
    _git(scratch.root, "commit", "-q", "-am", "Retitle")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: epidemic-treatment-capacity\n",
                                 "  - id: epidemic-bases\n    former_ids: [epidemic-treatment-capacity]\n"),
                    encoding="utf-8")
    _git(scratch.root, "commit", "-q", "-am", "Rename the task")
    history = task_histories(scratch, load_site(scratch))
    changes = history["jiangxi-2020-h2-key-tasks/epidemic-bases"]
    assert [c.subject for c in changes] == ["Rename the task", "Retitle", "Add the documents"]
    assert changes[0].what.startswith("Address changed (was epidemic-treatment-capacity")
    assert changes[-1].what == "Task added"


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


def _edit_title(path, suffix):
    text = path.read_text(encoding="utf-8")
    start = text.index("    title: ") + len("    title: ")
    end = text.index("\n", start)
    path.write_text(text[:end] + suffix + text[end:], encoding="utf-8")


def _log_follow(project, rel):
    """What `git log --follow` gives for one file: the commits, newest first, each with the file's path then."""
    out = subprocess.run(["git", "log", "--follow", "--name-only", "--format=%x00%h%x09%cs%x09%s", "--", rel],
                         cwd=project.root, capture_output=True, check=True).stdout.decode("utf-8")
    entries = []
    for block in out.split("\0")[1:]:
        header, _, names = block.partition("\n")
        commit, date, subject = header.split("\t", 2)
        entries.append((Change(commit, date, subject), next(n for n in names.splitlines() if n.strip())))
    return entries


def test_one_log_of_the_folder_reads_as_a_log_per_file(scratch, monkeypatch):
    """history reads one `git log` of content/documents, following renames; where no file is a copy of
    another, that is what a `git log --follow` per file gives, through edits, a comment-only change, renames,
    a deletion and re-adding, files added one commit each, a committed working copy and an edited one, and
    a merge."""
    import generator.model.history as history_module
    docs = scratch.content / "documents"
    _git(scratch.root, "init", "-q", "-b", "main")
    _git(scratch.root, "add", "content/jurisdictions.yaml", "content/bodies.yaml", "content/themes.yaml",
         "content/sources", "content/documents/china-2020-h2-key-tasks.yaml")
    _git(scratch.root, "commit", "-q", "-m", "The national document")
    for path in sorted(docs.glob("*.yaml")):  # as editors add them: one pull request each
        _git(scratch.root, "add", "-A", str(path))
        _git(scratch.root, "commit", "-q", "--allow-empty", "-m", f"Add {path.stem}")

    def same_either_way(step):
        site = load_site(scratch)
        folder = task_histories(scratch, site)
        monkeypatch.setattr(history_module, "_follow", lambda touched, rel: _log_follow(scratch, rel))
        follow = task_histories(scratch, site)
        monkeypatch.undo()
        assert folder == follow, step
        return folder

    _edit_title(docs / "jiangxi-2020-h2-key-tasks.yaml", " (edited)")
    _git(scratch.root, "commit", "-q", "-am", "Edit a title")
    with (docs / "guangdong-2020-near-term-key-tasks.yaml").open("a", encoding="utf-8") as f:
        f.write("# a comment changes no record\n")
    _git(scratch.root, "commit", "-q", "-am", "Comment")
    assert set(history_module._folder_log(scratch)) == {f"content/documents/{p.name}" for p in docs.glob("*.yaml")}
    history = same_either_way("edits")
    assert [c.subject for c in history["jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity"]] != []
    _git(scratch.root, "mv", "content/documents/feixi-health-capacity-five-aspects.yaml", "content/documents/x.yaml")
    _git(scratch.root, "commit", "-q", "-m", "Move away")
    _git(scratch.root, "mv", "content/documents/x.yaml", "content/documents/feixi-health-capacity-five-aspects.yaml")
    _git(scratch.root, "commit", "-q", "-m", "Move back")
    city = docs / "city-2014-grassroots-public-health.yaml"
    kept = city.read_text(encoding="utf-8")
    _git(scratch.root, "rm", "-q", "content/documents/city-2014-grassroots-public-health.yaml")
    _git(scratch.root, "commit", "-q", "-m", "Delete")
    city.write_text(kept, encoding="utf-8")
    _git(scratch.root, "add", "-A")
    _git(scratch.root, "commit", "-q", "-m", "Add again")
    same_either_way("renames and re-adding")
    _edit_title(docs / "china-2020-h2-key-tasks.yaml", " (not committed)")
    same_either_way("a working copy that differs from the last commit")
    _git(scratch.root, "commit", "-q", "-am", "Commit it")
    _git(scratch.root, "checkout", "-q", "-b", "side")
    _edit_title(docs / "china-2020-h2-key-tasks.yaml", " (side)")
    _git(scratch.root, "commit", "-q", "-am", "Side edit")
    _git(scratch.root, "checkout", "-q", "main")
    _edit_title(docs / "jiangxi-2020-h2-key-tasks.yaml", " (main)")
    _git(scratch.root, "commit", "-q", "-am", "Main edit")
    _git(scratch.root, "merge", "-q", "--no-edit", "side")
    same_either_way("a merge")


def test_a_document_started_from_a_copy_of_another_does_not_take_its_history(scratch):
    docs = scratch.content / "documents"
    _git(scratch.root, "init", "-q")
    _git(scratch.root, "add", "-A")
    _git(scratch.root, "commit", "-q", "-m", "All documents")
    _edit_title(docs / "jiangxi-2020-h2-key-tasks.yaml", " (edited)")
    _git(scratch.root, "commit", "-q", "-am", "Edit Jiangxi")
    copy = docs / "jiangxi-2021-h2-key-tasks.yaml"  # the next year's plan, begun from this year's record
    copy.write_text((docs / "jiangxi-2020-h2-key-tasks.yaml").read_text(encoding="utf-8").replace(
        "id: jiangxi-2020-h2-key-tasks", "id: jiangxi-2021-h2-key-tasks").replace(
        'start: "2020-07"', 'start: "2021-07"').replace('end: "2020-12"', 'end: "2021-12"'), encoding="utf-8")
    _git(scratch.root, "add", "-A")
    _git(scratch.root, "commit", "-q", "-m", "Add Jiangxi 2021")
    history = task_histories(scratch, load_site(scratch))
    assert [c.subject for c in history["jiangxi-2021-h2-key-tasks/prevention-first"]] == ["Add Jiangxi 2021"]
    assert [c.subject for c in history["jiangxi-2020-h2-key-tasks/prevention-first"]] == [
        "Edit Jiangxi", "All documents"]
    follow = [c.subject for c, _ in _log_follow(scratch, "content/documents/jiangxi-2021-h2-key-tasks.yaml")]
    assert "Edit Jiangxi" in follow  # git log --follow takes the copy for the same file


def test_the_changes_page_stops_at_its_line_budget_and_counts_the_rest(fixture_project, monkeypatch):
    from generator.pages import jobs
    site = load_site(fixture_project)
    added = {t.key: (Change("c1", "2024-02-01", "Add", "Task added"),) for t in site.all_tasks}
    edits = {t.key: added[t.key] + (Change("c2", "2024-03-01", "Edit", "Title changed"),) for t in site.all_tasks}
    monkeypatch.setattr(jobs, "CHANGES_LINES", 10)
    groups = jobs.change_groups(site, edits)
    lines = [sum(1 if d["added"] else len(d["tasks"]) for d in g["documents"]) for g in groups]
    assert groups[0]["commit"] == "c2" and 0 < sum(lines) <= 10
    assert groups[0]["more"] == len(site.all_tasks) - lines[0]  # every other task edited is counted
    monkeypatch.setattr(jobs, "CHANGES_LINES", 1000)
    everything = jobs.change_groups(site, edits)
    assert [g["commit"] for g in everything] == ["c2", "c1"] and all(g["more"] == 0 for g in everything)
    assert all(d["added"] for d in everything[1]["documents"])


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_blob_ids_read_from_each_commits_folder_are_those_git_gives_path_by_path(scratch, object_format):
    import generator.model.history as history_module
    _git(scratch.root, "init", "-q", f"--object-format={object_format}")
    docs = sorted((scratch.content / "documents").glob("*.yaml"))
    _git(scratch.root, "add", "content/jurisdictions.yaml", str(docs[0]), str(docs[1]))
    _git(scratch.root, "commit", "-q", "-m", "Two documents")
    _edit_title(docs[0], " (edited)")
    _git(scratch.root, "add", "-A", "content")
    _git(scratch.root, "commit", "-q", "-m", "The rest, one edited")
    commits = subprocess.run(["git", "rev-list", "HEAD"], cwd=scratch.root, capture_output=True, text=True,
                             check=True).stdout.split()
    specs = [f"{c}:content/documents/{p.name}" for c in commits for p in docs] + \
        [f"{commits[0]}:content/documents/missing.yaml", f"{commits[0]}:content/sources", f"{commits[0]}:content/nowhere/x"]
    one_by_one = {}
    for spec in specs:
        found = subprocess.run(["git", "rev-parse", "--verify", "-q", spec], cwd=scratch.root, capture_output=True,
                               text=True)
        kind = subprocess.run(["git", "cat-file", "-t", spec], cwd=scratch.root, capture_output=True, text=True)
        if found.returncode == 0 and kind.stdout.strip() == "blob":
            one_by_one[spec] = found.stdout.strip()
    assert history_module._blob_ids(scratch, specs) == one_by_one
    assert len(one_by_one) == len(docs) + 2 and len(next(iter(one_by_one.values()))) == (40 if object_format == "sha1" else 64)
