#!/usr/bin/env python3
"""Turns frames into a .y4m video for Chromium's fake camera.

    python3 tests/vision/make_y4m.py INPUT OUT.y4m [--repeat N] [--fps 30]

INPUT is a directory (its *.jpg, sorted by name, are the frames: e.g. a sequence made
by gen_frames.py --sequence) or one image. --repeat N plays the frames N times (for a
single image: N identical frames). The output is `YUV4MPEG2 W<w> H<h> F<fps>:1 Ip A1:1
C420jpeg`, each frame `FRAME\\n` then the Y, U and V planes (4:2:0, chroma sited
between the luma samples, BT.601 limited range), which
`chrome --use-fake-device-for-media-stream --use-file-for-fake-video-capture=OUT.y4m`
plays in a loop.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def to_yuv420(rgb: np.ndarray) -> bytes:
    """RGB (h, w, 3) uint8 -> planar Y, U, V bytes, BT.601 limited range (Y 16-235,
    chroma 16-240); chroma is the mean of each 2x2 block (C420jpeg siting)."""
    f = rgb.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    h, w = y.shape
    # Odd sizes: replicate the last row/column so that every chroma sample has 2x2 input.
    pad = ((0, h % 2), (0, w % 2))
    planes = [y]
    for c in (u, v):
        c = np.pad(c, pad, mode="edge")
        planes.append((c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2]) / 4)
    return b"".join(np.clip(np.round(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="JPEG frames -> .y4m for Chromium's fake camera.")
    ap.add_argument("input", type=Path, help="directory of JPEG frames, or one image")
    ap.add_argument("output", type=Path)
    ap.add_argument("--repeat", type=int, default=1, help="play the frames N times (default 1)")
    ap.add_argument("--fps", type=int, default=30)
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.fps < 1:
        ap.error("--repeat and --fps must be >= 1")

    if args.input.is_dir():
        files = sorted(p for p in args.input.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
        if not files:
            ap.error(f"no .jpg in {args.input}")
    elif args.input.is_file():
        files = [args.input]
    else:
        ap.error(f"{args.input} does not exist")

    size = None
    frames = []
    for path in files:
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
        if size is None:
            size = rgb.shape[1], rgb.shape[0]
        elif (rgb.shape[1], rgb.shape[0]) != size:
            ap.error(f"{path.name} is {rgb.shape[1]}x{rgb.shape[0]}, not {size[0]}x{size[1]} "
                     f"like the first frame")
        frames.append(to_yuv420(rgb))

    with open(args.output, "wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F{args.fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(args.repeat):
            for frame in frames:
                out.write(b"FRAME\n")
                out.write(frame)
    print(f"{args.output}: {len(frames) * args.repeat} frames of {size[0]}x{size[1]}, "
          f"{args.fps} fps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
