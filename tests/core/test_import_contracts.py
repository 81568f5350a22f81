"""The import contracts of .importlinter: they hold on chalicelib, and they do catch an import inside a function.

The same check runs in `make lint`; here it also proves, on a small copy of the package tree, that the contracts
count an import hidden in a function or method body, and that an ignore with nothing left to ignore fails (so the
debt lists of issue 15 can only shrink).
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["COLUMNS"] = "400"  # one import chain a line, whatever the terminal
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return parser


def _modules(parser: configparser.ConfigParser, contract: str, option: str) -> set[str]:
    return set(parser[f"importlinter:contract:{contract}"][option].split())


def _packages() -> set[str]:
    return {f"chalicelib.{path.parent.name}" for path in (REPO / "chalicelib").glob("*/__init__.py")}


def test_the_contracts_hold() -> None:
    result = _lint(REPO, CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_package_has_its_place() -> None:
    parser = _contracts()
    placed = ({"chalicelib.core", "chalicelib.identity", "chalicelib.records"}
              | _modules(parser, "billing-imports-only-core", "source_modules")
              | _modules(parser, "live-imports-only-platform", "source_modules")
              | _modules(parser, "record-domains-independent", "modules")
              | _modules(parser, "nothing-below-imports-orchestrators", "forbidden_modules"))
    assert _packages() == placed, "place each new package of chalicelib in .importlinter"
    assert _modules(parser, "core-imports-no-package", "forbidden_modules") == _packages() - {"chalicelib.core"}


def _tree(root: Path, merge: str) -> Path:
    """chalicelib's packages, empty, in root, with contacts/merge.py as given; the config, debt lists dropped."""
    for package in _packages():
        directory = root.joinpath(*package.split("."))
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "__init__.py").write_text("", encoding="utf-8")
    (root / "chalicelib" / "__init__.py").write_text("", encoding="utf-8")
    (root / "chalicelib" / "deals" / "service.py").write_text("def move_contact_link() -> None: ...\n",
                                                               encoding="utf-8")
    (root / "chalicelib" / "contacts" / "merge.py").write_text(textwrap.dedent(merge), encoding="utf-8")
    parser = _contracts()
    for section in parser.sections():
        parser.remove_option(section, "ignore_imports")
    config = root / "contracts.ini"
    with config.open("w", encoding="utf-8") as out:
        parser.write(out)
    return config


FUNCTION = """\
    from __future__ import annotations


    def merge() -> None:
        from chalicelib.deals import service as deals_service

        deals_service.move_contact_link()
"""

METHOD = """\
    class Merge:
        def run(self) -> None:
            if self:
                try:
                    import chalicelib.deals.service
                except ImportError:
                    return
"""

RELATIVE = """\
    def merge() -> None:
        from ..deals import service

        service.move_contact_link()
"""


@pytest.mark.parametrize(("merge", "line"), [(FUNCTION, 5), (METHOD, 5), (RELATIVE, 2)],
                         ids=["function", "method", "relative"])
def test_an_import_inside_a_function_breaks_the_contracts(tmp_path: Path, merge: str, line: int) -> None:
    result = _lint(tmp_path, _tree(tmp_path, merge))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "record domains do not import each other BROKEN" in result.stdout
    assert f"chalicelib.contacts.merge -> chalicelib.deals.service (l.{line})" in result.stdout


def test_the_same_tree_without_it_keeps_them(tmp_path: Path) -> None:
    result = _lint(tmp_path, _tree(tmp_path, "def merge() -> None:\n    return None\n"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_paid_debt_left_in_the_list_fails(tmp_path: Path) -> None:
    config = _tree(tmp_path, "def merge() -> None:\n    return None\n")
    parser = configparser.ConfigParser()
    parser.read(config, encoding="utf-8")
    parser["importlinter:contract:record-domains-independent"]["ignore_imports"] = (
        "\nchalicelib.contacts.merge -> chalicelib.deals.service")
    with config.open("w", encoding="utf-8") as out:
        parser.write(out)
    result = _lint(tmp_path, config)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No matches for ignored import chalicelib.contacts.merge -> chalicelib.deals.service" in " ".join(
        result.stdout.split())
