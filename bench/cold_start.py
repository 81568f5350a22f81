"""Cold start: importing app.py in a fresh interpreter against a bare ``import boto3``, as a ratio.

Each import runs in its own fresh interpreter, alternating, several times; the medians are
compared, so the ratio holds whatever else the machine is doing. app.py imports no route module
(each loads with its first request, see ``chalicelib/core/routing.py``), so more figures say
what that moves rather than hides: the import plus what the first contact-card request loads
(the contacts routes, the session check, boto3), and the import plus every route module (what a
cold start cost before).

The cold Lambda's first contact-card request (#22 target 4) is measured whole: a fresh interpreter
imports the app and answers one card (bench.cold_card), with the embedded AWS in another process
(bench.aws_process), so everything the request loads and every request it makes is on the path. Its
CPU up to its answer (the child's user and system time, interpreter start included, read by the child itself:
Lambda freezes an environment after its answer and never bills the interpreter's shutdown) is set against a
fresh interpreter's CPU up to the end of a bare ``import boto3``.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "CRM_STAGE": "bench", "AWS_DEFAULT_REGION": "eu-west-1", "PYTHONDONTWRITEBYTECODE": "0"}


def _time_import(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], cwd=ROOT, env=ENV, check=True)
    return time.perf_counter() - started


# The module the route table names for the card (contacts.card.routes since #22; contacts.routes before).
FIRST_CARD = ("import app, boto3; from chalicelib.core import routing; "
              "routing.load(routing.module_of('/api/v1/contacts/{contact_id}', 'GET')); "
              "import chalicelib.identity.sessions")
EVERYTHING = "import app, boto3; from chalicelib.core import routing; routing.load_all()"


def measure(runs: int = 7) -> dict[str, Any]:
    """Median seconds of a fresh interpreter importing boto3, the app, the app and a first card, everything."""
    _time_import(EVERYTHING)  # warm the bytecode cache, as a deployed bundle would have
    statements = {"boto3_s": "import boto3", "app_s": "import app", "first_card_s": FIRST_CARD,
                  "all_s": EVERYTHING}
    times: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(runs):
        for name, statement in statements.items():
            times[name].append(_time_import(statement))
    found = {name: statistics.median(values) for name, values in times.items()}
    base = found["boto3_s"]
    return {**found, "ratio": found["app_s"] / base, "first_card_ratio": found["first_card_s"] / base,
            "all_ratio": found["all_s"] / base, "breakdown": breakdown(), "first_request": first_card(runs)}


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")
GROUPS = [("our pydantic schemas (chalicelib.*.schemas)", re.compile(r"^chalicelib\.\w+\.schemas$")),
          ("the rest of chalicelib and app.py", re.compile(r"^(chalicelib|app$)")),
          ("boto3/botocore/urllib3 (the baseline)",
           re.compile(r"^(boto3|botocore|urllib3|jmespath|dateutil|s3transfer)")),
          ("pydantic", re.compile(r"^(pydantic|annotated_types|typing_inspection)")),
          ("chalice", re.compile(r"^chalice")), ("pynamodb", re.compile(r"^pynamodb")),
          ("powertools", re.compile(r"^aws_lambda_powertools")), ("phonenumbers", re.compile(r"^phonenumbers")),
          ("cryptography", re.compile(r"^cryptography")), ("python-ulid", re.compile(r"^ulid"))]


def breakdown() -> dict[str, float]:
    """Seconds of the import and a first card spent in each group of modules (``-X importtime`` self times)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", FIRST_CARD], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, check=True)
    totals: dict[str, float] = {name: 0.0 for name, _ in GROUPS}
    totals["standard library and others"] = 0.0
    for found in IMPORT_LINE.finditer(done.stderr):
        module, seconds = found.group(2), int(found.group(1)) / 1e6
        group = next((name for name, pattern in GROUPS if pattern.match(module)), "standard library and others")
        totals[group] += seconds
    return totals


FIRST_REQUEST_TARGET = 2.0


def table(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, target/status) lines for the summary table."""
    rows = [("cold start: import boto3", f"{result['boto3_s'] * 1000:.0f} ms", "wall, fresh interpreter"),
            ("cold start: import app", f"{result['app_s'] * 1000:.0f} ms",
             f"{result['ratio']:.2f}x boto3; target <= 1.30x: {'ok' if result['ratio'] <= 1.3 else 'MISSED'}"),
            ("cold start: import app + a first card's modules", f"{result['first_card_s'] * 1000:.0f} ms",
             f"{result['first_card_ratio']:.2f}x boto3 (route modules load on first use)"),
            ("cold start: import app + every route module", f"{result['all_s'] * 1000:.0f} ms",
             f"{result['all_ratio']:.2f}x boto3")]
    first = result.get("first_request")
    if first:
        met = first["ratio"] <= FIRST_REQUEST_TARGET
        rows.append(("cold start: Init + first contact card (CPU)", f"{first['card_cpu_s'] * 1000:.0f} ms",
                     f"{first['ratio']:.2f}x a bare import boto3 ({first['boto3_cpu_s'] * 1000:.0f} ms CPU); "
                     f"target < {FIRST_REQUEST_TARGET:.0f}x: {'ok' if met else 'MISSED'}"))
        if "sdk_cpu_s" in first:
            rows.append(("cold start: floor, the card's clients and requests in bare boto3 (CPU)",
                         f"{first['sdk_cpu_s'] * 1000:.0f} ms",
                         f"{first['sdk_ratio']:.2f}x a bare import boto3 ({first['requests']} requests; "
                         "bench.cold_floor)"))
            rows.append(("cold start: floor, the same after importing the card's libraries (CPU)",
                         f"{first['stack_cpu_s'] * 1000:.0f} ms",
                         f"{first['stack_ratio']:.2f}x a bare import boto3; the card is {first['over_stack']:.2f}x it"))
    rows += [(f"cold start: {name}", f"{seconds * 1000:.0f} ms", "self time, -X importtime")
             for name, seconds in result.get("breakdown", {}).items() if seconds >= 0.005]
    return rows


def _child_cpu(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """CPU seconds (user + system) and wall seconds of a child process, and what it printed."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, done.stdout


def _seed_card() -> None:
    """``python -m bench.cold_start seed``: a tenant with a contact on the running embedded AWS; prints its
    contact id and an access token (run in its own interpreter: the measuring one never imports the app)."""
    from bench import harness
    from local import aws

    endpoint = os.environ["CRM_AWS_ENDPOINT_URL"]
    harness.prepare_environment()
    aws.point_sdks_at(endpoint)
    aws.provision()
    from app import app

    harness.quiet_logs()
    api, _ = harness.sign_up(app)
    contact = api.ok("POST", "/api/v1/contacts", {"first_name": "Anna", "last_name": "Karenina",
                                                  "phones": [{"number": "+442079460001"}],
                                                  "emails": [{"address": "anna@example.com"}]})
    print("CARD", contact["id"], api.token, flush=True)


# The floor: a fresh interpreter's CPU up to the end of a bare ``import boto3`` (its shutdown left out, as the card's).
BARE_BOTO3 = "import boto3; from bench.cold_card import cpu_so_far; print(f'{cpu_so_far():.6f}')"


def first_card(runs: int = 7) -> dict[str, Any]:
    """Medians of a cold Lambda's Init plus first contact-card request, and of a bare ``import boto3``."""
    from bench import cpu, harness

    with cpu._aws_process() as (endpoint, replay), tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, **harness.BENCH_ENV, "CRM_AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL": endpoint,
               "POWERTOOLS_METRICS_DISABLED": "false", "PYTHONDONTWRITEBYTECODE": "0"}
        seeded = subprocess.run([sys.executable, "-m", "bench.cold_start", "seed"], cwd=ROOT, env=env,
                                capture_output=True, text=True, check=True).stdout
        contact_id, token = next(line for line in seeded.splitlines() if line.startswith("CARD ")).split()[1:]
        card = [sys.executable, "-m", "bench.cold_card", contact_id, token]
        _child_cpu(card, env)  # warm the bytecode cache, as a deployed bundle would have
        recorded = str(Path(scratch) / "card_requests.json")  # the card's requests and answers, for the floors
        subprocess.run([sys.executable, "-m", "bench.cold_floor", "record", recorded, contact_id, token], cwd=ROOT,
                       env=env, capture_output=True, check=True)
        floors = {name: [sys.executable, "-m", "bench.cold_floor", name, recorded, replay] for name in ("sdk", "stack")}
        for command in floors.values():  # warm their bytecode too
            _replay_load(replay, recorded)
            _child_cpu(command, env)
        samples: dict[str, list[tuple[float, float]]] = {"card": [], "boto3": [], "sdk": [], "stack": []}
        requests = 0
        for _ in range(runs):
            _, wall_s, printed = _child_cpu(card, env)
            status, cpu_s = printed.split()[-2:]
            if status != "200":
                raise RuntimeError(f"the cold card answered {printed!r}")
            samples["card"].append((float(cpu_s), wall_s))
            _, wall_s, printed = _child_cpu([sys.executable, "-c", BARE_BOTO3], env)
            samples["boto3"].append((float(printed.split()[-1]), wall_s))
            for name, command in floors.items():
                _replay_load(replay, recorded)
                _, wall_s, printed = _child_cpu(command, env)
                count, cpu_s = printed.split()[-2:]
                requests = int(count)
                samples[name].append((float(cpu_s), wall_s))
    found = {f"{name}_{kind}": statistics.median(sample[index] for sample in values)
             for name, values in samples.items() for index, kind in enumerate(("cpu_s", "wall_s"))}
    return {**found, "ratio": found["card_cpu_s"] / found["boto3_cpu_s"], "runs": runs, "requests": requests,
            "sdk_ratio": found["sdk_cpu_s"] / found["boto3_cpu_s"],
            "stack_ratio": found["stack_cpu_s"] / found["boto3_cpu_s"],
            "over_stack": found["card_cpu_s"] / found["stack_cpu_s"]}


def _replay_load(replay: str, recorded: str) -> None:
    """Queue the card's recorded answers on the replay server (the parent does it: no CPU of the measured child)."""
    import json
    import urllib.request

    from bench import cold_floor

    headers = {"X-Bench-Control": "load", "Content-Type": "application/json"}
    load = urllib.request.Request(replay + "/load", data=json.dumps(cold_floor.answers(recorded)).encode(),
                                  method="POST", headers=headers)
    with urllib.request.urlopen(load, timeout=10) as answer:
        answer.read()


if __name__ == "__main__" and sys.argv[1:] == ["seed"]:
    _seed_card()
elif __name__ == "__main__":
    result = measure()
    print(f"import boto3: {result['boto3_s'] * 1000:.0f} ms  import app: {result['app_s'] * 1000:.0f} ms  "
          f"ratio {result['ratio']:.2f} (target <= 1.3); with a first card's modules "
          f"{result['first_card_s'] * 1000:.0f} ms ({result['first_card_ratio']:.2f}x); every module "
          f"{result['all_s'] * 1000:.0f} ms ({result['all_ratio']:.2f}x)")
    first = result["first_request"]
    print(f"a cold Lambda's Init and first contact card: {first['card_cpu_s'] * 1000:.0f} ms CPU, "
          f"{first['ratio']:.2f}x a bare import boto3's {first['boto3_cpu_s'] * 1000:.0f} ms "
          f"(target < {FIRST_REQUEST_TARGET:.0f}x)")
    print(f"its floors: the card's {first['requests']} requests and their clients in bare boto3 "
          f"{first['sdk_cpu_s'] * 1000:.0f} ms ({first['sdk_ratio']:.2f}x); the same after importing the card's "
          f"libraries {first['stack_cpu_s'] * 1000:.0f} ms ({first['stack_ratio']:.2f}x; the card is "
          f"{first['over_stack']:.2f}x it)")
