"""Where a riffq server's baseline RSS comes from (the idle-connections target).

    .venv/bin/python bench/rss_baseline.py [DRAIN]

Prints a markdown table of this process's RssAnon/RssFile after each step:
bare interpreter, ``import riffq`` (which imports pyarrow), the first
pyarrow RecordBatch, a started server, 1,000 idle connections (opened by the
C drain client, bench/out/drain by default). Then the same for the C core
alone in a child process (``--core-only``): ``riffq._core`` loaded without
the ``riffq`` package, so pyarrow is never imported, which is what a riffq
that imported pyarrow lazily would cost a server that never touches it.
"""
import glob
import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
import types


def rss():
    s = open("/proc/self/status").read()
    get = lambda k: int(re.search(rf"{k}:\s+(\d+)", s).group(1)) / 1024  # noqa: E731
    return get("RssAnon"), get("RssFile")


def idle(drain, port):
    """Open 1,000 idle connections; returns the process that holds them."""
    p = subprocess.Popen([drain, "-p", str(port), "-I", "1000"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    p.stdout.readline()
    time.sleep(1)
    return p


def core_only(drain):
    """riffq._core without the riffq package (no pyarrow), serving idle clients."""
    rows = [("python3, nothing imported", *rss())]
    sys.modules["riffq"] = types.ModuleType("riffq")
    sys.modules["riffq"].__path__ = []
    so = next(f for d in sys.path if d and os.path.isdir(os.path.join(d, "riffq"))
              for f in glob.glob(os.path.join(d, "riffq", "_core*.so")))
    loader = importlib.machinery.ExtensionFileLoader("riffq._core", so)
    core = importlib.util.module_from_spec(
        importlib.util.spec_from_file_location("riffq._core", so, loader=loader))
    loader.exec_module(core)
    rows.append(("load riffq._core only", *rss()))
    server = core.Server("127.0.0.1:0")
    server.on_query(lambda *a, **k: None)
    ready = threading.Event()
    port = []
    server.on_ready(lambda h, p: (port.append(p), ready.set()))
    t = threading.Thread(target=server.start, daemon=True)
    t.start()
    ready.wait(10)
    rows.append(("server started", *rss()))
    p = idle(drain, port[0])
    rows.append(("+ 1,000 idle connections", *rss()))
    assert "pyarrow" not in sys.modules
    p.stdin.close()
    p.wait()
    server.stop()
    t.join(10)
    return rows


def table(rows):
    print("| step | RssAnon MB | RssFile MB | RSS MB |")
    print("|---|--:|--:|--:|")
    for name, anon, file in rows:
        print(f"| {name} | {anon:.1f} | {file:.1f} | {anon + file:.1f} |")


def main():
    args = [a for a in sys.argv[1:] if a != "--core-only"]
    drain = args[0] if args else "bench/out/drain"
    if "--core-only" in sys.argv:
        table(core_only(drain))
        return
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
    p = idle(drain, port[0])
    rows.append(("+ 1,000 idle connections", *rss()))
    p.stdin.close()
    p.wait()
    server._server.stop()
    t.join(10)
    table(rows)
    print()
    sys.stdout.flush()
    subprocess.run([sys.executable, __file__, "--core-only", drain], check=True)


if __name__ == "__main__":
    main()
