"""Reading an exhibit's rows through DuckDB: the shared SQL pieces of the engine (no Django).

Every column is read as text, so that a value the sniffer would have typed wrongly (an
account id of digits with a leading zero, a timestamp in an unusual form) reaches the
engine as the witness wrote it; the engine casts what it needs and counts what fails.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

KINDS = ("csv", "jsonl")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    return "csv"


def relation_sql(path: Path, kind: str) -> str:
    """A FROM-clause item that reads the file with every column as VARCHAR."""
    literal = quote_literal(str(path))
    if kind == "csv":
        return f"read_csv({literal}, header = true, all_varchar = true, strict_mode = false)"
    if kind == "jsonl":
        return f"read_json({literal}, format = 'newline_delimited', ignore_errors = true)"
    raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")


def connect(*, threads: int = 2, memory_limit: str = "1GB", temp_dir: Path | None = None):
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = {quote_literal(memory_limit)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {quote_literal(str(temp_dir))}")
    return con


def columns(con, path: Path, kind: str) -> dict[str, str]:
    """Column name -> DuckDB type, in the file's order."""
    described = con.execute(f"DESCRIBE SELECT * FROM {relation_sql(path, kind)}").fetchall()
    return {row[0]: row[1] for row in described}


def text_of(column: str, column_type: str) -> str:
    """SQL giving a column as text (JSON Lines values may be numbers, mixed or nested)."""
    ident = quote_ident(column)
    if column_type == "VARCHAR":
        return ident
    if column_type == "JSON":
        return f"json_extract_string({ident}, '$')"
    return f"CAST({ident} AS VARCHAR)"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
