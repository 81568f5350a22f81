"""A template's text made into a document's HTML by Jinja2's sandbox, with bounds on what a template may cost.

The sandbox (``SandboxedEnvironment``) refuses attributes of Python's internals (``__class__``, ``mro``, a
function's globals ...); no loader is configured, so ``include``, ``import`` and ``extends`` find nothing. It
does not bound time or memory, so this module adds that: ``range`` gives at most ``MAX_RANGE`` numbers, loops
nest at most ``MAX_LOOP_DEPTH`` deep, macros and call blocks (recursion) are refused, ``*`` and ``**`` may not
make a huge string, list or number, the filters that pad or repeat are bounded, the output may not exceed
``MAX_OUTPUT`` characters, and rendering stops past ``SECONDS`` of CPU. The context holds only plain dicts, lists,
strings and numbers, and every value is HTML-escaped (autoescape), so a customer's name cannot inject markup.
Anything a template gets wrong is a :class:`TemplateProblem` (422 naming the line), never a 500.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from chalicelib.core import errors

if TYPE_CHECKING:
    from jinja2 import nodes

MAX_BODY = 64 * 1024
MAX_OUTPUT = 256 * 1024
MAX_RANGE = 1000
MAX_ITERATIONS = 10_000  # of one loop
LOOP_GUARD = "_loop_guard"
MAX_LOOP_DEPTH = 3
MAX_REPEAT = 10_000  # the longest string or list * may make, and the widest padding
SECONDS = 2.0
TEMPLATE_NAME = "<template>"
REFUSED_NODES = ("Macro", "CallBlock", "Include", "Import", "FromImport", "Extends")


class TemplateProblem(errors.ValidationError):
    """A template that cannot make a document: its line and what is wrong (422)."""

    def __init__(self, message: str, *, code: str, line: int | None, loc: tuple[str, ...] = ("body", "body")) -> None:
        where = f"Line {line}: " if line else ""
        super().__init__(f"{where}{message}", code=code, details=[
            {"loc": list(loc), "msg": f"{where}{message}", "type": code, "line": line}])


class _Deadline:
    """SECONDS of this thread's CPU: what a template costs, not how busy the machine is (a built-in invoice met a
    wall-clock limit on a loaded test machine; a template that spins burns CPU all the same)."""

    def __init__(self, seconds: float) -> None:
        self.until = time.thread_time() + seconds

    def check(self) -> None:
        if time.thread_time() > self.until:
            raise TemplateProblem("The template takes too long to render.", code="template_too_slow", line=None)


def _environment(deadline: _Deadline) -> Any:
    from jinja2.compiler import CodeGenerator
    from jinja2.runtime import markup_join, str_join
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    def bounded(text: Any) -> Any:
        if len(text) > MAX_OUTPUT:
            raise SecurityError(f"a text may not exceed {MAX_OUTPUT // 1024} KB")
        return text

    def loop_guard(iterable: Any) -> Iterator[Any]:
        for count, value in enumerate(iterable):
            if count >= MAX_ITERATIONS:
                raise SecurityError(f"a loop may run at most {MAX_ITERATIONS} times")
            deadline.check()
            yield value

    def bounded_range(*args: int) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise SecurityError(f"range() may give at most {MAX_RANGE} numbers")
        return numbers

    class Guarded(CodeGenerator):  # type: ignore[misc]
        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.bounded_concat(context.eval_ctx, (")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class Sandbox(SandboxedEnvironment):  # type: ignore[misc]
        intercepted_binops = frozenset({"*", "**"})
        code_generator_class = Guarded

        def bounded_concat(self, eval_ctx: Any, parts: tuple[Any, ...]) -> Any:
            deadline.check()
            return bounded((markup_join if eval_ctx.autoescape else str_join)(parts))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            deadline.check()
            if operator == "**":
                if not isinstance(left, int | float) or not isinstance(right, int | float) or abs(right) > 64:
                    raise SecurityError("** is allowed for small powers of numbers only")
                return left**right
            sized = left if isinstance(left, str | list | tuple) else right
            times = right if sized is left else left
            if isinstance(sized, str | list | tuple) and isinstance(times, int) and len(sized) * times > MAX_REPEAT:
                raise SecurityError(f"* may not make more than {MAX_REPEAT} characters or items")
            if isinstance(left, int) and isinstance(right, int) and max(abs(left), abs(right)) > 10**15:
                raise SecurityError("* is allowed for amounts of money, not astronomical numbers")
            return left * right

        def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
            # The sandbox's own answer is an undefined value that prints as nothing: a probe must fail loudly.
            raise SecurityError(f"{attribute!r} of {type(obj).__name__!r} is not available in templates")

        def getattr(self, obj: Any, attribute: str) -> Any:
            deadline.check()
            return super().getattr(obj, attribute)

        def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            deadline.check()
            return super().call(__context, __obj, *args, **kwargs)

    env = Sandbox(autoescape=True, undefined=_undefined(), trim_blocks=True, lstrip_blocks=True)
    env.globals = {"range": bounded_range, "dict": dict, LOOP_GUARD: loop_guard}  # no lipsum, cycler, namespace
    for name in ("center", "indent", "wordwrap", "format", "pprint", "urlize", "xmlattr", "random"):
        env.filters.pop(name, None)  # they pad, repeat or format without bound (or change from run to run)
    for name in ("join", "replace"):  # their results are bounded like a concatenation's
        env.filters[name] = _bounded_filter(env.filters[name], bounded)
    env.filters["money"] = _money_filter
    return env


def _bounded_filter(original: Any, bounded: Any) -> Any:
    from jinja2 import pass_eval_context

    @pass_eval_context
    def wrapped(eval_ctx: Any, *args: Any, **kwargs: Any) -> Any:
        return bounded(original(eval_ctx, *args, **kwargs))

    return wrapped


def _undefined() -> Any:
    from jinja2 import ChainableUndefined

    return ChainableUndefined  # a field the record lacks prints as nothing, like an empty one


def _money_filter(minor: Any, currency: str, locale: str = "en") -> str:
    from chalicelib.documents import wording

    if not isinstance(minor, int) or not isinstance(currency, str) or abs(minor) > 10**15:
        return ""
    return wording.money(minor, currency.upper(), wording.locale_of(locale))


def _template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _loop_depth(node: nodes.Node, depth: int = 0) -> int:
    from jinja2 import nodes as n

    here = depth + 1 if isinstance(node, n.For) else depth
    return max([here, *(_loop_depth(child, here) for child in node.iter_child_nodes())])


def _parse(env: Any, body: str, loc: tuple[str, ...]) -> nodes.Template:
    """The template's tree, refused when it reaches for what documents do not offer; every loop guarded."""
    from jinja2 import TemplateSyntaxError, nodes

    try:
        tree = env.parse(body)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "The template cannot be read.", code="template_syntax",
                              line=exc.lineno, loc=loc) from None
    for kind in REFUSED_NODES:
        for found in tree.find_all(getattr(nodes, kind)):
            raise TemplateProblem(f"{kind.lower()} is not available in document templates.",
                                  code="template_unsafe", line=found.lineno, loc=loc)
    if _loop_depth(tree) > MAX_LOOP_DEPTH:
        raise TemplateProblem(f"Loops may nest at most {MAX_LOOP_DEPTH} deep.", code="template_unsafe",
                              line=None, loc=loc)
    for loop in tree.find_all(nodes.For):  # each step of every loop checks the deadline
        loop.iter = nodes.Call(nodes.Name(LOOP_GUARD, "load", lineno=loop.lineno), [loop.iter], [], None, None,
                               lineno=loop.lineno)
    return tree


def check(body: str, *, loc: tuple[str, ...] = ("body", "body")) -> None:
    """422 for a template that cannot be compiled or reaches for what documents do not offer (naming the line)."""
    from jinja2 import TemplateSyntaxError

    env = _environment(_Deadline(SECONDS))
    try:
        env.from_string(_parse(env, body, loc))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "The template cannot be read.", code="template_syntax",
                              line=exc.lineno, loc=loc) from None


def render(body: str, context: dict[str, Any], *, loc: tuple[str, ...] = ("body", "body")) -> str:
    """The HTML a template makes with a document's context (plain values only); 422 naming the line otherwise."""
    from jinja2 import TemplateError
    from jinja2.sandbox import SecurityError

    deadline = _Deadline(SECONDS)
    env = _environment(deadline)
    try:
        template = env.from_string(_parse(env, body, loc))
        parts: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateProblem(f"The document would exceed {MAX_OUTPUT // 1024} KB of text.",
                                      code="template_too_large", line=None, loc=loc)
            deadline.check()
            parts.append(chunk)
        return "".join(parts)
    except TemplateProblem:
        raise
    except SecurityError as exc:
        raise TemplateProblem(str(exc), code="template_unsafe", line=_template_line(exc.__traceback__),
                              loc=loc) from None
    except TemplateError as exc:
        raise TemplateProblem(str(exc.message or exc), code="template_error", line=_template_line(exc.__traceback__),
                              loc=loc) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError, MemoryError) as exc:
        raise TemplateProblem(f"{type(exc).__name__}: {str(exc)[:200]}", code="template_error",
                              line=_template_line(exc.__traceback__), loc=loc) from None
