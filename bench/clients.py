"""Python client drains, one process per run (so the harness's own Python
never competes with the client being measured).

    python clients.py psycopg|asyncpg HOST PORT USER DB SQL

Prints one JSON line: rows, seconds (query sent -> every row converted to
Python objects; connecting is not timed), or error.

- psycopg: psycopg 3, ``cursor(binary=True)`` + ``fetchall()`` (extended
  protocol, binary results).
- asyncpg: ``connection.fetch()`` (prepared statement, binary results),
  ``ssl=False`` so every server sees the same startup.
"""
import json
import sys
import time


def run_psycopg(host, port, user, db, sql):
    import psycopg
    with psycopg.connect(host=host, port=port, user=user, dbname=db, autocommit=True,
                         sslmode="disable") as conn:
        cur = conn.cursor(binary=True)
        t0 = time.perf_counter()
        cur.execute(sql)
        rows = cur.fetchall()
        secs = time.perf_counter() - t0
        return {"rows": len(rows), "seconds": secs}


def run_asyncpg(host, port, user, db, sql):
    import asyncio
    import asyncpg

    async def go():
        conn = await asyncpg.connect(host=host, port=int(port), user=user, database=db,
                                     ssl=False)
        try:
            t0 = time.perf_counter()
            rows = await conn.fetch(sql)
            secs = time.perf_counter() - t0
        finally:
            await conn.close(timeout=5)
        return {"rows": len(rows), "seconds": secs}

    return asyncio.run(go())


def main():
    kind, host, port, user, db, sql = sys.argv[1:7]
    fn = {"psycopg": run_psycopg, "asyncpg": run_asyncpg}[kind]
    try:
        out = fn(host, port, user, db, sql)
    except Exception as exc:  # a peer that cannot serve this client
        out = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
