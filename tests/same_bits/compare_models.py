#!/usr/bin/env python3
"""Where two bpnn model files (safetensors) differ: for each tensor whose bytes differ, how many of
its values differ and by how many units in the last place at most; a header that differs is shown.
Usage: compare_models.py EXPECTED ACTUAL. Prints nothing for identical files; exits 0 either way."""
import json
import struct
import sys


def read(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8:8 + length])
    return header, data[8 + length:]


# Each dtype's struct code, and the integer of the same width whose order is the floats' order.
FORMATS = {"F32": ("f", "i"), "F64": ("d", "q"), "I64": ("q", "q")}


def ordered(bits, width):
    """A float's bits as an integer that counts ulps: negative floats mirrored below zero."""
    return bits if bits >= 0 else -(bits & ((1 << (8 * width - 1)) - 1))


def compare(expected_path, actual_path):
    (expected, expected_data), (actual, actual_data) = read(expected_path), read(actual_path)
    if expected.get("__metadata__") != actual.get("__metadata__"):
        print(f"    metadata: {expected.get('__metadata__')} != {actual.get('__metadata__')}")
    for name, info in expected.items():
        if name == "__metadata__":
            continue
        other = actual.get(name)
        if other is None or other["dtype"] != info["dtype"] or other["shape"] != info["shape"]:
            print(f"    {name}: {info['dtype']} {info['shape']} against {other}")
            continue
        value_code, int_code = FORMATS[info["dtype"]]
        width = struct.calcsize(value_code)
        a = expected_data[info["data_offsets"][0]:info["data_offsets"][1]]
        b = actual_data[other["data_offsets"][0]:other["data_offsets"][1]]
        if a == b:
            continue
        count = len(a) // width
        ints_a = struct.unpack(f"<{count}{int_code}", a)
        ints_b = struct.unpack(f"<{count}{int_code}", b)
        differ = [(x, y) for x, y in zip(ints_a, ints_b) if x != y]
        ulps = max(abs(ordered(x, width) - ordered(y, width)) for x, y in differ)
        print(f"    {name}: {len(differ)} of {count} values differ, by up to {ulps} ulp")


if __name__ == "__main__":
    compare(sys.argv[1], sys.argv[2])
