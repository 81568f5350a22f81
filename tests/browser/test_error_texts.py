"""Every refusal the API can answer has its words in the web app, in English and Russian (no browser needed).

The web app shows an API error by its code (``error.<code>``, i18n.js errorMessage) and falls back to the API's
English message: a code without a text reads in English on a Russian screen. The codes are collected from the
source: ``code="..."`` arguments, ``code = "..."`` class attributes, helpers that pass their ``code`` parameter on
(their defaults and the literals their callers give), and ``duplicate_<field>`` of every unique field.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from tests.browser.test_messages import message_keys

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"

# Codes no person meets in the web app, each with the reason. A code leaves this list when a screen can get it.
NEVER_SHOWN = {
    # Answers to a provider or a website posting to /hooks/ (the sender is a machine, never a signed-in person).
    "invalid_signature": "a webhook's (or Stripe's) signature is wrong",
    "invalid_body": "a provider's form body cannot be read",
    "duplicate_delivery": "a provider delivered the same event twice",
    "delivery_in_flight": "a provider's retry met its first delivery",
    "wrong_phone_number": "a WhatsApp notification for another number",
    "too_many_unknown_keys": "posts to unknown webhook addresses",
    "sender_rate_limited": "a website visitor posting a form too often",
    "empty_body": "a website form post (forms/parsing.py)",
    "field_too_long": "a website form post",
    "invalid_encoding": "a website form post",
    "invalid_field_name": "a website form post",
    "too_many_fields": "a website form post",
    "unsupported_shape": "a website form post",
    "control_character": "a website form post (the API's schemas give it as a field detail, not a code)",
    # Raised while an inbox event is processed: recorded on the event as its failure, never answered to anyone.
    "invalid_event": "a stored provider event that is not one",
    "call_not_yet_known": "a recording reported before its call",
    "no_processor": "an integration type without a processor",
    "status_in_flight": "two delivery statuses of a campaign message at once",
    # Callers with an API key, not a signed-in person (the web app signs in and sends no API key).
    "invalid_api_key": "a wrong API key",
    "api_key_creator_inactive": "an API key whose creator left",
    "not_a_user": "an API key asking for a person's things",
    "user_required": "an API key asking for notifications or live updates",
    # Idempotency-Key: only integrators send it; the web app does not.
    "invalid_idempotency_key": "a malformed Idempotency-Key",
    "idempotency_key_reused": "an Idempotency-Key reused for another request",
    "idempotency_in_progress": "the same Idempotency-Key while its first request runs",
    # The live-updates socket's connect: a refused ticket closes the socket, live.js asks for a new one.
    "invalid_ticket": "a used or expired socket ticket",
    "inactive": "a socket ticket of a user or company no longer active",
    # Operator tooling (python -m tenants provision), outside the web app.
    "tenant_key_exists": "provisioning a tenant twice",
}

# code= values that are not a literal and are not error codes of their own: a code passed on, or something else.
PASSED_ON = {
    "exc.code",  # records/bulk.py: a bulk action's outcome carries the code its record's refusal had
    "request.body.code",  # identity/routes.py: a second-factor code, not an error code
    "f'duplicate_{field.name}'",  # records/lookups.py: one per unique field (unique_field_codes below)
}


def _strings(node: ast.expr) -> set[str]:
    """The codes an expression can give: a literal, or either side of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


@functools.cache
def _parsed() -> dict[str, ast.Module]:
    return {str(path.relative_to(CHALICELIB.parent)): ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(CHALICELIB.rglob("*.py"))}


def _class_codes(tree: ast.Module) -> set[str]:
    return {stmt.value.value for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for stmt in node.body
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str) and any(isinstance(t, ast.Name) and t.id == "code"
                                                          for t in stmt.targets)}


def _function_codes(function: ast.FunctionDef, unresolved: list[str], where: str
                    ) -> tuple[set[str], tuple[int | None, str] | None]:
    """The codes a function gives by code=, and (position, name) of a parameter it passes on as code."""
    positional = [a.arg for a in function.args.args]
    defaults = dict(zip(positional[len(positional) - len(function.args.defaults):], function.args.defaults,
                        strict=True))
    defaults.update({a.arg: d for a, d in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True) if d})
    found: set[str] = set()
    helper = None
    for call in ast.walk(function):
        if not isinstance(call, ast.Call):
            continue
        for keyword in call.keywords:
            if keyword.arg != "code" or isinstance(keyword.value, ast.Constant):
                continue
            value = keyword.value
            if isinstance(value, ast.Name) and value.id in positional + [a.arg for a in function.args.kwonlyargs]:
                helper = (positional.index(value.id) if value.id in positional else None, value.id)
                if value.id in defaults:
                    found |= _strings(defaults[value.id])
            elif isinstance(value, ast.Name):
                assigned = [_strings(node.value) for node in ast.walk(function) if isinstance(node, ast.Assign)
                            and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)]
                found |= set().union(*assigned)
                if not assigned or not all(assigned):
                    unresolved.append(f"{where}:{call.lineno} code={ast.unparse(value)}")
            elif ast.unparse(value) not in PASSED_ON:
                unresolved.append(f"{where}:{call.lineno} code={ast.unparse(value)}")
    return found, helper


def unique_field_codes(trees: dict[str, ast.Module]) -> set[str]:
    """duplicate_<name> of every record field declared unique (records/lookups.py taken)."""
    codes = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Field"
                    and any(k.arg == "unique" and isinstance(k.value, ast.Constant) and k.value.value is True
                            for k in node.keywords)
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                codes.add(f"duplicate_{node.args[0].value}")
    return codes


def _types_its_code(function: ast.FunctionDef, parameter: str) -> bool:
    """True when the function also gives its code parameter as a detail's type ({"type": code, "msg": ...})."""
    return any(isinstance(node, ast.Dict) and any(
        isinstance(key, ast.Constant) and key.value == "type" and isinstance(value, ast.Name) and value.id == parameter
        for key, value in zip(node.keys, node.values, strict=True)) for node in ast.walk(function))


@functools.cache
def collect() -> tuple[set[str], list[str], set[str]]:
    """Every error code chalicelib can answer, the code= expressions this collector cannot read, and the codes
    that helpers give as a detail's type too."""
    trees = _parsed()
    codes: set[str] = set()
    typed: set[str] = set()
    unresolved: list[str] = []
    helpers: dict[tuple[str, str], tuple[int | None, str, bool]] = {}
    for where, tree in trees.items():
        codes |= _class_codes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                codes |= {k.value.value for k in node.keywords if k.arg == "code"
                          and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
            if isinstance(node, ast.ClassDef):  # an error class whose __init__ passes code on: called by its name
                for method in node.body:
                    if isinstance(method, ast.FunctionDef) and method.name == "__init__":
                        found, helper = _function_codes(method, [], where)
                        if helper is not None:
                            helpers[(where, node.name)] = (*helper, _types_its_code(method, helper[1]))
                            typed |= found if _types_its_code(method, helper[1]) else set()
            if isinstance(node, ast.FunctionDef):
                found, helper = _function_codes(node, unresolved, where)
                codes |= found
                if helper is not None:
                    helpers[(where, node.name)] = (*helper, _types_its_code(node, helper[1]))
                    typed |= found if helpers[(where, node.name)][2] else set()
    for where, tree in trees.items():  # the codes callers give the helpers that pass theirs on
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = str(getattr(node.func, "id", None) or getattr(node.func, "attr", None))
            key = (where, name) if (where, name) in helpers else next(
                (k for k in helpers if k[1] == name and not name.startswith("_")), None)
            if key is None:
                continue
            position, parameter, as_type = helpers[key]
            given = _strings(node.args[position]) if position is not None and len(node.args) > position else set()
            given |= set().union(*[_strings(k.value) for k in node.keywords if k.arg == parameter])
            codes |= given
            typed |= given if as_type else set()
    return codes | unique_field_codes(trees), unresolved, typed


def api_error_codes() -> tuple[set[str], list[str]]:
    """Every error code chalicelib can answer, and the code= expressions this collector cannot read."""
    codes, unresolved, _ = collect()
    return set(codes), list(unresolved)


def test_the_collector_reads_every_code_argument() -> None:
    codes, unresolved = api_error_codes()
    assert not unresolved, f"code= the collector cannot read; add it to PASSED_ON if it is no code of its own: " \
                           f"{unresolved}"
    # It finds what it should: a class's code, a literal argument, a helper's default and its callers', a
    # conditional's both sides, a unique field's.
    assert {"version_conflict", "order_active", "invalid_campaign", "to_required", "password_change_required",
            "totp_enrollment_required", "duplicate_sku", "duplicate_external_id"} <= codes
    assert "password_change" not in codes  # a conditional's test is no code
    assert not NEVER_SHOWN.keys() - codes, "an allowed code the API no longer answers"


def test_the_codes_shown_in_the_apis_own_english_words_are_answered() -> None:
    # i18n.js keeps the API's English message for codes whose message names specifics; a stale name there is dead.
    source = (CHALICELIB / "ui" / "static" / "js" / "i18n.js").read_text(encoding="utf-8")
    listed = re.search(r"OWN_WORDS_IN_ENGLISH = new Set\(\[(.*?)\]\)", source, re.S)
    assert listed is not None
    own_words = set(re.findall(r"'([a-z_0-9]+)'", listed.group(1)))
    codes, _ = api_error_codes()
    assert own_words and not own_words - codes, own_words - codes


# Field problems (details[].type) a person never meets: only an API client sends what they refuse (the web app
# offers a list, or sends what it made itself), or a webhook's sender receives them.
DETAILS_NEVER_SHOWN = {
    "extra_forbidden": "an unknown query parameter",
    "invalid_base64": "a file the web app encodes itself",
    "unexpected_id": "stage ids on a new pipeline",
    "unknown_entity": "custom fields of an unknown record type",
    "unknown_link": "a link name that is not one",
    "unknown_permission": "a permission the role editor does not offer",
    "unknown_filter": "an export filter that is not one",
    "segment_only": "a segment's export with other filters",
    "unknown_subject": "a record type that is not one",
    "unsortable": "a sort the lists do not offer",
    "invalid_filter": "overdue and done tasks asked at once",
    "unknown": "an import target that is not one",
    "unknown_source": "documents of a record type without them",
    "not_telegram": "a Telegram link asked of another line",
    "field_too_long": "a website form post",
    "invalid_event": "a provider's event that cannot be read",
}


# Field problems shown in the API's words in every language, on purpose: a document template's problem names its
# line and the template engine's own words, which its author needs as written to correct it; the refusal above it
# (error.<code>) says in the reader's language what kind of problem it is.
DETAILS_IN_API_WORDS = {"template_syntax", "template_error", "template_unsafe", "template_too_large",
                        "template_too_slow", "document_layout", "document_tag_refused", "document_too_long"}


def field_problem_types() -> set[str]:
    """Every details[].type chalicelib words itself: {"type": ..., "msg": ...} literals, the codes helpers give as
    a detail's type too, pydantic's custom errors and custom values' refusals (InvalidValue's kind)."""
    found: set[str] = set(collect()[2])
    for tree in _parsed().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                named = {key.value: value for key, value in zip(node.keys, node.values, strict=True)
                         if isinstance(key, ast.Constant)}
                if "msg" in named and "type" in named:
                    found |= _strings(named["type"])
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "PydanticCustomError" and node.args:
                    found |= _strings(node.args[0])
                elif name == "InvalidValue":
                    found |= _strings(node.args[1]) if len(node.args) > 1 else {"invalid_value"}
    return found


def test_every_field_problem_has_russian_words() -> None:
    # detailMessage shows a field's problem in the API's words on an English screen and by detail.<type> otherwise.
    types = field_problem_types()
    assert {"duplicate", "invalid_phone", "control_character", "not_an_option", "invalid_value"} <= types
    assert not (DETAILS_NEVER_SHOWN.keys() | DETAILS_IN_API_WORDS) - types, "an allowed type the API no longer gives"
    keys = message_keys()
    assert not {f"detail.{kind}" for kind in DETAILS_IN_API_WORDS} & keys.keys(), "in the API's words, or ours?"
    missing = sorted(kind for kind in types - DETAILS_NEVER_SHOWN.keys() - DETAILS_IN_API_WORDS
                     if f"detail.{kind}" not in keys)
    assert not missing, f"detail.<type> texts missing in messages*.js: {missing}"


def test_every_refusal_has_its_words_in_both_languages() -> None:
    codes, _ = api_error_codes()
    keys = message_keys()
    missing = sorted(code for code in codes - NEVER_SHOWN.keys() if f"error.{code}" not in keys)
    assert not missing, f"error.<code> texts missing in messages*.js: {missing}"
