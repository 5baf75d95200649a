"""Rendered pages match the golden files a person has read (refresh: make update-golden)."""

import pytest

from tests.golden import GOLDEN, PAGES, rendered


@pytest.fixture(scope="module")
def output():
    return rendered()


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(output, page):
    expected = (GOLDEN / page).read_bytes()
    assert output[page].decode("utf-8") == expected.decode("utf-8"), (
        f"{page} differs from tests/golden/{page}; if the change is deliberate, run `make update-golden` "
        "and read the diff")
