"""Routes of field rules: the fields of every record type a role's rules may name (the role editor's grid)."""

from __future__ import annotations

from chalicelib.core import permissions
from chalicelib.core.http import Api, ApiRequest
from chalicelib.records.fieldaccess import schemas as s
from chalicelib.records.fieldaccess import service

api = Api(__name__, tag="roles")


@api.route("/api/v1/roles/fields", summary="The fields a role's rules may make read-only or hidden, per record type",
           response=s.RuleFieldCatalog, errors=(403,))
def roles_fields(request: ApiRequest) -> s.RuleFieldCatalog:
    permissions.require(request.tenant, "roles", "read")
    return s.RuleFieldCatalog(access=list(permissions.FIELD_ACCESS),
                              items=[s.RuleEntity(**entry) for entry in service.catalog(request.tenant)])
