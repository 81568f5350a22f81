"""``make bench``: run the benchmarks that exist and print one table.

So far: cold start (importing app.py against a bare ``import boto3``). The DynamoDB-requests,
overhead, ingest, large-tenant and cost benchmarks of the infrastructure issue are still to come.
"""

from __future__ import annotations

from bench import cold_start


def main() -> None:
    """Print the results table."""
    result = cold_start.measure()
    rows = [("cold start: import boto3", f"{result['boto3_s'] * 1000:.0f} ms", ""),
            ("cold start: import app", f"{result['app_s'] * 1000:.0f} ms", ""),
            ("cold start ratio", f"{result['ratio']:.2f}x", "target <= 1.30x")]
    width = max(len(name) for name, _, _ in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")


if __name__ == "__main__":
    main()
