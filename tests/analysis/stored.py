"""Generated logs stored as exhibit files of a matter, as an upload would leave them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from casemgr.access.models import Clearance
from casemgr.analysis import sources
from casemgr.evidence import storage
from tests.analysis import generate
from tests.factories import ExhibitFileFactory


def stored_file(world, tmp_path: Path, *, designation=Clearance.STANDARD, seed=21):
    """(truth, ExhibitFile) of a generated log with the planted ring, in world.matter."""
    path = tmp_path / "logs.csv"
    truth = generate.write_csv(path, seed, customers=60)
    return truth, store(world, path, designation=designation)


def store(world, path: Path, *, designation=Clearance.STANDARD):
    sha = sources.sha256_of(path)
    return ExhibitFileFactory(
        exhibit__matter=world.matter,
        exhibit__designation=designation,
        exhibit__created_by=world.partner,
        kind="csv",
        mime="text/csv",
        original_name=path.name,
        sha256=sha,
        size=path.stat().st_size,
        storage_key=storage.store_path(path, sha),
    )


def write_large_csv(path: Path, *, seed: int, bulk_rows: int) -> generate.Truth:
    """The generated log with `bulk_rows` rows of ordinary traffic added, written by DuckDB
    (a million rows in about a second): enough to keep a run busy for a few seconds."""
    ring = path.with_name("ring.csv")
    truth = generate.write_csv(ring, seed, customers=60)
    # The paths go through quote_literal, the count through int().
    duckdb.connect().execute(
        f"""
        COPY (
            SELECT
                strftime(TIMESTAMP '2026-03-02' + to_seconds((i * 7919) % (14 * 86400)),
                         '%Y-%m-%dT%H:%M:%SZ') AS request_time,
                'bulk-' || lpad(CAST(i % 5000 AS VARCHAR), 5, '0') AS api_key_id,
                'Bulk Org ' || CAST(i % 300 AS VARCHAR) AS org_id,
                '10.' || CAST(i % 200 AS VARCHAR) || '.' || CAST((i // 200) % 250 AS VARCHAR)
                    || '.' || CAST(i % 250 + 1 AS VARCHAR) AS client_ip,
                'python-requests/2.32' AS user_agent,
                'frontier-1' AS model,
                '/v1/chat' AS endpoint,
                'Summarise note number ' || CAST(i % 100000 AS VARCHAR)
                    || ' in a few bullet points' AS prompt,
                '12' AS prompt_tokens,
                '300' AS completion_tokens,
                '200' AS status,
                -- Four hours apart: a creation window holds a handful, and only corroborates.
                strftime(TIMESTAMP '2023-01-01' + to_hours((i % 5000) * 4),
                         '%Y-%m-%dT%H:%M:%SZ') AS account_created
            FROM range({int(bulk_rows)}) AS t(i)
            UNION ALL
            SELECT *
            FROM read_csv({sources.quote_literal(str(ring))}, all_varchar = true, header = true)
        ) TO {sources.quote_literal(str(path))} (HEADER true)
        """  # noqa: S608
    )
    ring.unlink()
    truth.rows += bulk_rows
    return truth
