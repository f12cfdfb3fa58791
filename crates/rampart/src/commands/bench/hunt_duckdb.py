"""DuckDB side of `rampart bench hunt`: the same queries over the same Parquet files.

Reads a JSON job on stdin: {"lake": DIR, "tables": [...], "runs": N, "queries": [[name, sql], ...]}
and prints one JSON line per query: {"name", "ms": [...], "rows"}.
"""
import json
import sys
import time

import duckdb

job = json.load(sys.stdin)
con = duckdb.connect()
for t in job["tables"]:
    con.execute(f"CREATE VIEW \"{t}\" AS SELECT * FROM read_parquet('{job['lake']}/lake/tables/{t}/**/*.parquet')")
for name, sql in job["queries"]:
    rows = len(con.execute(sql).fetchall())  # warm-up, as on the Rampart side
    times = []
    for _ in range(job["runs"]):
        start = time.perf_counter()
        rows = len(con.execute(sql).fetchall())
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"name": name, "ms": times, "rows": rows}), flush=True)
