"""The first load stays small: the CSS and the JavaScript index.html pulls in eagerly (its links, its entry
module, everything that imports statically and what a module imports dynamically at its top level, as format.js
fetches the phone-number library that the first screen waits for) weigh at most 150 KB gzipped; screens load
lazily."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "chalicelib" / "ui" / "static"
BUDGET = 150 * 1024  # issue 7: first load at most 150 KB of compressed JS and CSS
LINKED = re.compile(r'<(?:link[^>]+href|script[^>]+src)="/static/([^"]+\.(?:js|css))"')
STATIC_IMPORT = re.compile(r"^\s*(?:import|export)\s[^'\"()]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'", re.M)
# import() at a module's top level (not inside a function) runs when the module loads: part of the first load.
TOP_LEVEL_IMPORT = re.compile(r"^(?:export\s+)?(?:const|let|var)\s+\w+\s*=\s*import\('([^']+)'\)", re.M)


def eager_files() -> set[Path]:
    """index.html's linked files plus the closure of their static and top-level dynamic imports (an import() inside
    a function, a screen's, excluded)."""
    pending = [STATIC / name for name in LINKED.findall((STATIC / "index.html").read_text(encoding="utf-8"))]
    seen: set[Path] = set()
    while pending:
        path = pending.pop().resolve()
        if path in seen:
            continue
        seen.add(path)
        if path.suffix == ".js":
            text = path.read_text(encoding="utf-8")
            for found in STATIC_IMPORT.findall(text):
                pending.append(path.parent / (found[0] or found[1]))
            pending += [path.parent / found for found in TOP_LEVEL_IMPORT.findall(text)]
    return seen


def test_first_load_is_at_most_150_kb_gzipped() -> None:
    files = eager_files()
    assert STATIC / "app.css" in files and STATIC / "js" / "main.js" in files
    sizes = {path.name: len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files}
    assert sum(sizes.values()) <= BUDGET, sizes


def test_a_top_level_dynamic_import_counts_in_the_first_load() -> None:
    # format.js fetches the phone-number library when it loads and the first screen waits for it (main.js)
    assert STATIC / "vendor" / "libphonenumber.js" in {path.resolve() for path in eager_files()}


def test_screens_are_not_part_of_the_first_load() -> None:
    eager = {path.relative_to(STATIC).parts[0] for path in eager_files()}
    assert "screens" not in eager, "a screen imported statically from the entry grows every first load"
    lazy = re.findall(r"import\('\.\./screens/([\w-]+)\.js'\)", (STATIC / "js" / "main.js").read_text(encoding="utf-8"))
    assert {"contacts", "deals", "tasks", "companies", "integrations"} <= set(lazy)
