"""The first load stays small: the CSS and the JavaScript index.html pulls in eagerly (its links, its entry
module, everything that imports statically and what a module imports dynamically at its top level, as format.js
fetches the phone-number library that the first screen waits for) weigh at most 150 KB gzipped; screens load
lazily."""

from __future__ import annotations

import re
from pathlib import Path

from bench.ui_size import STATIC, TARGET_BYTES, first_load_files, measure


def eager_files() -> set[Path]:
    """index.html's linked files plus the closure of their static and top-level dynamic imports."""
    return set(first_load_files())


def test_first_load_is_at_most_150_kb_gzipped() -> None:
    # issue 7: at most 150 KB of compressed JS and CSS (measured with the page itself, as bench.ui_size does)
    files = eager_files()
    assert STATIC / "app.css" in files and STATIC / "js" / "main.js" in files
    result = measure()
    assert result["gzip_bytes"] <= TARGET_BYTES, result["files"]


def test_a_top_level_dynamic_import_counts_in_the_first_load() -> None:
    # format.js fetches the phone-number library when it loads and the first screen waits for it (main.js)
    assert STATIC / "vendor" / "libphonenumber.js" in {path.resolve() for path in eager_files()}


def test_screens_are_not_part_of_the_first_load() -> None:
    eager = {path.relative_to(STATIC).parts[0] for path in eager_files()}
    assert "screens" not in eager, "a screen imported statically from the entry grows every first load"
    lazy = re.findall(r"import\('\.\./screens/([\w-]+)\.js'\)", (STATIC / "js" / "main.js").read_text(encoding="utf-8"))
    assert {"contacts", "deals", "tasks", "companies", "integrations"} <= set(lazy)
