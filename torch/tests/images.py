#!/usr/bin/env python3
"""Writes small image folders for the image tests, with python3's zlib alone (PNG) and Debian's cjpeg (JPEG), and the
pixels every file holds, so tests compare what rig decodes against what was written.

  images.py folder ROOT SEED N_PER_CLASS SIZE   root/{red,blue}/NNN.png: noisy images, red or blue dominant;
                                                writes ROOT.json: {relative path: [height, width, channels, pixels]}
  images.py files DIR                           DIR/{rgb.png, grey.png, rgba.png, wide.png, photo.jpg, notes.txt}
                                                and DIR/pixels.json (the JPEG's pixels as djpeg decodes them)
"""
import json, os, random, struct, subprocess, sys, zlib

def png(path, width, height, channels, pixels, alpha=False):
    """An 8-bit PNG, colour type 0 (grey), 2 (RGB) or 6 (RGBA); pixels: bytes, row-major, channels interleaved."""
    kind = {1: 0, 3: 2, 4: 6}[channels]
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    stride = width * channels
    raw = b"".join(b"\0" + pixels[y * stride:(y + 1) * stride] for y in range(height))  # filter 0 on every row
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, kind, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def folder(root, seed, n, size):
    rng = random.Random(seed)
    pixels = {}
    for cls, dominant in (("blue", 2), ("red", 0)):
        os.makedirs(f"{root}/{cls}", exist_ok=True)
        for i in range(n):
            px = bytearray()
            for _ in range(size * size):
                rgb = [rng.randint(0, 140) for _ in range(3)]
                rgb[dominant] = rng.randint(90, 255)
                px += bytes(rgb)
            name = f"{cls}/{i:03d}.png"
            png(f"{root}/{name}", size, size, 3, bytes(px))
            pixels[name] = [size, size, 3, list(px)]
    with open(root.rstrip("/") + ".json", "w") as f:
        json.dump(pixels, f)

def files(d):
    os.makedirs(d, exist_ok=True)
    rng = random.Random(5)
    rgb = bytes(rng.randint(0, 255) for _ in range(5 * 4 * 3))
    png(f"{d}/rgb.png", 5, 4, 3, rgb)
    png(f"{d}/grey.png", 3, 2, 1, bytes([0, 50, 100, 150, 200, 255]))
    png(f"{d}/rgba.png", 2, 1, 4, bytes([10, 20, 30, 255, 200, 100, 50, 255]))  # opaque: alpha drops out exactly
    png(f"{d}/flat.png", 6, 3, 3, bytes([40, 120, 200] * 18))
    with open(f"{d}/photo.ppm", "wb") as f:
        f.write(b"P6 8 6 255\n" + bytes(rng.randint(0, 255) for _ in range(8 * 6 * 3)))
    subprocess.run(["cjpeg", "-quality", "90", "-outfile", f"{d}/photo.jpg", f"{d}/photo.ppm"], check=True)
    decoded = subprocess.run(["djpeg", "-pnm", f"{d}/photo.jpg"], check=True, capture_output=True).stdout
    header_end = 0
    for _ in range(4):  # "P6", width, height, maxval, each followed by one whitespace byte
        while decoded[header_end] in b" \t\n": header_end += 1
        while decoded[header_end] not in b" \t\n": header_end += 1
    jpeg = list(decoded[header_end + 1:])
    os.remove(f"{d}/photo.ppm")
    with open(f"{d}/pixels.json", "w") as f:
        json.dump({"rgb": list(rgb), "jpeg": jpeg}, f)

if sys.argv[1] == "folder":
    folder(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
else:
    files(sys.argv[2])
