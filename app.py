"""The Chalice app: configuration, middleware, blueprint registration and the entry points of jobs."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Rate

from chalicelib.auditlog import routes as auditlog_routes
from chalicelib.companies import routes as companies_routes
from chalicelib.contacts import routes as contacts_routes
from chalicelib.core import http
from chalicelib.core.config import settings
from chalicelib.customfields import routes as customfields_routes
from chalicelib.dataio import routes as dataio_routes
from chalicelib.deals import routes as deals_routes
from chalicelib.forms import routes as forms_routes
from chalicelib.identity import routes as identity_routes
from chalicelib.identity import sessions
from chalicelib.integrations import routes as integrations_routes
from chalicelib.notes import routes as notes_routes
from chalicelib.system import routes as system_routes
from chalicelib.tasks import routes as tasks_routes
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

# Scheduled and queued work. Lambda calls each function by its name in this module ("app.<name>",
# Chalice's handler string), so each is defined here under its own name; the job modules are imported
# on the first call, keeping them off the API function's cold start.


@app.schedule(Rate(1, unit=Rate.MINUTES), name="dataio_jobs")
def dataio_jobs(event: Any) -> Any:
    """Imports and exports run as resumable jobs, a chunk per minute (chalice local runs it through local/)."""
    from chalicelib.dataio import jobs

    return jobs.scheduled_import_tick(event)


@app.schedule(Rate(5, unit=Rate.MINUTES), name="tenant_data_jobs")
def tenant_data_jobs(event: Any) -> Any:
    """Tenant exports and due deletions (the purge destroys the tenant's data key first)."""
    from chalicelib.tenantdata import jobs

    return jobs.scheduled_tick(event)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="inbox_retries")
def inbox_retries(event: Any) -> Any:
    """Webhook events whose processing failed, or whose queue message never came, are processed again."""
    from chalicelib.inbox import jobs

    return jobs.scheduled_tick(event)


@app.on_sqs_message(queue=settings.jobs_queue_name, batch_size=10, name="inbox_events")
def inbox_events(event: Any) -> Any:
    """Webhook events are processed from the jobs queue: the hook answers as soon as the event is stored."""
    from chalicelib.inbox import jobs

    return jobs.queued_events(event)


@app.schedule(Rate(1, unit=Rate.HOURS), name="housekeeping")
def housekeeping(event: Any) -> Any:
    """Trashed contacts, companies and deals are purged 30 days after their deletion, for every tenant."""
    from chalicelib.housekeeping import jobs

    return jobs.scheduled_tick(event)
