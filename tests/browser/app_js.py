"""Scripts a test runs in the page with the app's own modules: those of the build the page loaded."""

from __future__ import annotations

# the folder of the build the page runs ("/assets/<build>/"), from the address of its main module
BUILD = "new URL('..', document.querySelector('script[type=module]').src).href"


def app_js(script: str) -> str:
    """script with each ``import('/static/…')`` loading that file of the page's build: the app's own module
    instances (its session, its toasts), not a second copy of the file from the address without a build."""
    return script.replace("import('/static/", f"import({BUILD} + '")
