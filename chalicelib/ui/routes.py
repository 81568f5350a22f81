"""The staff web app: static files served by the app itself (no build step)."""

from __future__ import annotations

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


def _connect_sources() -> str:
    """'self', plus the live-updates socket's origin where it is not the page's own (API Gateway's WebSocket API)."""
    if not settings.live_url:
        return "'self'"
    socket = urlsplit(settings.live_url)
    return f"'self' {socket.scheme}://{socket.netloc}"


def _media_sources() -> str:
    """'self', plus where call recordings are lent from: the recordings bucket's presigned links (S3's global or
    regional host, as boto3 signs them), or the local S3 stand-in."""
    bucket = settings.recordings_bucket
    sources = ["'self'", f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{settings.region}.amazonaws.com"]
    if settings.aws_endpoint_url:
        endpoint = urlsplit(settings.aws_endpoint_url)
        sources.append(f"{endpoint.scheme}://{endpoint.netloc}")
    return " ".join(sources)


UI_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    f"connect-src {_connect_sources()}; media-src {_media_sources()}; font-src 'self'; manifest-src 'self'; "
    # a document's PDF is framed from its short link (the same bucket), a template's preview from a blob (#23)
    f"frame-src {_media_sources()} blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def static_file(*parts: str) -> Response:
    """A file of the UI, or 404 (names are checked: no path traversal)."""
    if any(part in {"", ".", ".."} or "/" in part or "\\" in part for part in parts):
        raise errors.NotFoundError()
    path = STATIC.joinpath(*parts)
    content_type = TYPES.get(path.suffix)
    if content_type is None or not path.is_file():
        raise errors.NotFoundError()
    cache = "no-cache" if path.suffix == ".html" else "public, max-age=300"
    return Response(body=path.read_text(encoding="utf-8"), status_code=200, headers={
        "Content-Type": content_type, "Content-Security-Policy": UI_CSP, "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
    })


@api.route("/", summary="The web app", public=True, in_schema=False)
def index(request: ApiRequest) -> Any:
    return static_file("index.html")


@api.route("/static/{name}", summary="A file of the web app", public=True, in_schema=False)
def asset(request: ApiRequest, name: str) -> Any:
    return static_file(name)


@api.route("/static/{folder}/{name}", summary="A file of the web app", public=True, in_schema=False)
def nested_asset(request: ApiRequest, folder: str, name: str) -> Any:
    return static_file(folder, name)
