#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora into tests/fuzz/corpus/<harness>/ (small valid inputs
and the bad inputs the unit tests use). Rerun after a format changes; the files are committed.
Each harness's first byte selects a variant (see the harness sources)."""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def put(harness, name, data):
    folder = os.path.join(HERE, "corpus", harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# Architecture strings: byte 0 = space (0 macro, 1 micro, 2 rnn, 3 rnn-original).
MACRO = "0 1 1 2 1 0 4 0 1 1"
MICRO = " ".join(["0 1 1 0"] * 5 + ["1 2 0 4"] * 5)
RNN = "0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2"
RNN_ORIGINAL = "1 0 2 1 0 2 3 0 0 1 4 3"
for i, (space, text) in enumerate([(0, MACRO), (1, MICRO), (2, RNN), (3, RNN_ORIGINAL),
                                   (0, "0 1 x"), (1, "0 1 1"), (2, "9 9 9"), (3, ""), (0, "-1 0 0")]):
    put("arch_string", f"seed{i}", bytes([space]) + text.encode())

# Architecture JSON of every space (as `enas_arch to-json --compact` writes them), and broken ones.
put("arch_json", "macro", '{"space":"macro","num_layers":4,"layers":[{"layer":0,"op":"conv3","skips":[]},{"layer":1,"op":"sep3","skips":["stem"]},{"layer":2,"op":"conv5","skips":["stem"]},{"layer":3,"op":"avgpool","skips":["layer 0","layer 1"]}]}')
put("arch_json", "micro", '{"space":"micro","num_nodes":5,"nodes":{"normal":[{"node":2,"input1":0,"op1":"sep5","input2":1,"op2":"sep3"},{"node":3,"input1":0,"op1":"sep5","input2":1,"op2":"sep3"},{"node":4,"input1":0,"op1":"sep5","input2":1,"op2":"sep3"},{"node":5,"input1":0,"op1":"sep5","input2":1,"op2":"sep3"},{"node":6,"input1":0,"op1":"sep5","input2":1,"op2":"sep3"}],"reduction":[{"node":2,"input1":1,"op1":"avg3","input2":0,"op2":"identity"},{"node":3,"input1":1,"op1":"avg3","input2":0,"op2":"identity"},{"node":4,"input1":1,"op1":"avg3","input2":0,"op2":"identity"},{"node":5,"input1":1,"op1":"avg3","input2":0,"op2":"identity"},{"node":6,"input1":1,"op1":"avg3","input2":0,"op2":"identity"}]}}')
put("arch_json", "rnn", '{"space":"rnn","nodes":[{"node":0,"input":"x_t, s_{t-1}","activation":"tanh"},{"node":1,"input":0,"activation":"sigmoid"},{"node":2,"input":1,"activation":"tanh"},{"node":3,"input":2,"activation":"relu"},{"node":4,"input":2,"activation":"sigmoid"},{"node":5,"input":4,"activation":"tanh"},{"node":6,"input":5,"activation":"tanh"},{"node":7,"input":3,"activation":"sigmoid"},{"node":8,"input":6,"activation":"sigmoid"}]}')
put("arch_json", "rnn_original", '{"space":"rnn-original","nodes":[{"node":0,"input":"x_t, s_{t-1}","activation":"relu"},{"node":1,"input":0,"activation":"identity"},{"node":2,"input":1,"activation":"tanh"},{"node":3,"input":2,"activation":"sigmoid"},{"node":4,"input":0,"activation":"tanh"},{"node":5,"input":1,"activation":"sigmoid"}]}')
put("arch_json", "bad_space", json.dumps({"space": "lunar"}))
put("arch_json", "not_object", "[1, 2, 3]")

# Checkpoints: byte 0 odd = the harness fixes up size and CRCs.
def entry(kind, dtype, name, dims, payload):
    e = struct.pack("<BBHI", kind, dtype, 0, len(name)) + name.encode()
    e += struct.pack("<I", len(dims)) + b"".join(struct.pack("<q", d) for d in dims)
    return e + struct.pack("<Q", len(payload)) + payload


def checkpoint(entries):
    body = b"".join(entries)
    total = 8 + 4 + 4 + 8 + 4 + len(body) + 4
    header = b"ENASCKPT" + struct.pack("<IIQ", 1, len(entries), total)
    header += struct.pack("<I", zlib.crc32(header))
    data = header + body
    return data + struct.pack("<I", zlib.crc32(data))


progress = json.dumps({"epochs_done": 1}).encode()
good = checkpoint([entry(2, 0, "progress", [len(progress)], progress),
                   entry(1, 1, "w", [2, 3], struct.pack("<6f", *range(6))),
                   entry(1, 3, "ids", [2], struct.pack("<2i", 7, 8)),
                   entry(3, 0, "controller", [5], b"state")])
put("checkpoint", "good", b"\x00" + good)
put("checkpoint", "good_fixup", b"\x01" + good)
put("checkpoint", "truncated", b"\x00" + good[:40])
put("checkpoint", "bad_magic", b"\x01" + b"NOTACKPT" + good[8:])

# Controller states: byte 0 = policy (0 macro, 1 micro, 2 rnn, 3 random); a few header shapes.
for i in range(4):
    put("controller_state", f"empty{i}", bytes([i]))
    put("controller_state", f"garbage{i}", bytes([i]) + b"enas-controller v1\n\x00\x01\x02garbage")

# Run configs (config.json read by --resume).
put("run_config", "same", json.dumps({"format_version": 1, "space": "macro", "epochs": 3, "filters": 8, "seed": 1}))
put("run_config", "other", json.dumps({"format_version": 1, "space": "micro", "epochs": 3, "filters": 16}))
put("run_config", "newer", json.dumps({"format_version": 2}))
put("run_config", "null", "null")
put("run_config", "truncated", '{"format_version": 1, "space": "ma')

# Data files: byte 0 = reader (0 CIFAR-10, 1 CIFAR-100, 2 IDX, 3 PTB text).
put("data_files", "cifar10", b"\x00" + bytes([3]) + bytes(range(256)) * 12)
put("data_files", "cifar10_short", b"\x00" + bytes([3]) + bytes(100))
put("data_files", "cifar100", b"\x01" + bytes([1, 42]) + bytes(3072))
idx = struct.pack(">BBBB", 0, 0, 8, 3) + struct.pack(">III", 2, 2, 2) + bytes(range(8))
put("data_files", "idx", b"\x02" + idx)
put("data_files", "idx_bad_rank", b"\x02" + struct.pack(">BBBB", 0, 0, 8, 200))
put("data_files", "ptb", b"\x03" + b" the cat sat\n the mat <unk> sat\n")
put("data_files", "ptb_binary", b"\x03" + b"\x00\x01\x02 word\n")


# Images: a PNG written here (grey 3x2 and RGB 2x2), JPEGs through Pillow when it is installed
# (the venv of scripts/install-deps.sh has it), and broken files.
def png(width, height, color_type, rows):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


put("image_file", "grey.png", png(3, 2, 0, [[0, 128, 255], [10, 20, 30]]))
put("image_file", "rgb.png", png(2, 2, 2, [[255, 0, 0, 0, 255, 0], [0, 0, 255, 9, 9, 9]]))
put("image_file", "truncated.png", png(3, 2, 0, [[0, 128, 255], [10, 20, 30]])[:40])
put("image_file", "not_an_image", "plain text")
try:
    import io
    from PIL import Image
    for mode, name in (("L", "grey.jpg"), ("RGB", "rgb.jpg")):
        out = io.BytesIO()
        Image.new(mode, (4, 3), 90).save(out, "JPEG", quality=80)
        put("image_file", name, out.getvalue())
        put("image_file", "truncated_" + name, out.getvalue()[:60])
except ImportError:
    print("Pillow is not installed: no JPEG seeds written")

print("seed corpora written under", os.path.join(HERE, "corpus"))
