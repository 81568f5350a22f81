"""The Chalice app: configuration, middleware and blueprint registration only."""

from __future__ import annotations

from chalice import Chalice

from chalicelib.core import http
from chalicelib.core.config import settings
from chalicelib.identity import routes as identity_routes
from chalicelib.identity import sessions
from chalicelib.system import routes as system_routes
from chalicelib.ui import routes as ui_routes

app = Chalice(app_name="crm")
app.debug = False  # never a stack trace in a response; errors are logged with the request id
app.log.setLevel("WARNING" if settings.stage == "prod" else "INFO")

http.set_authenticator(sessions.authenticate)
http.install_middleware(app)

for module in (system_routes, identity_routes, ui_routes):
    app.register_blueprint(module.api.blueprint)
