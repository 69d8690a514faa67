"""Build script for the riffq C extension (riffq._core).

Metadata lives in pyproject.toml; this file only describes the extension,
because setuptools needs code to list C sources and system libraries.
"""
import glob
import os
import sysconfig

from setuptools import Extension, setup

SANITIZE = os.environ.get("RIFFQ_SANITIZE", "")  # e.g. "address,undefined"
DEBUG = os.environ.get("RIFFQ_DEBUG", "") == "1"

cflags = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
          "-fvisibility=hidden"]
ldflags = []
if DEBUG or SANITIZE:
    cflags += ["-O1", "-g", "-fno-omit-frame-pointer"]
else:
    cflags += ["-O2"]
if SANITIZE:
    cflags += [f"-fsanitize={SANITIZE}", "-fno-sanitize-recover=undefined"]
    ldflags += [f"-fsanitize={SANITIZE}"]

# Python's own flags may carry -Wno-... or -O3; we only add ours.
sources = sorted(glob.glob("csrc/*.c"))

setup(
    ext_modules=[
        Extension(
            "riffq._core",
            sources=sources,
            include_dirs=["csrc"],
            libraries=["uv", "ssl", "crypto", "pthread"],
            extra_objects=["/usr/lib/x86_64-linux-gnu/libpg_query.a"]
            if os.path.exists("/usr/lib/x86_64-linux-gnu/libpg_query.a") else [],
            extra_compile_args=cflags,
            extra_link_args=ldflags,
            depends=sorted(glob.glob("csrc/*.h")),
        )
    ],
)
