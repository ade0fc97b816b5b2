"""Largest absolute difference between the tensors of two .safetensors files (F32 only); exits 1
when it is above the tolerance given. Usage: compare.py A B TOLERANCE"""
import json
import struct
import sys


def tensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] != "F32":
            continue
        a, b = t["data_offsets"]
        raw = data[8 + n + a : 8 + n + b]
        out[name] = struct.unpack("<%df" % (len(raw) // 4), raw)
    return out


a, b, tolerance = tensors(sys.argv[1]), tensors(sys.argv[2]), float(sys.argv[3])
if a.keys() != b.keys():
    sys.exit("different tensors: %s vs %s" % (sorted(a), sorted(b)))
worst = max(abs(x - y) for name in a for x, y in zip(a[name], b[name]))
print("largest difference %.3g (tolerance %g)" % (worst, tolerance))
sys.exit(0 if worst <= tolerance else 1)
