"""The Chalice app: configuration, middleware and blueprint registration only."""

from __future__ import annotations

from chalice import Chalice, Rate

from chalicelib.auditlog import routes as auditlog_routes
from chalicelib.companies import routes as companies_routes
from chalicelib.contacts import routes as contacts_routes
from chalicelib.core import http
from chalicelib.core.config import settings
from chalicelib.customfields import routes as customfields_routes
from chalicelib.dataio import jobs as dataio_jobs
from chalicelib.dataio import routes as dataio_routes
from chalicelib.deals import routes as deals_routes
from chalicelib.forms import routes as forms_routes
from chalicelib.housekeeping import jobs as housekeeping_jobs
from chalicelib.identity import routes as identity_routes
from chalicelib.identity import sessions
from chalicelib.inbox import jobs as inbox_jobs
from chalicelib.integrations import routes as integrations_routes
from chalicelib.notes import routes as notes_routes
from chalicelib.system import routes as system_routes
from chalicelib.tasks import routes as tasks_routes
from chalicelib.tenantdata import jobs as tenantdata_jobs
from chalicelib.tenantdata import routes as tenantdata_routes
from chalicelib.ui import routes as ui_routes

app = Chalice(app_name="crm")
app.debug = False  # never a stack trace in a response; errors are logged with the request id
app.log.setLevel("WARNING" if settings.stage == "prod" else "INFO")

http.set_authenticator(sessions.authenticate)
http.install_middleware(app)
# Form posts arrive as multipart too: API Gateway must hand their bytes over untouched (base64), not as text.
app.api.binary_types.append("multipart/form-data")

DOMAINS = (
    system_routes, identity_routes, contacts_routes, companies_routes, deals_routes, tasks_routes, notes_routes,
    customfields_routes, dataio_routes, auditlog_routes, tenantdata_routes, integrations_routes, forms_routes,
    ui_routes,
)
for module in DOMAINS:
    app.register_blueprint(module.api.blueprint)

# Imports and exports run as resumable jobs, a chunk per minute (chalice local runs it through local/).
app.schedule(Rate(1, unit=Rate.MINUTES), name="dataio_jobs")(dataio_jobs.scheduled_import_tick)
# Tenant exports and due deletions (the purge destroys the tenant's data key first).
app.schedule(Rate(5, unit=Rate.MINUTES), name="tenant_data_jobs")(tenantdata_jobs.scheduled_tick)
# Webhook events whose processing failed are retried with backoff (the raw event is never lost).
app.schedule(Rate(1, unit=Rate.MINUTES), name="inbox_retries")(inbox_jobs.scheduled_tick)
# Trashed contacts, companies and deals are purged 30 days after their deletion, for every tenant.
app.schedule(Rate(1, unit=Rate.HOURS), name="housekeeping")(housekeeping_jobs.scheduled_tick)
