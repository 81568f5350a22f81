"""Response schemas of the fields field rules may name."""

from __future__ import annotations

from pydantic import BaseModel


class RuleField(BaseModel):
    field: str  # as a rule names it: "phones", "custom.vip"
    label: str
    custom: bool
    sensitive: bool


class RuleEntity(BaseModel):
    entity: str  # the permission entity: "contacts"
    record_type: str  # "contact"
    fields: list[RuleField]


class RuleFieldCatalog(BaseModel):
    access: list[str]  # what a rule may say of a field, from less to more narrowing
    items: list[RuleEntity]
