"""Document templates: the company's own (made, changed, deleted by who may change its settings) over the built-in
ones. A template is checked when saved (it must compile in the sandbox: 422 naming the line otherwise); at most one
per type is the default, which a document naming no template uses."""

from __future__ import annotations

from typing import Any

from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, is_valid_id, new_id
from chalicelib.documents import defaults, rendering
from chalicelib.documents import schemas as s
from chalicelib.documents.models import DocumentTemplate, templates_pk
from chalicelib.identity import service as identity_service

FIELDS = ("doc_type", "name", "locale", "body", "is_default")
MAX_TEMPLATES = 100  # a company's templates are read in one Query


def audit_view(template: DocumentTemplate) -> dict[str, Any]:
    """What the audit trail records of a template."""
    return {name: getattr(template, name) for name in FIELDS}


def template_read(template: DocumentTemplate) -> s.DocumentTemplateRead:
    """The API view of a template."""
    return s.DocumentTemplateRead(
        id=template.template_id, type=template.doc_type, name=template.name, locale=template.locale,
        body=template.body, is_default=bool(template.is_default), created_by=template.created_by,
        created_at=template.created_at, updated_at=template.updated_at, version=int(template.version or 0))


def require_read(ctx: TenantContext) -> None:
    """403 unless the caller may read the company's settings (templates are among them)."""
    permissions.require(ctx, "settings", "read")


def get(ctx: TenantContext, template_id: str) -> DocumentTemplate | None:
    """A template of the tenant, without a permission check."""
    return db.get(ctx, DocumentTemplate, templates_pk(ctx), template_id) if is_valid_id(template_id) else None


def get_or_raise(ctx: TenantContext, template_id: str) -> DocumentTemplate:
    """A template the caller may read, or 404."""
    permissions.require(ctx, "settings", "read")
    template = get(ctx, template_id)
    if template is None:
        raise errors.NotFoundError("No such document template.")
    return template


def list_templates(ctx: TenantContext, *, limit: int = 50, cursor: str | None = None) -> db.Page[DocumentTemplate]:
    """The company's templates, oldest first."""
    permissions.require(ctx, "settings", "read")
    return db.query_page(ctx, DocumentTemplate, templates_pk(ctx), scope="document-templates", limit=limit,
                         cursor=cursor, newest_first=False)


def _all(ctx: TenantContext) -> list[DocumentTemplate]:
    with db.translate_errors():
        return [t for t in DocumentTemplate.query(templates_pk(ctx), limit=MAX_TEMPLATES)
                if isinstance(t, DocumentTemplate)]


def body_for(ctx: TenantContext, *, doc_type: str, template_id: str | None, locale: str,
             asked: bool = False) -> tuple[str, str | None, str]:
    """The template a document of a type uses: the one named, else the company's default of the type, else the
    built-in one in the language; answers its body, id (None: built-in) and language. A language asked for the
    document (asked) is kept: the company's template of the type in it (its default first), else the built-in one,
    so a German agency's English invoice is not printed from its German template."""
    if template_id is not None:
        template = get(ctx, template_id)
        if template is None or template.doc_type != doc_type:
            raise errors.ValidationError(details=[{"loc": ["body", "template_id"], "type": "unknown_reference",
                                                   "msg": "No such template of this document type"}])
        return template.body, template.template_id, template.locale
    own = [t for t in _all(ctx) if t.doc_type == doc_type and (not asked or t.locale == locale)]
    chosen = next((t for t in own if t.is_default), own[0] if asked and own else None)
    if chosen is not None:
        return chosen.body, chosen.template_id, chosen.locale
    return defaults.body(doc_type, locale, identity_service.tenant_settings_or_raise(ctx).country), None, locale


def _unset_other_defaults(ctx: TenantContext, change: db.Change, template: DocumentTemplate) -> None:
    for other in _all(ctx):
        if other.template_id != template.template_id and other.doc_type == template.doc_type and other.is_default:
            before = audit_view(other)
            other.is_default = False
            other.updated_at = db.utcnow()
            change.save(other)
            audit.attach(ctx, change, other, entity="document_template", entity_id=other.template_id,
                         action="update", before=before, after=audit_view(other))


def create(ctx: TenantContext, *, data: s.DocumentTemplateCreate) -> DocumentTemplate:
    """Make a template (checked in the sandbox first; audited)."""
    permissions.require(ctx, "settings", "update")
    rendering.check(data.body)
    template_id = new_id()
    template = DocumentTemplate(templates_pk(ctx), template_id, template_id=template_id, doc_type=data.type,
                                name=data.name, locale=data.locale, body=data.body, is_default=data.is_default,
                                created_by=ctx.actor_id)
    change = db.Change().save(template)
    if template.is_default:
        _unset_other_defaults(ctx, change, template)
    audit.attach(ctx, change, template, entity="document_template", entity_id=template_id, action="create",
                 before=None, after=audit_view(template))
    db.commit(ctx, change)
    return template


def update(ctx: TenantContext, template_id: str, *, data: s.DocumentTemplateUpdate) -> DocumentTemplate:
    """Change a template (its version must be the one read: 409 otherwise)."""
    permissions.require(ctx, "settings", "update")
    template = get_or_raise(ctx, template_id)
    if int(template.version or 0) != data.version:
        raise errors.VersionConflictError()
    if data.body is not None:
        rendering.check(data.body)
    before = audit_view(template)
    for name, value in (("name", data.name), ("locale", data.locale), ("body", data.body),
                        ("is_default", data.is_default)):
        if value is not None:
            setattr(template, name, value)
    template.updated_at = db.utcnow()
    change = db.Change().save(template)
    if data.is_default:
        _unset_other_defaults(ctx, change, template)
    audit.attach(ctx, change, template, entity="document_template", entity_id=template_id, action="update",
                 before=before, after=audit_view(template))
    db.commit(ctx, change)
    return template


def delete(ctx: TenantContext, template_id: str) -> None:
    """Delete a template (documents made from it keep their PDF; the audit trail keeps what it was)."""
    permissions.require(ctx, "settings", "update")
    template = get_or_raise(ctx, template_id)
    change = db.Change().delete(template)
    audit.attach(ctx, change, template, entity="document_template", entity_id=template_id, action="delete",
                 before=audit_view(template), after=None)
    db.commit(ctx, change)
