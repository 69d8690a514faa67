"""buenavista 0.5.0 serving the benchmark rows from DuckDB (its own example's
setup: ``buenavista.examples.duckdb_postgres.create``), on a free port.

    python buenavista_server.py --parquet bulk.parquet

Prints ``{"host":..,"port":..}`` once listening. Runs in its own venv
(bench/.peers/buenavista-venv), never the project's.
"""
import argparse
import json

import duckdb
from buenavista.examples import duckdb_postgres


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parquet", required=True)
    args = ap.parse_args()
    db = duckdb.connect()
    db.execute("CREATE TABLE bulk AS SELECT * FROM read_parquet(?)", [args.parquet])
    server = duckdb_postgres.create(db, ("127.0.0.1", 0))
    host, port = server.server_address
    print(json.dumps({"host": host, "port": port}), flush=True)
    try:
        server.serve_forever()
    finally:
        server.shutdown()
        db.close()


if __name__ == "__main__":
    main()
