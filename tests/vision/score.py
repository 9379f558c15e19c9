#!/usr/bin/env python3
"""Scores `kyc-vision read` against a directory of frames with ground truth.

    python3 tests/vision/score.py DIR [--bin PATH] [--today YYYY-MM-DD] [--json]

Runs `kyc-vision read --json [--today …] DIR/*.jpg` and compares its lines with
DIR/truth.jsonl (schema and metric definitions: tests/vision/README.md). Skips, with
exit status 0, when DIR has no truth.jsonl; exits 2 when the binary cannot be found
or run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GLARE_MIN_FRACTION = 0.005


# --------------------------------------------------------------------------------------
# Truth categories (README of the sample set)

def has_mrz(t: dict) -> bool:
    return t.get("mrz") is not None


def is_legible(t: dict) -> bool:
    return (has_mrz(t) and not t.get("glare_over_mrz")
            and t.get("blur_sigma", 0) <= 1.5 and t.get("motion_len", 0) <= 9)


def is_clearly_blurred(t: dict) -> bool:
    return t.get("blur_sigma", 0) >= 2.5 or t.get("motion_len", 0) >= 13


def is_clearly_sharp(t: dict) -> bool:
    return t.get("blur_sigma", 0) == 0 and t.get("motion_len", 0) == 0


def has_glare(t: dict) -> bool:
    return t.get("glare_fraction", 0) >= GLARE_MIN_FRACTION


# --------------------------------------------------------------------------------------
# Reader output

def accepted(out: dict) -> bool:
    """An accepted read: every check digit held (the CLI then fills `mrz`)."""
    return out.get("valid") is True and isinstance(out.get("mrz"), list)


def find_binary(given: str | None) -> str | None:
    if given:
        return given
    if os.environ.get("KYC_VISION_BIN"):
        return os.environ["KYC_VISION_BIN"]
    for profile in ("release", "debug"):
        path = REPO / "target" / profile / "kyc-vision"
        if path.is_file():
            return str(path)
    return shutil.which("kyc-vision")


def run_reader(binary: str, files: list[Path], today: str | None) -> dict[str, dict]:
    """One output object per file name; files the reader skipped are missing."""
    cmd = [binary, "read", "--json"] + (["--today", today] if today else [])
    outputs: dict[str, dict] = {}
    batch = 200  # stay far below the OS limit on argument length
    for i in range(0, len(files), batch):
        proc = subprocess.run(cmd + [str(f) for f in files[i:i + batch]], capture_output=True,
                              text=True)
        if proc.returncode != 0 and not proc.stdout.strip():
            raise RuntimeError(f"{' '.join(cmd)} … exited with {proc.returncode}: "
                               f"{proc.stderr.strip()[:500]}")
        for line in proc.stdout.splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                print(f"warning: not JSON: {line[:120]}", file=sys.stderr)
                continue
            outputs[Path(str(obj.get("file", ""))).name] = obj
    return outputs


# --------------------------------------------------------------------------------------
# Metrics

def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def char_hits(truth: list[str], read: list[str] | None) -> int:
    """Characters of the truth lines matched at the same line and position."""
    if not read:
        return 0
    return sum(sum(1 for a, b in zip(t, r) if a == b) for t, r in zip(truth, read))


def precision_recall(pairs: list[tuple[bool, bool]]) -> dict:
    """pairs of (truth positive, predicted positive)."""
    tp = sum(1 for t, p in pairs if t and p)
    fp = sum(1 for t, p in pairs if not t and p)
    fn = sum(1 for t, p in pairs if t and not p)
    return {"n": len(pairs), "positives": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn)}


def score(truth: list[dict], outputs: dict[str, dict]) -> dict:
    # A missing line or an error line counts as "nothing found, nothing flagged".
    outs = [outputs.get(t["file"], {"error": "no output line"}) for t in truth]
    errors = [(t["file"], o["error"]) for t, o in zip(truth, outs) if "error" in o]

    kinds: dict[str, int] = {}
    for t in truth:
        key = t.get("kind") or "none"
        kinds[key] = kinds.get(key, 0) + 1
    categories = {
        "frames": len(truth), "with_mrz": sum(map(has_mrz, truth)),
        "without_mrz": sum(not has_mrz(t) for t in truth), "by_kind": kinds,
        "legible": sum(map(is_legible, truth)),
        "clearly_blurred": sum(map(is_clearly_blurred, truth)),
        "clearly_sharp": sum(map(is_clearly_sharp, truth)),
        "glare": sum(map(has_glare, truth)),
        "glare_over_mrz": sum(bool(t.get("glare_over_mrz")) for t in truth),
        "errors": len(errors),
    }

    legible = [(t, o) for t, o in zip(truth, outs) if is_legible(t)]
    exact = sum(1 for t, o in legible if accepted(o) and o["mrz"] == t["mrz"])
    total_chars = sum(len(line) for t, _ in legible for line in t["mrz"])
    hits = sum(char_hits(t["mrz"], o["mrz"] if accepted(o) else None) for t, o in legible)
    by_kind: dict[str, dict] = {}
    for t, o in legible:
        k = by_kind.setdefault(t["kind"], {"n": 0, "exact": 0})
        k["n"] += 1
        k["exact"] += int(accepted(o) and o["mrz"] == t["mrz"])
    legible_stats = {
        "n": len(legible), "exact": exact, "exact_rate": ratio(exact, len(legible)),
        "char_accuracy": ratio(hits, total_chars),
        "accepted": sum(1 for _, o in legible if accepted(o)),
        "accepted_rate": ratio(sum(1 for _, o in legible if accepted(o)), len(legible)),
        "by_kind": by_kind,
    }

    false_reads = [t["file"] for t, o in zip(truth, outs)
                   if accepted(o) and (not has_mrz(t) or o["mrz"] != t["mrz"])]

    blur = precision_recall([(is_clearly_blurred(t), bool(o.get("blurry")))
                             for t, o in zip(truth, outs)
                             if is_clearly_blurred(t) or is_clearly_sharp(t)])
    glare = precision_recall([(has_glare(t), bool(o.get("glare"))) for t, o in zip(truth, outs)])

    corner_errors = []
    for t, o in zip(truth, outs):
        quad = o.get("quad")
        if has_mrz(t) and t.get("mrz_quad") and isinstance(quad, list) and len(quad) == 4:
            pairs = zip(quad, t["mrz_quad"])
            corner_errors.append(statistics.fmean(math.dist(a, b) for a, b in pairs))
    with_quad_truth = sum(1 for t in truth if has_mrz(t) and t.get("mrz_quad"))
    quad = {"frames": with_quad_truth, "located": len(corner_errors),
            "located_rate": ratio(len(corner_errors), with_quad_truth),
            "mean_corner_px": statistics.fmean(corner_errors) if corner_errors else None,
            "median_corner_px": percentile(corner_errors, 50),
            "p95_corner_px": percentile(corner_errors, 95)}

    ms = [float(o["ms"]) for o in outs if isinstance(o.get("ms"), (int, float))]
    timing = {"n": len(ms), "median_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}

    return {"categories": categories, "legible": legible_stats,
            "false_reads": {"count": len(false_reads), "frames": len(truth),
                            "rate": ratio(len(false_reads), len(truth)), "files": false_reads},
            "blur": blur, "glare": glare, "quad": quad, "time": timing,
            "errors": [{"file": f, "error": e} for f, e in errors]}


# --------------------------------------------------------------------------------------
# Report

def fmt(v, digits: int = 3) -> str:
    if v is None:
        return "-"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def print_table(directory: Path, s: dict) -> None:
    c, leg, fr, q, tm = s["categories"], s["legible"], s["false_reads"], s["quad"], s["time"]
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(c["by_kind"].items()))
    rows = [
        ("frames", f"{c['frames']}  ({kinds})"),
        ("  with MRZ / without", f"{c['with_mrz']} / {c['without_mrz']}"),
        ("  legible", c["legible"]),
        ("  clearly blurred / sharp", f"{c['clearly_blurred']} / {c['clearly_sharp']}"),
        ("  glare (>= 0.005) / over MRZ", f"{c['glare']} / {c['glare_over_mrz']}"),
        ("  reader errors", c["errors"]),
        ("legible: whole-MRZ exact", f"{fmt(leg['exact_rate'])}  ({leg['exact']}/{leg['n']})"),
        ("legible: character accuracy", fmt(leg["char_accuracy"])),
        ("legible: accepted", f"{fmt(leg['accepted_rate'])}  ({leg['accepted']}/{leg['n']})"),
        ("legible: exact by kind", ", ".join(f"{k} {v['exact']}/{v['n']}"
                                             for k, v in sorted(leg["by_kind"].items())) or "-"),
        ("FALSE READS (all frames)", f"{fr['count']}/{fr['frames']}"
                                     + (f"  {' '.join(fr['files'])}" if fr["files"] else "")),
    ]
    for name, pr in (("blur verdict", s["blur"]), ("glare", s["glare"])):
        rows.append((f"{name}: precision / recall",
                     f"{fmt(pr['precision'])} / {fmt(pr['recall'])}  "
                     f"(tp {pr['tp']}, fp {pr['fp']}, fn {pr['fn']}, n {pr['n']})"))
    rows += [
        ("quad: located", f"{q['located']}/{q['frames']}"),
        ("quad: corner error px", f"mean {fmt(q['mean_corner_px'], 1)}, "
                                  f"median {fmt(q['median_corner_px'], 1)}, "
                                  f"p95 {fmt(q['p95_corner_px'], 1)}"),
        ("time ms", f"median {fmt(tm['median_ms'], 2)}, p95 {fmt(tm['p95_ms'], 2)}  (n {tm['n']})"),
    ]
    print(f"# {directory}")
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for e in s["errors"][:10]:
        print(f"error: {e['file']}: {e['error']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score kyc-vision on a directory of frames.")
    ap.add_argument("dir", type=Path)
    ap.add_argument("--bin", help="kyc-vision binary (default: $KYC_VISION_BIN, "
                                  "target/release, target/debug, then PATH)")
    ap.add_argument("--today", help="passed to the reader as --today YYYY-MM-DD")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)

    truth_path = args.dir / "truth.jsonl"
    if not truth_path.is_file():
        print(f"skipped: {truth_path} not found (nothing to score)")
        return 0
    truth = [json.loads(line) for line in truth_path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    present = {p.name for p in args.dir.glob("*.jpg")}
    missing = [t["file"] for t in truth if t["file"] not in present]
    if missing:
        print(f"warning: {len(missing)} truth entries without image, ignored "
              f"(first: {missing[0]})", file=sys.stderr)
    truth = [t for t in truth if t["file"] in present]
    extra = present - {t["file"] for t in truth}
    if extra:
        print(f"warning: {len(extra)} images without truth, ignored", file=sys.stderr)
    if not truth:
        print(f"skipped: no frame of {truth_path} is present in {args.dir}")
        return 0

    binary = find_binary(args.bin)
    if not binary:
        print("error: kyc-vision not found; build it (cargo build --release) or pass --bin",
              file=sys.stderr)
        return 2
    try:
        outputs = run_reader(binary, [args.dir / t["file"] for t in truth], args.today)
    except (OSError, RuntimeError) as e:
        print(f"error: cannot run {binary}: {e}", file=sys.stderr)
        return 2

    result = score(truth, outputs)
    if args.json:
        print(json.dumps({"dir": str(args.dir), **result}))
    else:
        print_table(args.dir, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
