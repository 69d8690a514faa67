"""Flame graph (PNG, matplotlib) and folded stacks from `perf script` output.

    perf record -F 499 --call-graph dwarf -p PID -o perf.data -- sleep 5
    perf script -i perf.data | python bench/flame.py OUT.png "title" [--folded OUT.txt]

Frames are folded root-first per sample (thread names collapsed: worker
threads show up as start_thread;worker_main;...). Boxes narrower than 0.4%
of the samples are left unlabelled.
"""
import argparse
import re
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FRAME = re.compile(r"^\s+[0-9a-f]+\s+(.+?)\s+\((.*)\)\s*$")


MAX_DEPTH = 32  # deeper frames (kernel internals) are cut to keep the PNG small
ROOTS = ("uv_run", "start_thread")  # thread entry points: frames below are noise


def _key(frames):
    stack = list(reversed(frames))
    for i, f in enumerate(stack):
        if f in ROOTS:
            stack = stack[i:]
            break
    return ";".join(stack)


def fold(lines):
    stacks = defaultdict(int)
    frames = []
    for line in lines:
        if not line.strip():
            if frames:
                stacks[_key(frames)] += 1
            frames = []
            continue
        m = FRAME.match(line)
        if m:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(1))
            if sym == "[unknown]":
                sym = "[" + m.group(2).rsplit("/", 1)[-1] + "]"
            frames.append(sym)
    if frames:
        stacks[_key(frames)] += 1
    return stacks


def tree(stacks):
    root = {"n": 0, "kids": {}}
    for stack, n in stacks.items():
        node = root
        node["n"] += n
        for f in stack.split(";"):
            node = node["kids"].setdefault(f, {"n": 0, "kids": {}})
            node["n"] += n
    return root


def draw(root, out, title):
    total = root["n"]
    boxes = []

    def walk(node, x, depth):
        for name, kid in sorted(node["kids"].items()):
            w = kid["n"] / total
            boxes.append((x, depth, w, name, kid["n"]))
            walk(kid, x, depth + 1)
            x += w

    walk(root, 0.0, 0)
    boxes = [b for b in boxes if b[1] < MAX_DEPTH and b[2] > 0.001]
    depth = max((b[1] for b in boxes), default=0) + 1
    fig, ax = plt.subplots(figsize=(16, max(4, 0.22 * depth + 1)))
    for x, d, w, name, n in boxes:
        hue = (sum(map(ord, name)) % 8) / 8
        ax.add_patch(plt.Rectangle((x, d), w, 0.95, color=(0.85 + 0.15 * hue, 0.35 + 0.5 * hue,
                                                           0.2), linewidth=0))
        if w > 0.004:
            chars = int(w * 230)
            label = name if len(name) <= chars else name[:max(0, chars - 1)] + "…"
            ax.text(x + 0.001, d + 0.45, label, fontsize=6, va="center", clip_on=True)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, depth)
    ax.set_yticks([])
    ax.set_xlabel("share of samples")
    ax.set_title(f"{title} ({total} samples)")
    fig.tight_layout()
    # A 64-colour palette PNG: a few times smaller than matplotlib's RGBA.
    import io
    from PIL import Image
    buf = io.BytesIO()
    fig.savefig(buf, dpi=60, format="png")
    Image.open(buf).convert("RGB").quantize(64).save(out, optimize=True)


# First match wins: (category, substrings of the folded stack).
CATEGORIES = (
    ("Python thread state create/destroy (PyGILState_Ensure/Release on a "
     "thread without one)", ("PyThreadState_New", "PyThreadState_Clear", "PyThreadState_Delete",
                             "_PyThreadState_BumpFramePointerSlow", "tstate_delete",
                             "new_threadstate", "_PyObject_VirtualFree", "free_threadstate")),
    ("GIL hand-off (take_gil/drop_gil)", ("take_gil", "drop_gil")),
    ("Python code (handler, callback, capsule)", ("_PyEval_EvalFrameDefault",)),
    ("worker pool: wait for / wake a worker, pool mutex", (
        "wait_task", "rq_pool_submit", "worker_main;___pthread_mutex_lock",
        "worker_main;__GI___pthread_mutex_unlock")),
    ("loop wake-ups (uv_async_send / eventfd)", ("uv_async_send", "uv__async_io", "on_wake;[")),
    ("socket writes", ("uv_write", "uv__write", "__libc_write")),
    ("socket reads", ("uv__read", "__libc_read", "on_read;")),
    ("encoding rows", ("rq_rowplan_encode", "rq_enc_")),
)


def summary(stacks):
    total = sum(stacks.values())
    acc = defaultdict(int)
    for stack, n in stacks.items():
        for name, keys in CATEGORIES:
            if any(k in stack for k in keys):
                acc[name] += n
                break
        else:
            acc["other"] += n
    return [(name, acc[name] / total) for name in [c[0] for c in CATEGORIES] + ["other"]
            if acc[name]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("title")
    ap.add_argument("--folded")
    ap.add_argument("--summary", action="store_true", help="print a share per category")
    args = ap.parse_args()
    stacks = fold(sys.stdin)
    if args.summary:
        for name, share in summary(stacks):
            print(f"| {name} | {share * 100:.1f}% |")
    if args.folded:
        with open(args.folded, "w") as f:
            for s, n in sorted(stacks.items(), key=lambda kv: -kv[1]):
                f.write(f"{s} {n}\n")
    draw(tree(stacks), args.out, args.title)


if __name__ == "__main__":
    main()
