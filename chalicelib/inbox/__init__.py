"""The inbox every webhook provider shares: raw events first, dedupe, processing, outcomes, retries, replay.

Providers plug in with ``register_processor(integration_type, fn)``; see ``inbox.pipeline``.
"""

from __future__ import annotations

from chalicelib.inbox.pipeline import Outcome, Run, register_processor

__all__ = ["Outcome", "Run", "register_processor"]
