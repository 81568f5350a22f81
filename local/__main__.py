"""``python -m local``: run the CRM against the embedded AWS (what ``make run`` calls)."""

from __future__ import annotations

from local.server import main

if __name__ == "__main__":
    raise SystemExit(main())
