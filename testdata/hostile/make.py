#!/usr/bin/env python3
"""Writes the crafted hostile inputs of this folder (see README.md). Deterministic: gzip
members carry no name and time 0, so a rerun gives the same bytes."""

import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    n &= (1 << 64) - 1  # negative int64 values are written as their two's complement
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def packed(values):
    return b"".join(varint(v) for v in values)


def header(strings):
    """sample_type goroutine/count plus the string table; strings[1] must be "goroutine"."""
    out = field_bytes(1, field_varint(1, 1) + field_varint(2, 2))
    for s in strings:
        out += field_bytes(6, s.encode())
    return out


def function(id_, name, file):
    return field_bytes(5, field_varint(1, id_) + field_varint(2, name) + field_varint(4, file))


def location(id_, lines):
    body = field_varint(1, id_)
    for function_id, line in lines:
        body += field_bytes(4, field_varint(1, function_id) + field_varint(2, line))
    return field_bytes(4, body)


def sample(location_ids, count):
    body = b""
    if location_ids:
        body += field_bytes(1, packed(location_ids))
    body += field_bytes(2, packed([count]))
    return field_bytes(2, body)


def write(name, data, zipped=True):
    path = os.path.join(HERE, name)
    if zipped:
        data = gzip.compress(data, compresslevel=9, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


STRINGS = ["", "goroutine", "count", "runtime.gopark", "runtime.chansend1", "main.leak",
           "/go/src/runtime/proc.go", "/go/src/runtime/chan.go", "/app/main.go"]


def leak_tables():
    """Three functions and locations: gopark, chansend1, main.leak (ids 1, 2, 3)."""
    return (function(1, 3, 6) + function(2, 4, 7) + function(3, 5, 8)
            + location(1, [(1, 400)]) + location(2, [(2, 161)]) + location(3, [(3, 12)]))


# 8 MiB of empty samples (two bytes each): prost built a 72-byte struct for each, 300 MB.
write("empty-samples.pb.gz", header(STRINGS) + b"\x12\x00" * (4 << 20))

# 1 Mi samples of one goroutine each, four bytes a sample: a valid profile whose decoded
# samples took 75 MB; streamed, they take nothing.
write("many-samples.pb.gz", header(STRINGS) + sample([], 1) * (1 << 20))

# One location with 100,000 inlined lines, referenced 100,000 times by one sample: 10^10
# frames from 1 KB.
deep = header(STRINGS) + function(1, 5, 8)
deep += location(1, [(1, 7)] * 100_000)
deep += sample([1] * 100_000, 1)
write("deep-location.pb.gz", deep)

# Sample values adding past u64::MAX: i64::MAX twice plus 7 wrapped to 5 goroutines.
wrap = header(STRINGS) + leak_tables()
for count in [(1 << 63) - 1, (1 << 63) - 1, 7]:
    wrap += sample([1, 2, 3], count)
write("count-wrap.pb.gz", wrap)

# The same with debug=1 counts: u64::MAX then 6.
write("count-wrap.debug1.txt", b"""goroutine profile: total 5
18446744073709551615 @ 0x43e8d6 0x40a4ed 0x6d3c25
#\t0x6d3c24\tmain.leak+0x44\t/app/main.go:12

6 @ 0x43e8d6 0x40a4ed 0x6d3c25
#\t0x6d3c24\tmain.leak+0x44\t/app/main.go:12
""", zipped=False)

# A printed PC of u64::MAX: `pc + 1` overflowed.
write("pc-max.debug1.txt", b"""goroutine profile: total 3
3 @ 0x43e8d6 0xffffffffffffffff
#\t0xffffffffffffffff\tmain.leak+0x44\t/app/main.go:12
""", zipped=False)

# Profile times at both ends of int64.
for name, nanos in [("time-min.pb.gz", -(1 << 63)), ("time-max.pb.gz", (1 << 63) - 1)]:
    write(name, header(STRINGS) + leak_tables() + sample([1, 2, 3], 20) + field_varint(9, nanos))

# More than 4 MiB of LF goroutines, then a CRLF section holding the only leak.
lines = []
for i in range(100_000):
    lines.append("goroutine 2 [running]:\nmain.work()\n\t/app/work.go:7 +0x1d\n\n")
for i in range(20):
    lines.append(f"goroutine {i + 200_000} [chan send]:\r\nruntime.gopark(0x0?)\r\n"
                 "\t/go/src/runtime/proc.go:400 +0xce\r\nruntime.chansend1(0x0?)\r\n"
                 "\t/go/src/runtime/chan.go:161 +0x1d\r\nmain.leak.func1()\r\n"
                 "\t/app/main.go:12 +0x25\r\ncreated by main.leak in goroutine 1\r\n"
                 "\t/app/main.go:10 +0x45\r\n\r\n")
text = "".join(lines).encode()
assert len(text) > 4 << 20
write("crlf-late.debug2.txt.gz", text)

# A megabyte-long function name blocked on a channel, 20 times.
name = "main." + "A" * (1 << 20)
block = (f"goroutine 9 [chan send]:\nruntime.gopark(0x0?)\n\t/go/src/runtime/proc.go:400 +0xce\n"
         f"runtime.chansend1(0x0?)\n\t/go/src/runtime/chan.go:161 +0x1d\n{name}()\n"
         "\t/app/main.go:12 +0x25\n\n")
write("long-name.debug2.txt.gz", (block * 20).encode())

# 4,000 places, each its own line of one function with a 4 KiB name and file, each with an
# example stack of 64 such frames: 2 GB of names kept from a few kilobytes.
long = ["", "goroutine", "count", "runtime.gopark", "runtime.chansend1",
        "main." + "B" * 4000, "/app/" + "c" * 4000 + ".go", "/go/src/runtime/proc.go"]
places = header(long) + function(1, 3, 7) + function(2, 4, 7) + function(3, 5, 6)
places += location(1, [(1, 400)]) + location(2, [(2, 161)]) + location(3, [(3, 1)])
for i in range(4000):
    places += location(4 + i, [(3, 10 + i)])
for i in range(4000):
    places += sample([1, 2, 4 + i] + [3] * 61, 1)
write("amplified-places.pb.gz", places)

# One location of 16,384 lines (the most a stack may hold), and 200,000 seven-byte samples
# pointing at it: 3.3 billion frames from a 1.5 MB profile.
wide = header(STRINGS) + function(1, 5, 8)
wide += location(1, [(1, 7)] * 16_384)
wide += sample([1], 1) * 200_000
write("repeated-deep-samples.pb.gz", wide)
