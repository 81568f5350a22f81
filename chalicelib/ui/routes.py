"""The staff web app: static files served by the app itself (no build step).

The page names its files under ``/assets/<build>/``, where the build is a digest of every file of the app: a
deploy that changes any file changes every address, so a browser keeps them for a year and never runs one
deploy's module with another's (a tab opened before a deploy that asks for a screen it has not loaded gets 404
and offers to reload, see main.js).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chalice import Response

from chalicelib.core import errors
from chalicelib.core.config import settings
from chalicelib.core.http import Api, ApiRequest

api = Api(__name__, tag="ui")
STATIC = Path(__file__).parent / "static"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}


def _bucket_sources(bucket: str) -> list[str]:
    """A bucket's presigned addresses: S3's global or regional host, as boto3 signs them, or the local S3 stand-in."""
    sources = [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{settings.region}.amazonaws.com"]
    if settings.aws_endpoint_url:
        endpoint = urlsplit(settings.aws_endpoint_url)
        sources.append(f"{endpoint.scheme}://{endpoint.netloc}")
    return sources


def _connect_sources() -> str:
    """'self', the live-updates socket's origin where it is not the page's own (API Gateway's WebSocket API), and the
    export bucket, where the import screen puts a file of over 4 MB through an upload form."""
    sources = ["'self'", *_bucket_sources(settings.export_bucket)]
    if settings.live_url:
        socket = urlsplit(settings.live_url)
        sources.append(f"{socket.scheme}://{socket.netloc}")
    return " ".join(dict.fromkeys(sources))


def _media_sources() -> str:
    """'self', plus where call recordings are lent from: the recordings bucket's presigned links."""
    return " ".join(["'self'", *_bucket_sources(settings.recordings_bucket)])


UI_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    f"connect-src {_connect_sources()}; media-src {_media_sources()}; font-src 'self'; manifest-src 'self'; "
    # a document's PDF is framed from its short link (the same bucket), a template's preview from a blob (#23)
    f"frame-src {_media_sources()} blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


IMMUTABLE = "public, max-age=31536000, immutable"  # a build's address never serves other content


def _listing(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file of the app with its size and time of change (stat only: cheap enough for each request)."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            stat = (Path(folder) / name).stat()
            found.append((os.path.relpath(Path(folder) / name, root), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


@functools.lru_cache(maxsize=4)
def _digest(root: Path, listing: tuple[tuple[str, int, int], ...]) -> str:
    content = hashlib.sha256()
    for name, _, _ in listing:
        content.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return content.hexdigest()[:16]


@functools.cache
def _deployed_build(root: Path) -> str:
    return _digest(root, _listing(root))


def build() -> str:
    """The digest of the app's files: fixed for a deployed function's life; locally, where files are edited while
    the CRM runs, it follows each edit (a stat of each file per request, the digest again only on a change)."""
    return _digest(STATIC, _listing(STATIC)) if settings.is_local else _deployed_build(STATIC)


def static_file(*parts: str, cache: str = "public, max-age=300") -> Response:
    """A file of the UI, or 404 (names are checked: no path traversal)."""
    if any(part in {"", ".", ".."} or "/" in part or "\\" in part for part in parts):
        raise errors.NotFoundError()
    path = STATIC.joinpath(*parts)
    content_type = TYPES.get(path.suffix)
    if content_type is None or not path.is_file():
        raise errors.NotFoundError()
    body = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        cache, body = "no-cache", body.replace('"/static/', f'"/assets/{build()}/')
    return Response(body=body, status_code=200, headers={
        "Content-Type": content_type, "Content-Security-Policy": UI_CSP, "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
    })


def build_file(name: str, *parts: str) -> Response:
    """A file of this build, kept by the browser for a year; of another build (a tab opened before a deploy
    asking for a screen it has not loaded yet), 404: the tab offers to reload rather than mix two builds."""
    if name != build():
        raise errors.NotFoundError("This version of the CRM has been replaced: reload the page.",
                                   code="stale_build")
    return static_file(*parts, cache=IMMUTABLE)


@api.route("/", summary="The web app", public=True, in_schema=False)
def index(request: ApiRequest) -> Any:
    return static_file("index.html")


@api.route("/assets/{name}/{file}", summary="A file of one build of the web app", public=True, in_schema=False)
def build_asset(request: ApiRequest, name: str, file: str) -> Any:
    return build_file(name, file)


@api.route("/assets/{name}/{folder}/{file}", summary="A file of one build of the web app", public=True,
           in_schema=False)
def build_nested_asset(request: ApiRequest, name: str, folder: str, file: str) -> Any:
    return build_file(name, folder, file)


# The files without a build, as before it: for a tab opened before builds, and the icon others link to.
@api.route("/static/{name}", summary="A file of the web app", public=True, in_schema=False)
def asset(request: ApiRequest, name: str) -> Any:
    return static_file(name)


@api.route("/static/{folder}/{name}", summary="A file of the web app", public=True, in_schema=False)
def nested_asset(request: ApiRequest, folder: str, name: str) -> Any:
    return static_file(folder, name)
