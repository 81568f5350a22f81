"""Every text the web app asks for by a literal key exists in English and Russian (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "chalicelib" / "ui" / "static"
# messages.js and the files merged into it (#20's, #17's and #19's texts; the automation builder's and the reports'
# are merged when their screens load, to keep the first load small)
MESSAGE_FILES = ("messages.js", "messages-everyday.js", "messages-conversations.js", "messages-notifications.js",
                 "messages-automations.js", "messages-reports.js", "messages-documents.js", "messages-tickets.js",
                 "messages-campaigns.js", "messages-orders.js", "messages-lists.js", "messages-errors.js")
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
