"""A document's VAT treatment (Art. 226(11) and (11a) of the VAT Directive): the standard one charges each line's
rate; a reverse charge (an EU business client in another member state accounts for the VAT, Art. 196) and an
exemption charge none, and the invoice says why in the law's words (``wording.vat_note``)."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.core import errors
from chalicelib.documents.sources import Source

TREATMENTS = ("standard", "reverse_charge", "exempt")


def _refuse(field: str, kind: str, msg: str) -> errors.ValidationError:
    return errors.ValidationError(details=[{"loc": ["body", field], "type": kind, "msg": msg}])


def check(*, treatment: str, reason: str | None) -> None:
    """422 for an exemption without its reason, or a reason given with another treatment."""
    if treatment == "exempt" and not reason:
        raise _refuse("vat_exemption_reason", "missing",
                      "An exemption needs its reason, which the invoice prints (\"section 4 no. 14 UStG\")")
    if treatment != "exempt" and reason:
        raise _refuse("vat_exemption_reason", "exempt_only", "A reason is given only with vat_treatment exempt")


def apply(source: Source, *, treatment: str, client_tax_id: str) -> None:
    """Set the source's lines to no VAT under a reverse charge or an exemption; 422 naming what is missing: a reverse
    charge needs the client's VAT ID (the invoice must name it, Art. 226(4)), and an order that charges VAT on its
    lines is priced again at 0 first (a document never recomputes an order: its totals would disagree)."""
    if treatment == "standard":
        return
    if treatment == "reverse_charge" and not client_tax_id:
        raise _refuse("vat_treatment", "client_vat_id_missing",
                      "A reverse charge invoice names the client's VAT ID: add it to the client company's card "
                      "(VAT ID / tax number)")
    if source.kind == "order" and any(line.tax_minor for line in source.lines):
        raise _refuse("vat_treatment", "order_charges_vat",
                      "The order charges VAT on its lines: set their tax rate to 0 on the order first")
    source.lines = [replace(line, tax_rate=None, tax_minor=0) for line in source.lines]
