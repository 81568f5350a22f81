"""Every text the web app asks for by a literal key exists in English and Russian (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "chalicelib" / "ui" / "static"
# messages.js and the files merged into it (#20's, #17's and #19's texts; the automation builder's and the reports'
# are merged when their screens load, to keep the first load small)
MESSAGE_FILES = ("messages.js", "messages-everyday.js", "messages-conversations.js", "messages-notifications.js",
                 "messages-automations.js", "messages-reports.js", "messages-documents.js", "messages-tickets.js",
                 "messages-campaigns.js", "messages-orders.js", "messages-lists.js", "messages-errors.js",
                 "messages-audit.js", "messages-telephony.js")
ENTRY = re.compile(r"^\s*'([^']+)':\s*\[(.*)$", re.M)
USED = re.compile(r"\bt\('([^'$]+)'")


def message_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for name in MESSAGE_FILES:
        for key, rest in ENTRY.findall((STATIC / "js" / name).read_text(encoding="utf-8")):
            assert key not in keys, f"{key} is defined twice: the second silently wins"
            keys[key] = rest
    return keys


def test_every_literal_key_has_a_text() -> None:
    keys = message_keys()
    missing = sorted({f"{path.name}: {key}" for path in STATIC.rglob("*.js") if path.name not in MESSAGE_FILES
                      for key in USED.findall(path.read_text(encoding="utf-8")) if key not in keys})
    assert not missing, missing


def entry_blocks() -> dict[str, str]:
    """Each key's definition text (lines after it up to the next key, comments dropped)."""
    blocks = {}
    for name in MESSAGE_FILES:
        text = (STATIC / "js" / name).read_text(encoding="utf-8")
        starts = list(ENTRY.finditer(text))
        for match, following in zip(starts, [*starts[1:], None], strict=True):
            block = text[match.end(1) + 2:following.start() if following else text.rindex("};")]
            blocks[match.group(1)] = "\n".join(line for line in block.splitlines()
                                               if not line.strip().startswith("//"))
    return blocks


def test_every_text_is_in_both_languages() -> None:
    pair = re.compile(r"^\[\s*'(?:[^'\\]|\\.)+'\s*,\s*'(?:[^'\\]|\\.)+'\s*\],?$", re.S)
    incomplete = []
    for key, block in entry_blocks().items():
        block = block.strip()
        if block.startswith("[{"):  # plural forms: an English and a Russian set, each with "other"
            if block.count("other:") != 2:
                incomplete.append(key)
        elif not pair.match(block):
            incomplete.append(key)
    assert not incomplete, incomplete


# catalogues a screen merges into MESSAGES when it loads (`Object.assign(MESSAGES, X)`), not part of the first load
LAZY_FILES = ("messages-automations.js", "messages-reports.js", "messages-documents.js", "messages-tickets.js",
              "messages-campaigns.js", "messages-orders.js", "messages-audit.js", "messages-telephony.js")
IMPORTED = re.compile(r"""(?:from\s*|import\s*\(?\s*)['"](\.{1,2}/[^'"]+\.js)['"]""")  # static or import()
STATICALLY = re.compile(r"""^\s*import\s[^;'"()]*?from\s*['"](\.{1,2}/[^'"]+\.js)['"]""", re.M)


def test_a_module_asking_for_a_text_of_a_lazy_catalogue_has_it_loaded() -> None:
    """A text of a catalogue merged by the screens that use it reads as its key (or a fallback, a second later its
    text) wherever a module asks for it without that catalogue loaded: the module merges the catalogue itself, or
    a module it imports statically does (its top level runs first), or every module importing it has it loaded
    first."""
    modules = {path.resolve(): path.read_text(encoding="utf-8") for path in STATIC.rglob("*.js")
               if "vendor" not in path.parts and not path.name.startswith("messages")}
    importers: dict[Path, set[Path]] = {path: set() for path in modules}
    for path, text in modules.items():
        for found in IMPORTED.findall(text):
            target = (path.parent / found).resolve()
            if target in importers:
                importers[target].add(path)

    def merges(path: Path, catalogue: str) -> bool:
        text = modules.get(path, "")  # (a catalogue itself merges nothing)
        return "Object.assign(MESSAGES, " in text and f"/{catalogue}'" in text

    def loads(path: Path, catalogue: str, seen: frozenset[Path] = frozenset()) -> bool:
        if merges(path, catalogue) or any(merges((path.parent / child).resolve(), catalogue)
                                          for child in STATICALLY.findall(modules[path])):
            return True
        parents = importers[path] - seen
        return bool(parents) and all(loads(parent, catalogue, seen | {path}) for parent in parents)

    missing = []
    for catalogue in LAZY_FILES:
        keys = {key for key, _ in ENTRY.findall((STATIC / "js" / catalogue).read_text(encoding="utf-8"))}
        for path, text in modules.items():
            used = sorted(set(USED.findall(text)) & keys)
            if used and not loads(path, catalogue):
                missing.append(f"{path.relative_to(STATIC)} asks for {used[0]} of {catalogue}")
    assert not missing, missing
