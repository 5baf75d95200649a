"""Hostile files under content/: links, devices, pipes, folders and stray files are refused before anything
is read, each with `path:1:1: error:` naming what it is (and where a link points), through the real CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.content.reader import MAX_FILE_BYTES

from .test_bad_input import assert_clean_failure, assert_reported, validate

SOURCE = "content/sources/feixi-health-capacity-five-aspects.txt"
DOCUMENT = "content/documents/feixi-health-capacity-five-aspects.yaml"


def replace_with_link(root: Path, rel: str, target: str) -> None:
    (root / rel).unlink()
    (root / rel).symlink_to(target)


def refused(root: Path, rel: str, expect: str, hint: str = "") -> None:
    result, _ = validate(root)
    problems = assert_clean_failure(result)
    assert_reported(problems, rel, 1, 1, expect, hint, result.stderr)


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "../../README.md", "/dev/zero",
                                    "/dev/stdin", "missing-file.txt"])
def test_a_source_that_is_a_link_is_refused_naming_its_target(scratch, target):
    replace_with_link(scratch.root, SOURCE, target)
    result, _ = validate(scratch.root)
    problems = assert_clean_failure(result)
    assert_reported(problems, SOURCE, 1, 1, f"is a symbolic link to {target}", "replace the link", result.stderr)
    assert "root:" not in result.stderr and "PATH=" not in result.stderr  # nothing of the target is shown


def test_a_link_loop_is_refused(scratch):
    replace_with_link(scratch.root, SOURCE, "feixi-health-capacity-five-aspects.txt")
    refused(scratch.root, SOURCE, "is a symbolic link to feixi-health-capacity-five-aspects.txt")


def test_a_document_that_is_a_link_is_refused(scratch):
    replace_with_link(scratch.root, DOCUMENT, "/etc/hostname")
    refused(scratch.root, DOCUMENT, "is a symbolic link to /etc/hostname")


def test_a_top_level_file_that_is_a_link_is_refused(scratch):
    replace_with_link(scratch.root, "content/bodies.yaml", "/etc/passwd")
    refused(scratch.root, "content/bodies.yaml", "is a symbolic link to /etc/passwd")


def test_a_linked_folder_is_refused(scratch, tmp_path):
    outside = tmp_path / "outside"
    (scratch.content / "sources").rename(outside)
    (scratch.content / "sources").symlink_to(outside)
    refused(scratch.root, "content/sources", f"is a symbolic link to {outside}")


def test_a_folder_where_a_source_is_expected_is_refused(scratch):
    (scratch.root / SOURCE).unlink()
    (scratch.root / SOURCE).mkdir()
    refused(scratch.root, SOURCE, "is a folder where a file is expected")


def test_a_pipe_is_refused_without_waiting(scratch):
    (scratch.root / SOURCE).unlink()
    os.mkfifo(scratch.root / SOURCE)
    refused(scratch.root, SOURCE, "is a named pipe (FIFO), not a regular file")


def test_size_is_capped_before_reading(scratch):
    with open(scratch.root / SOURCE, "r+b") as f:  # sparse: huge on paper, nothing on disk
        f.truncate(50 * MAX_FILE_BYTES)
    refused(scratch.root, SOURCE, f"more than the {MAX_FILE_BYTES:,} allowed")


@pytest.mark.parametrize(("rel", "expect", "hint"), [
    ("content/documents/2021/x.yaml", "folders inside content/documents/ are not read", "move the files up"),
    ("content/documents/x.YAML", "end in .yaml (lower case); this one is not read", "rename it to x.yaml"),
    ("content/documents/x.yml", "end in .yaml (lower case)", "rename it to x.yaml"),
    ("content/documents/x.yaml.bak", "this one is not read", "rename it to x.yaml if it is content"),
    ("content/documents/.x.yaml", "hidden file is not read", "content/documents/x.yaml"),
    ("content/documents/x.json", "this one is not read", "rename it to x.yaml"),
    ("content/sources/x.md", "files in content/sources/ end in .txt", "rename it to x.txt"),
    ("content/sources/.hidden.txt", "hidden file is not read", "remove it"),
    ("content/notes.yaml", "this file is not read", "content/ holds jurisdictions.yaml"),
    ("content/.secret", "hidden file or folder is not read", "content/ holds"),
    ("content/extra/x.yaml", "this folder is not read", "move its files into documents/ or sources/"),
])
def test_every_file_under_content_is_read_or_reported(scratch, rel, expect, hint):
    path = scratch.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id: x\n", encoding="utf-8")
    reported_at = rel if "/2021/" not in rel and "/extra/" not in rel else rel.rsplit("/", 1)[0]
    refused(scratch.root, reported_at, expect, hint)
