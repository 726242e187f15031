"""Reading an exhibit's rows through DuckDB: the shared SQL pieces of the engine (no Django).

Every column is read as text, so that a value the sniffer would have typed wrongly (an
account id of digits with a leading zero, a timestamp in an unusual form) reaches the
engine as the witness wrote it; the engine casts what it needs and counts what fails.
"""

from __future__ import annotations

import csv
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


DELIMITERS = ",\t;|"
REJECTS = "csv_rejects"  # DuckDB's record of CSV lines it could not read, with their numbers


def csv_header(path: Path) -> tuple[list[str], str]:
    """The column names of a CSV file and its delimiter, from its first line."""
    # utf-8-sig: spreadsheet exports start with a byte-order mark that is not part of a name.
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as stream:
        first = stream.readline()
    delimiter = max(DELIMITERS, key=first.count)
    return next(csv.reader([first], delimiter=delimiter, quotechar='"')), delimiter


def relation_sql(path: Path, kind: str) -> str:
    """A FROM-clause item that reads the file with every column as VARCHAR.

    A CSV file is read with the dialect fixed from its header (not sniffed, so that a few
    broken lines cannot make the sniffer take the whole line for one column); a line with
    too many or too few fields, or an unclosed quote, is left out of the rows and recorded,
    with its number, in the REJECTS table, where the engine counts it as unreadable."""
    literal = quote_literal(str(path))
    if kind == "csv":
        names, delimiter = csv_header(path)
        columns = ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in names)
        return (
            f"read_csv({literal}, header = true, auto_detect = false, "
            f"delim = {quote_literal(delimiter)}, quote = '\"', escape = '\"', "
            f"columns = {{{columns}}}, store_rejects = true, rejects_table = '{REJECTS}', "
            f"rejects_scan = '{REJECTS}_scans', max_line_size = {16 * 2**20})"
        )
    if kind == "jsonl":
        # A line that is not JSON becomes a row of NULLs, which the engine counts as unreadable.
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


# Unix epoch times: 9 or 10 digits are seconds, 12 or 13 are milliseconds (both about 1973 to
# 2286), with an optional fraction. Eleven digits would be seconds after 2286 or milliseconds
# before 1973: neither is a log of today, so such a value stays unreadable.
EPOCH_SECONDS = r"\d{9,10}(\.\d+)?"
EPOCH_MILLISECONDS = r"\d{12,13}(\.\d+)?"


def instant_sql(text: str) -> str:
    """SQL reading text as an instant (TIMESTAMPTZ), NULL when it is none.

    ISO 8601 first (a naive value is read in the session's zone, one with an offset keeps
    it); then Unix epoch seconds or milliseconds, which count from 1970-01-01 UTC whatever
    the zone. Epoch values go through DECIMAL and whole microseconds, so a millisecond is
    never rounded away as it would be through a float."""
    value = f"trim({text})"
    micros = f"CAST(TRY_CAST({value} AS DECIMAL(20, 6)) * {{scale}} AS BIGINT)"
    return (
        f"coalesce(TRY_CAST({value} AS TIMESTAMPTZ), CASE "
        f"WHEN regexp_full_match({value}, '{EPOCH_SECONDS}') "
        f"THEN timezone('UTC', make_timestamp({micros.format(scale=1_000_000)})) "
        f"WHEN regexp_full_match({value}, '{EPOCH_MILLISECONDS}') "
        f"THEN timezone('UTC', make_timestamp({micros.format(scale=1_000)})) END)"
    )


def sha256_of(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
