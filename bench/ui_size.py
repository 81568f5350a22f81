"""The web app's first load: gzip sizes of index.html, the CSS and JavaScript it links, and what they import.

Lazily imported screens (``import('...')`` inside a function) are not part of the first load; every static
``import`` of ``main.js`` and of the modules it imports is, followed transitively, and so is an ``import()`` at a
module's top level, which runs when the module loads (format.js's phone-number library, awaited by the first screen).
tests/browser/test_first_load.py holds the same files to the budget.
"""

from __future__ import annotations

import gzip
import re
import statistics
import time
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent.parent / "chalicelib" / "ui" / "static"
TARGET_BYTES = 150 * 1024
# index.html's stylesheets, module preloads and entry scripts.
LINKED = re.compile(r'<(?:link[^>]+href|script[^>]+src)="/static/([^"]+\.(?:js|css))"')
# `import x from './a.js'`, `export {x} from './a.js'`, `import './a.js'`; never `import('./a.js')`.
STATIC_IMPORT = re.compile(r"""^\s*(?:import|export)\s[^;'"()]*?from\s*['"](\.{1,2}/[^'"]+)['"]"""
                           r"""|^\s*import\s*['"](\.{1,2}/[^'"]+)['"]""", re.MULTILINE)
# `export const x = import('./a.js')` at a module's top level: fetched when the module loads.
TOP_LEVEL_IMPORT = re.compile(r"""^(?:export\s+)?(?:const|let|var)\s+\w+\s*=\s*import\(['"](\.{1,2}/[^'"]+)['"]\)""",
                              re.MULTILINE)


def eager_modules(entry: Path) -> list[Path]:
    """entry and every module it imports statically or at its top level, transitively (import() in a function
    excluded)."""
    seen: list[Path] = []
    pending = [entry.resolve()]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.append(module)
        text = module.read_text(encoding="utf-8")
        for found in STATIC_IMPORT.finditer(text):
            pending.append((module.parent / (found.group(1) or found.group(2))).resolve())
        pending += [(module.parent / found).resolve() for found in TOP_LEVEL_IMPORT.findall(text)]
    return seen


def first_load_files() -> list[Path]:
    """What index.html links (CSS, preloads, the entry) and every module those import eagerly, each once."""
    files: list[Path] = []
    for name in LINKED.findall((STATIC / "index.html").read_text(encoding="utf-8")):
        path = (STATIC / name).resolve()
        found = eager_modules(path) if path.suffix == ".js" else [path]
        files += [module for module in found if module not in files]
    return files


def build_cpu_ms(runs: int = 7) -> float:
    """Our CPU to digest the app's files into its build (ui.routes: once per deployed function, at its first page or
    file), the median of runs."""
    from chalicelib.ui import routes

    spent = []
    for _ in range(runs):
        routes._digest.cache_clear()
        started = time.process_time()
        routes._digest(STATIC, routes._listing(STATIC))
        spent.append((time.process_time() - started) * 1000)
    return statistics.median(spent)


def measure() -> dict[str, Any]:
    """Raw and gzip (level 9) bytes of every file of the first load, and the CPU of the build's digest."""
    files = [STATIC / "index.html", *first_load_files()]
    sizes = {str(path.relative_to(STATIC)): (path.stat().st_size, len(gzip.compress(path.read_bytes(), 9)))
             for path in files}
    return {"files": sizes, "raw_bytes": sum(raw for raw, _ in sizes.values()),
            "gzip_bytes": sum(packed for _, packed in sizes.values()), "build_cpu_ms": build_cpu_ms(),
            "app_files": sum(1 for path in STATIC.rglob("*") if path.is_file())}


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    status = "ok" if result["gzip_bytes"] <= TARGET_BYTES else "MISSED"
    return [(f"UI first load ({len(result['files'])} files, gzip)", f"{result['gzip_bytes'] / 1024:.1f} KB",
             f"target <= {TARGET_BYTES // 1024} KB: {status} (raw {result['raw_bytes'] / 1024:.1f} KB)"),
            (f"UI build digest ({result['app_files']} files, once per function)",
             f"{result['build_cpu_ms']:.1f} ms CPU",
             "no target: paid at a function's first page or file, not at its import")]


if __name__ == "__main__":
    for row in table(measure()):
        print(" | ".join(row))
