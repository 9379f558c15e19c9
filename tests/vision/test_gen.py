"""Checks of the frame generator, independent of its own MRZ code.

    python3 -m pytest tests/vision/test_gen.py      or      python3 tests/vision/test_gen.py

The check digits are recomputed here from the ICAO 9303 field positions, with code
that shares nothing with gen_frames.py, on many generated identities and on small
rendered sets of every profile.
"""

import itertools
import json
import sys
import tempfile
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree

import gen_frames  # noqa: E402
from PIL import Image  # noqa: E402

VALUES = {"<": 0, **{str(d): d for d in range(10)},
          **{chr(ord("A") + i): 10 + i for i in range(26)}}

KEYS_MRZ = ("kind", "mrz", "fields", "doc_quad", "mrz_quad", "rotation_deg", "glare",
            "glare_over_mrz", "glare_fraction", "blur_sigma", "motion_len",
            "mrz_char_pitch_px", "jpeg_quality", "file", "size")
KEYS_NO_MRZ = ("kind", "mrz", "glare", "glare_over_mrz", "glare_fraction", "blur_sigma",
               "motion_len", "file", "size")
SHAPES = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRVA": (2, 44), "MRVB": (2, 36),
          "FRENCH_ID": (2, 36)}

# (data, check digit position) per kind, as (line, start, end) and (line, index).
CHECKS = {
    "TD3": [([(1, 0, 9)], (1, 9)), ([(1, 13, 19)], (1, 19)), ([(1, 21, 27)], (1, 27)),
            ([(1, 28, 42)], (1, 42)), ([(1, 0, 10), (1, 13, 20), (1, 21, 43)], (1, 43))],
    "TD2": [([(1, 0, 9)], (1, 9)), ([(1, 13, 19)], (1, 19)), ([(1, 21, 27)], (1, 27)),
            ([(1, 0, 10), (1, 13, 20), (1, 21, 35)], (1, 35))],
    "TD1": [([(1, 0, 6)], (1, 6)), ([(1, 8, 14)], (1, 14)),
            ([(0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)], (1, 29))],
    "MRVA": [([(1, 0, 9)], (1, 9)), ([(1, 13, 19)], (1, 19)), ([(1, 21, 27)], (1, 27))],
    "MRVB": [([(1, 0, 9)], (1, 9)), ([(1, 13, 19)], (1, 19)), ([(1, 21, 27)], (1, 27))],
    "FRENCH_ID": [([(1, 0, 12)], (1, 12)), ([(1, 27, 33)], (1, 33)),
                  ([(0, 0, 36), (1, 0, 35)], (1, 35))],
}
# Where the dates, sex and codes sit: (line, start) per item.
POSITIONS = {
    "TD3": {"birth": (1, 13), "expiry": (1, 21), "sex": (1, 20), "country": (0, 2),
            "nationality": (1, 10), "names": (0, 5)},
    "TD2": {"birth": (1, 13), "expiry": (1, 21), "sex": (1, 20), "country": (0, 2),
            "nationality": (1, 10), "names": (0, 5)},
    "TD1": {"birth": (1, 0), "expiry": (1, 8), "sex": (1, 7), "country": (0, 2),
            "nationality": (1, 15), "names": (2, 0)},
    "FRENCH_ID": {"birth": (1, 27), "sex": (1, 34), "country": (0, 2)},
}
POSITIONS["MRVA"] = POSITIONS["MRVB"] = POSITIONS["TD3"]


def weighted_sum_digit(data: str) -> str:
    return str(sum(VALUES[c] * w for c, w in zip(data, itertools.cycle((7, 3, 1)))) % 10)


def ascii_name(name: str) -> str:
    """Independent ICAO transliteration of a visual-zone name."""
    special = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA", "Ø": "OE", "Ł": "L"}
    name = "".join(special.get(c, c) for c in name)
    name = "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn")
    return "".join("<" if c in " -" else c for c in name if c.isalpha() or c in " -")


def check_mrz(kind: str, lines: list[str], fields: dict | None = None) -> None:
    n_lines, n_chars = SHAPES[kind]
    assert len(lines) == n_lines and all(len(l) == n_chars for l in lines), lines
    assert all(c in VALUES for l in lines for c in l), lines
    prefix = {"TD3": "P", "MRVA": "V", "MRVB": "V", "FRENCH_ID": "IDFRA"}.get(kind)
    assert lines[0].startswith(prefix) if prefix else lines[0][0] in "IAC", lines
    for parts, (li, pos) in CHECKS[kind]:
        data = "".join(lines[l][a:b] for l, a, b in parts)
        assert lines[li][pos] == weighted_sum_digit(data), (kind, lines, parts)
    if kind == "TD1":
        l1 = lines[0]
        if l1[14] == "<" and "<" not in l1[5:14]:
            # Long document number: continues in the optional data, then its digit.
            tail = l1[15:].split("<")[0]
            assert tail[-1] == weighted_sum_digit(l1[5:14] + tail[:-1]), lines
        else:
            assert l1[14] == weighted_sum_digit(l1[5:14]), lines
    if fields is None:
        return
    pos = POSITIONS[kind]

    def at(item: str, n: int) -> str:
        li, start = pos[item]
        return lines[li][start:start + n]

    assert at("birth", 6) == fields["birth"]
    assert at("sex", 1) == {"X": "<"}.get(fields["sex"], fields["sex"])
    assert at("country", 3) == (fields["country"] + "<<")[:3]
    if kind == "FRENCH_ID":
        assert fields["expiry"] is None
        assert lines[0][5:30].startswith(ascii_name(fields["surname"])[:25])
        return
    assert at("expiry", 6) == fields["expiry"]
    assert at("nationality", 3) == (fields["nationality"] + "<<")[:3]
    names = at("names", n_chars)
    expected = ascii_name(fields["surname"]) + "<<" + ascii_name(fields["given"])
    assert (expected + "<" * n_chars)[:len(names)] == names, (names, expected)


def test_checker_on_icao_specimens():
    specimens = {
        "TD3": ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
        "TD1": ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"],
        "TD2": ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
        "MRVA": ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                 "L8988901C4XXX7408122F96121096ZE184226B<<<<<<"],
        "MRVB": ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX7408122F9612109<<<<<<<<"],
    }
    for kind, lines in specimens.items():
        check_mrz(kind, lines)


def test_generator_reproduces_icao_specimen():
    ident = gen_frames.Identity(
        kind="TD3", doc_code="P<", country="UTO", nationality="UTO", surname="ERIKSSON",
        given="ANNA MARIA", birth=gen_frames.dt.date(1974, 8, 12),
        expiry=gen_frames.dt.date(2012, 4, 15), sex="F", number="L898902C3",
        optional="ZE184226B")
    assert gen_frames.mrz_lines(ident) == ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                           "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def test_many_identities():
    for i, kind in enumerate(SHAPES):
        rng = gen_frames.np.random.default_rng([99, i])
        for _ in range(1500):
            ident = gen_frames.make_identity(rng, kind)
            lines = gen_frames.mrz_lines(ident)
            check_mrz(kind, lines, gen_frames.truth_fields(ident))
            if kind != "FRENCH_ID":
                number = ident.number
                assert any(c.isdigit() for c in number) and any(c.isalpha() for c in number)


def read_set(directory: Path) -> list[dict]:
    rows = [json.loads(l) for l in (directory / "truth.jsonl").read_text().splitlines()]
    for r in rows:
        with Image.open(directory / r["file"]) as im:
            assert im.format == "JPEG" and list(im.size) == r["size"]
    return rows


def inside_convex(point, quad) -> bool:
    signs = []
    for a, b in zip(quad, quad[1:] + quad[:1]):
        signs.append((b[0] - a[0]) * (point[1] - a[1]) - (b[1] - a[1]) * (point[0] - a[0]))
    return all(s >= -1e-6 for s in signs) or all(s <= 1e-6 for s in signs)


def check_record(r: dict, sequence: bool = False) -> None:
    w, h = r["size"]
    if r["kind"] is None:
        assert tuple(r) == KEYS_NO_MRZ and r["mrz"] is None and not r["glare_over_mrz"]
    else:
        assert tuple(r) == KEYS_MRZ, tuple(r)
        check_mrz(r["kind"], r["mrz"], r["fields"])
        mrz, doc = r["mrz_quad"], r["doc_quad"]
        assert all(0 <= x <= w and 0 <= y <= h for x, y in mrz), mrz
        assert all(inside_convex(p, doc) for p in mrz), (mrz, doc)
        for q in (mrz, doc):  # clockwise on screen (y down): positive shoelace area
            area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(q, q[1:] + q[:1]))
            assert area > 0, q
        lo, hi = (9.5, 31) if sequence else (10, 30)
        assert lo <= r["mrz_char_pitch_px"] <= hi, r["mrz_char_pitch_px"]
        assert -21 <= r["rotation_deg"] <= 21 and 55 <= r["jpeg_quality"] <= 95
    assert r["glare"] == (r["glare_fraction"] >= 0.005)
    assert 0 <= r["glare_fraction"] < 0.2 and r["blur_sigma"] >= 0 and r["motion_len"] >= 0


def legible(r: dict) -> bool:
    return (r["kind"] is not None and not r["glare_over_mrz"] and r["blur_sigma"] <= 1.5
            and r["motion_len"] <= 9)


def generate(out: Path, *args: str) -> None:
    assert gen_frames.main(["--out", str(out), "--size", "640x480", *args]) == 0


def test_profiles():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for profile, count in [("mixed", 14), ("legible", 8), ("quality", 8), ("nomrz", 4)]:
            generate(tmp / profile, "--count", str(count), "--seed", "5", "--profile", profile)
            rows = read_set(tmp / profile)
            assert len(rows) == count
            for r in rows:
                check_record(r)
            if profile == "legible":
                assert all(legible(r) for r in rows)
            if profile == "quality":
                blurred = [r["blur_sigma"] >= 2.5 or r["motion_len"] >= 13 for r in rows]
                sharp = [r["blur_sigma"] == 0 and r["motion_len"] == 0 for r in rows]
                assert all(b or s for b, s in zip(blurred, sharp)) and any(blurred) and any(sharp)
            if profile == "nomrz":
                assert all(r["kind"] is None for r in rows)


def test_sequence():
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), "--count", "1", "--seed", "3", "--sequence", "4")
        rows = read_set(Path(tmp) / "seq-001")
        assert [r["file"] for r in rows] == sorted(r["file"] for r in rows) and len(rows) == 4
        assert len({json.dumps(r["mrz"]) for r in rows}) == 1
        for r in rows:
            check_record(r, sequence=True)
        if rows[0]["kind"]:
            moves = [abs(a["mrz_quad"][0][0] - b["mrz_quad"][0][0]) for a, b in zip(rows, rows[1:])]
            assert max(moves) < 0.1 * rows[0]["size"][0]


def test_reproducible():
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        generate(a, "--count", "2", "--seed", "11")
        generate(b, "--count", "1", "--seed", "11")
        assert (a / "mixed-11-0000.jpg").read_bytes() == (b / "mixed-11-0000.jpg").read_bytes()
        first = (a / "truth.jsonl").read_text().splitlines()[0]
        assert first == (b / "truth.jsonl").read_text().strip()


if __name__ == "__main__":
    for name, fn in list(globals().items()):
        if name.startswith("test_") and callable(fn):
            fn()
            print(f"ok  {name}")
