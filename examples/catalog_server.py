"""The seed example's dataset with catalog emulation: psql's \\d, DBeaver,
DataGrip, SQLAlchemy... can browse it.

    .venv/bin/python examples/catalog_server.py   # after `make demo` made data/
    psql "host=127.0.0.1 port=5434 user=user dbname=demo" -c '\\dv'
"""
import logging

import duckdb

import riffq

logging.basicConfig(level=logging.INFO)


class Connection(riffq.BaseConnection):
    def handle_query(self, sql, callback=callable, **kwargs):
        self.executor.submit(self._run, sql, callback, kwargs.get("query_args"))

    def _run(self, sql, callback, args):
        word = sql.strip().split(None, 1)[0].upper() if sql.strip() else ""
        if word in ("SAVEPOINT", "RELEASE"):  # DuckDB has none; psycopg's
            callback(word, is_tag=True)         # TypeInfo.fetch uses them
            return
        try:
            cur = cursors.setdefault(self.conn_id, con.cursor())  # its own transactions
            callback(cur.execute(sql, args).fetch_record_batch())
        except duckdb.Error as exc:
            callback(("ERROR", "42000", str(exc).split("\n")[0]), is_error=True)

    def handle_disconnect(self, ip, port, callback=callable):
        cur = cursors.pop(self.conn_id, None)
        if cur is not None:
            cur.close()
        callback(True)


def main():
    global con, cursors
    con, cursors = duckdb.connect(), {}
    con.execute("CREATE VIEW klines AS SELECT * FROM 'data/klines.parquet'")
    con.execute("COMMENT ON VIEW klines IS 'demo candles (scripts/gen_demo_data.py)'")
    server = riffq.RiffqServer("127.0.0.1:5434", connection_cls=Connection)
    server.register_duckdb(con, database="demo", schemas=["main"])
    server.start(catalog_emulation=True)


if __name__ == "__main__":
    main()
