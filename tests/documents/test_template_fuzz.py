"""Templates fuzzed (#23): generated Jinja2 and HTML fragments, probes of Python's internals, huge and looping
templates, through the preview and the template routes. Every answer is a PDF or a clear 422 naming the problem,
never a 500, and nothing is stored by a refused template."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Company, signup
from tests.support import ApiClient, body

PIECES = ["{{", "}}", "{%", "%}", "{#", "#}", " for x in lines ", " endfor ", " if ", " endif ", " set a = ",
          "document.number", "customer.name", "lines", "|upper", "|join(',')", "|money('EUR')", "'x'", "*", "**",
          "~", "(", ")", "[", "]", ".", "__class__", "__globals__", "mro()", "range(", "999999", "<table>", "<tr>",
          "<td>", "</td>", "</tr>", "</table>", "<h1>", "<b>", "<img src=x>", "<font face='x'>", "Счёт", "\n", " "]
ESCAPES = [
    "{{ ''.__class__.__mro__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ document.__class__.__init__.__globals__ }}", "{{ lines.__len__ }}", "{{ self._TemplateReference__context }}",
    "{{ cycler.__init__.__globals__.os }}", "{{ joiner }}{{ namespace() }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ ('a' * 9000) * 9000 }}", "{{ range(10 ** 9) }}", "{% set a = 'x' * 9999 %}{{ (a ~ a ~ a) * 2 }}",
    "{% for a in range(999) %}{% for b in range(999) %}{% for c in range(999) %}{% endfor %}{% endfor %}{% endfor %}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "{% extends 'base.html' %}", "{% import 'x' as y %}",
    "{{ 'x'|center(999999999) }}", "{{ '%s'|format(1) }}", "{{ 9 ** 999999 }}",
]


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Fuzzed Papers")


@pytest.mark.parametrize("template", ESCAPES)
def test_escapes_and_bombs_are_422(client: ApiClient, company: Company, template: str) -> None:
    answer = client.post("/api/v1/document-templates/preview", {"type": "invoice", "body": template},
                         token=company.owner.token)
    assert answer.status_code == 422, (template, answer.status_code, answer.body)
    assert body(answer)["error"]["code"].startswith("template_"), answer.body


def test_what_a_template_does_not_have_prints_nothing(client: ApiClient, company: Company) -> None:
    answer = client.post("/api/v1/document-templates/preview", {"type": "invoice", "body": (
        "<p>[{{ config }}{{ request }}{{ customer.nothing.deeper }}] <i>курсив</i> <b><em>both</em></b></p>")},
        token=company.owner.token)
    assert answer.status_code == 200, answer.body


def test_a_huge_template_is_refused_by_its_size(client: ApiClient, company: Company) -> None:
    huge = "<p>" + "x" * (64 * 1024) + "</p>"
    for path in ("/api/v1/document-templates/preview", "/api/v1/document-templates"):
        answer = client.post(path, {"type": "invoice", "name": "Huge", "body": huge} if path.endswith("templates")
                             else {"type": "invoice", "body": huge}, token=company.owner.token)
        assert answer.status_code == 422, answer.body
    assert body(client.get("/api/v1/document-templates", token=company.owner.token))["items"] == []


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=25))
def test_generated_templates_answer_a_pdf_or_a_422(client: ApiClient, company: Company, pieces: list[str]) -> None:
    template = "".join(pieces) or "x"
    answer = client.post("/api/v1/document-templates/preview", {"type": "quote", "body": template},
                         token=company.owner.token)
    assert answer.status_code in (200, 422), (template, answer.status_code, answer.body)
    made = client.post("/api/v1/document-templates", {"type": "quote", "name": "Fuzzed", "body": template},
                       token=company.owner.token)
    assert made.status_code in (201, 422), (template, made.status_code, made.body)
    if made.status_code == 201:
        assert client.delete(f"/api/v1/document-templates/{body(made)['id']}",
                             token=company.owner.token).status_code == 204
