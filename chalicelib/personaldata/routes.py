"""Routes of a person's data: the export she may ask for and its erasure (administrators only)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.http import Api, ApiRequest
from chalicelib.personaldata import schemas as s

api = Api(__name__, tag="contacts")


@api.route("/api/v1/contacts/{contact_id}/personal-data", summary="Everything held on a person, as JSON (GDPR "
           "Art. 15 and 20; administrators)", response=s.PersonalData, errors=(403, 404))
def contacts_personal_data(request: ApiRequest, contact_id: str) -> Any:
    from chalicelib.personaldata import erasure, export

    ctx = request.tenant
    erasure.require_admin(ctx)
    erasure.require_whole_view(ctx)
    return export.export(ctx, erasure.contact_or_404(ctx, contact_id))


@api.route("/api/v1/contacts/{contact_id}/erase", method="POST", summary="Erase a person's data for good, keeping "
           "what the law requires detached (GDPR Art. 17; administrators)", body=s.ErasureIn,
           response=s.ErasureRead, errors=(403, 404))
def contacts_erase(request: ApiRequest, contact_id: str) -> s.ErasureRead:
    from chalicelib.personaldata import erasure

    record = erasure.erase(request.tenant, contact_id)
    return s.ErasureRead(erasure_id=record.erasure_id, contact_id=record.contact_id, at=record.at,
                         removed=record.removed, kept=record.kept)
