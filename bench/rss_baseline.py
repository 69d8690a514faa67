"""Where a riffq server's baseline RSS comes from (the idle-connections target).

    .venv/bin/python bench/rss_baseline.py [DRAIN]

Prints a markdown table of this process's RssAnon/RssFile after each step:
bare interpreter, ``import riffq`` (which imports pyarrow), the first
pyarrow RecordBatch, a started server, 1,000 idle connections (opened by the
C drain client, bench/out/drain by default).
"""
import re
import subprocess
import sys
import threading
import time


def rss():
    s = open("/proc/self/status").read()
    get = lambda k: int(re.search(rf"{k}:\s+(\d+)", s).group(1)) / 1024  # noqa: E731
    return get("RssAnon"), get("RssFile")


def main():
    drain = sys.argv[1] if len(sys.argv) > 1 else "bench/out/drain"
    rows = [("python3, nothing imported", *rss())]
    import riffq
    rows.append(("import riffq (imports pyarrow)", *rss()))
    import pyarrow as pa
    batch = pa.record_batch([pa.array([1], pa.int32())], names=["?column?"])
    rows.append(("first pyarrow RecordBatch", *rss()))

    class Conn(riffq.BaseConnection):
        def handle_query(self, sql, callback=callable, **kw):
            self.send_reader(batch, callback)

    server = riffq.RiffqServer("127.0.0.1:0", connection_cls=Conn)
    ready = threading.Event()
    port = []
    server._server.on_ready(lambda h, p: (port.append(p), ready.set()))
    t = threading.Thread(target=server.start, daemon=True)
    t.start()
    ready.wait(10)
    subprocess.run([drain, "-p", str(port[0]), "-c", "select 1"], capture_output=True, check=True)
    rows.append(("server started, one query answered", *rss()))
    p = subprocess.Popen([drain, "-p", str(port[0]), "-I", "1000"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    p.stdout.readline()
    time.sleep(1)
    rows.append(("+ 1,000 idle connections", *rss()))
    p.stdin.close()
    p.wait()
    server._server.stop()
    t.join(10)
    print("| step | RssAnon MB | RssFile MB | RSS MB |")
    print("|---|--:|--:|--:|")
    for name, anon, file in rows:
        print(f"| {name} | {anon:.1f} | {file:.1f} | {anon + file:.1f} |")


if __name__ == "__main__":
    main()
