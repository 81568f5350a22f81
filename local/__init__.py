"""The embedded local runtime (``python -m local``): moto on loopback, the app, its jobs.

Nothing here runs in Lambda, and nothing in ``app.py`` or ``chalicelib/`` may import it. Importing any
module of this package has no side effects: the work starts in :func:`local.server.main`.
"""
