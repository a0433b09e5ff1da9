#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from testdata/: real profiles of each format, cut small,
minus the prefix each target adds itself. Run from anywhere; rewrites the seed files only
(files libFuzzer adds while running are left alone)."""

import gzip
import hashlib
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data(path):
    with open(os.path.join(ROOT, "testdata", path), "rb") as f:
        return f.read()


def first_blocks(text, size):
    """The start of a text dump, cut at the first blank line after `size` bytes."""
    end = text.find(b"\n\n", size)
    return text if end < 0 else text[: end + 2]


def after_first_line(text):
    return text[text.index(b"\n") + 1 :]


SEEDS = {
    "pprof": [
        gzip.decompress(data("profiles/go1.27/goroutine.pb.gz")),
        gzip.decompress(data("profiles/go1.27/goroutineleak.pb.gz")),
        gzip.decompress(data("hostile/count-wrap.pb.gz")),
        gzip.decompress(data("hostile/time-min.pb.gz")),
    ],
    "debug1": [
        after_first_line(data("profiles/go1.27/goroutine.debug1.txt")),
        after_first_line(data("profiles/go1.27/goroutineleak.debug1.txt")),
        after_first_line(data("hostile/pc-max.debug1.txt")),
    ],
    "debug2": [
        after_first_line(first_blocks(data("profiles/go1.27/goroutine-after-leak.debug2.txt"), 4096)),
        after_first_line(first_blocks(data("dumps/sigquit-go1.19.txt"), 4096)),
        after_first_line(first_blocks(data("dumps/panic-go1.27.txt"), 4096)),
    ],
    "gzip": [
        data("profiles/go1.27/goroutine.pb.gz")[2:],
        data("hostile/count-wrap.pb.gz")[2:],
        gzip.compress(data("profiles/go1.27/goroutine.debug1.txt"), mtime=0)[2:],
    ],
    "labels": [
        b'{"pattern":"nil"}',
        b'{"a": "x", "b": "y, z"}',
        b'{"q": "say \\"hi\\""}',
        b"{pattern: nil, other: ]}",
        b'{"dangling',
    ],
}

for target, seeds in SEEDS.items():
    folder = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for seed in seeds:
        name = "seed-" + hashlib.sha1(seed).hexdigest()[:16]
        with open(os.path.join(folder, name), "wb") as f:
            f.write(seed)
    print(f"{target}: {len(seeds)} seeds")
