"""The web app's files are addressed by build: a browser keeps them for a year, and a tab opened before a deploy
never runs one build's module with another's (it gets 404 for a file of its old build and offers to reload)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_http import assert_error
from tests.support import ApiClient

NAMED = re.compile(r'(?:href|src)="(/(?:assets|static)/[^"]+)"')  # not the API reference's link


def _named(client: ApiClient) -> list[str]:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-cache"
    return NAMED.findall(page.body.decode())


def test_the_page_names_every_file_by_its_build_and_each_is_kept_for_a_year(client: ApiClient) -> None:
    from chalicelib.ui import routes

    named = _named(client)
    build = routes.build()
    assert re.fullmatch(r"[0-9a-f]{16}", build)
    assert "/assets/" + build + "/js/main.js" in named and "/assets/" + build + "/app.css" in named
    assert all(path.startswith(f"/assets/{build}/") for path in named), named  # nothing left on /static/
    for path in named:
        served = client.get(path)
        assert served.status_code == 200, path
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable", path
        assert served.body == (routes.STATIC / path.removeprefix(f"/assets/{build}/")).read_bytes(), path


def test_a_file_of_another_build_is_404_never_this_builds_file(client: ApiClient) -> None:
    from chalicelib.ui import routes

    other = "0" * 16 if routes.build() != "0" * 16 else "1" * 16
    for path in (f"/assets/{other}/js/ui.js", f"/assets/{other}/app.css"):
        assert_error(client.get(path), 404, "stale_build")
    build = routes.build()
    assert_error(client.get(f"/assets/{build}/js/nope.js"), 404, "not_found")
    assert_error(client.get(f"/assets/{build}/..%2F..%2Fapp.py"), 404, "not_found")
    assert_error(client.get(f"/assets/{build}/js/..%2F..%2Froutes.py"), 404, "not_found")


@pytest.fixture
def own_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the web app's files that a test may change, served in place of the real ones."""
    from chalicelib.ui import routes

    copy = tmp_path / "static"
    shutil.copytree(routes.STATIC, copy)
    monkeypatch.setattr(routes, "STATIC", copy)
    return copy


def test_a_changed_file_changes_the_build_and_the_old_builds_files_are_gone(client: ApiClient, own_files: Path,
                                                                          monkeypatch: Any) -> None:
    """As a deploy that changes one screen: every address changes, and a tab of the old build asking for a screen
    it has not loaded yet gets 404 (it offers to reload) rather than the new screen with its old modules."""
    from chalicelib.ui import routes

    monkeypatch.setattr(type(routes.settings), "is_local", property(lambda self: True))  # edited as it runs
    before = routes.build()
    named = _named(client)
    screen = own_files / "screens" / "tasks.js"
    screen.write_text(screen.read_text(encoding="utf-8") + "\n// the next deploy\n", encoding="utf-8")
    after = routes.build()
    assert after != before
    assert _named(client) == [path.replace(before, after) for path in named]
    assert_error(client.get(f"/assets/{before}/screens/tasks.js"), 404, "stale_build")
    assert client.get(f"/assets/{after}/screens/tasks.js").body.endswith(b"// the next deploy\n")
    # an edit that puts the same content back gives the same build: the address is the content's
    screen.write_text(screen.read_text(encoding="utf-8").removesuffix("\n// the next deploy\n"), encoding="utf-8")
    assert routes.build() == before


def test_a_deployed_function_digests_its_files_once(own_files: Path, monkeypatch: Any) -> None:
    """In AWS the files cannot change under a running function: the build is read once, not on each request."""
    from chalicelib.ui import routes

    reads: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
    monkeypatch.setattr(type(routes.settings), "is_local", property(lambda self: False))
    first = routes.build()
    count = len(reads)
    assert count == sum(1 for path in own_files.rglob("*") if path.is_file())
    assert routes.build() == first and len(reads) == count


def test_the_page_may_post_an_import_file_to_the_export_bucket_and_nowhere_else(client: ApiClient) -> None:
    """The import screen puts a file past 4 MB into the export bucket through an upload form: the CSP lets the page
    reach that bucket's hosts (as boto3 signs the form's address), and no other bucket or site."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from tests.seeds.dataio import ensure_bucket

    ensure_bucket()
    policy = client.get("/").headers["Content-Security-Policy"]
    connect = next(part.split()[1:] for part in policy.split(";") if part.split()[0] == "connect-src")
    form = aws.client("s3").generate_presigned_post(Bucket=settings.export_bucket, Key="tenants/x/uploads/y")
    origin = "/".join(form["url"].split("/")[:3])
    assert origin in connect, (origin, connect)
    assert all(source == "'self'" or settings.export_bucket in source or source.startswith("wss://")
               for source in connect), connect


def test_any_address_under_assets_answers_a_file_of_this_build_or_404(client: ApiClient) -> None:
    """A public route: whatever a scanner puts in its three parts (other builds, dots, encoded slashes, long or odd
    text), the answer is this build's file with its type, or a 404 — never another file, never a 5xx."""
    from urllib.parse import quote

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from chalicelib.ui import routes

    build = routes.build()
    part = st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(["..", ".", "js", "screens", "vendor",
                                                                         "main.js", "app.css", "index.html", "%2e%2e",
                                                                         "..%2f..%2fapp.py", "icon.svg"]))
    name = st.one_of(st.just(build), st.text(alphabet="0123456789abcdef", min_size=16, max_size=16), part)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(name, st.lists(part, min_size=1, max_size=2))
    def check(build_name: str, parts: list[str]) -> None:
        path = "/assets/" + "/".join(quote(segment, safe="") for segment in [build_name, *parts])
        answer = client.get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code, answer.body[:200])
        if answer.status_code == 200:
            assert build_name == build
            assert answer.body == routes.STATIC.joinpath(*parts).read_bytes()

    check()
