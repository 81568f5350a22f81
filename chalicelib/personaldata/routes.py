"""Routes of a person's data: the export she may ask for and its erasure (administrators only).

Either may outgrow one request: a large export answers 202 with the job writing its file, a large erasure 202 with
its record while it goes on in the background (``exports``, ``slices``); the card's menu follows both (``state``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.personaldata import schemas as s

api = Api(__name__, tag="contacts")


@api.route("/api/v1/contacts/{contact_id}/personal-data", summary="Everything held on a person, as JSON (GDPR "
           "Art. 15 and 20; administrators); too large for one answer (or ?file=true): 202 with the job writing "
           "its file", query=s.PersonalDataQuery, response=s.PersonalData, errors=(403, 404, 409))
def contacts_personal_data(request: ApiRequest, contact_id: str) -> Any:
    from chalicelib.personaldata import exports, rights, slices

    ctx = request.tenant
    rights.require_admin(ctx)
    rights.require_whole_view(ctx)
    contact = rights.contact_or_404(ctx, contact_id)
    if slices.running(ctx, contact.contact_id) is not None:
        raise rights.ErasureRunningError()
    answer = exports.answer(ctx, contact, as_file=request.query.file)
    if isinstance(answer, dict):
        return answer
    return json_response(s.PersonalDataExportRead(**exports.read(ctx, answer)).model_dump(mode="json"), status=202)


@api.route("/api/v1/contacts/{contact_id}/personal-data/state", summary="A person's data files being written or "
           "ready, and her erasure while it runs (administrators)", response=s.PersonalDataState, errors=(403, 404))
def contacts_personal_data_state(request: ApiRequest, contact_id: str) -> s.PersonalDataState:
    from chalicelib.personaldata import exports, rights, slices

    ctx = request.tenant
    rights.require_admin(ctx)
    contact = rights.contact_or_404(ctx, contact_id)
    running = slices.running(ctx, contact.contact_id)
    return s.PersonalDataState(
        exports=[s.PersonalDataExportRead(**exports.read(ctx, job)) for job in exports.jobs_of(ctx, contact_id)],
        erasure=s.ErasureRead(**slices.read(running)) if running is not None else None)


@api.route("/api/v1/contacts/{contact_id}/personal-data/exports/{personal_export_id}", summary="A file of a "
           "person's data: its status and, for the administrator who asked, a 5-minute download link (a recorded "
           "read)", response=s.PersonalDataExportRead, errors=(403, 404))
def contacts_personal_data_export(request: ApiRequest, contact_id: str,
                                  personal_export_id: str) -> s.PersonalDataExportRead:
    from chalicelib.core import errors
    from chalicelib.personaldata import exports, rights

    ctx = request.tenant
    rights.require_admin(ctx)
    job = exports.get(ctx, contact_id, personal_export_id)
    if job is None:
        raise errors.NotFoundError("No such file of a person's data.")
    if job.status == "done":  # its link gives every value in clear: a role kept from some since may not have it
        rights.require_whole_view(ctx)
    return s.PersonalDataExportRead(**exports.read(ctx, job, link=True))


@api.route("/api/v1/contacts/{contact_id}/erase", method="POST", summary="Erase a person's data for good, keeping "
           "what the law requires detached (GDPR Art. 17; administrators); too large for one request: 202 while it "
           "goes on in the background", body=s.ErasureIn, response=s.ErasureRead, errors=(403, 404))
def contacts_erase(request: ApiRequest, contact_id: str) -> Any:
    from chalicelib.personaldata import slices

    record = slices.request(request.tenant, contact_id)
    view = s.ErasureRead(**slices.read(record))
    return view if record.status == "done" else json_response(view.model_dump(mode="json"), status=202)
