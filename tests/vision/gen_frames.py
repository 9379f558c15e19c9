#!/usr/bin/env python3
"""Seeded generator of camera-like frames of synthetic identity documents.

    python3 tests/vision/gen_frames.py --out DIR --count N --seed S
        [--size 1280x720] [--profile mixed|legible|quality|nomrz] [--sequence K]

Writes DIR/<profile>-<seed>-<index>.jpg and DIR/truth.jsonl (one JSON object per
frame, same schema as the shared sample set; see tests/vision/README.md). With
--sequence K it writes COUNT sequences instead, each in DIR/seq-NNN/ with its own
truth.jsonl: K frames of one document with small jitter, a moving highlight and
fresh noise, named so that they sort in capture order.

Everything is drawn from numpy generators seeded by (seed, profile, index), so frame
i is the same whatever --count is, and the output is byte-for-byte reproducible with
the pinned Pillow/numpy versions (tests/vision/requirements.txt).

Names, numbers and countries are invented; the documents imitate the layout of ICAO
9303 documents (TD1, TD2, TD3, MRV-A, MRV-B) and of the French national ID card.
"""

from __future__ import annotations

import argparse
import colorsys
import datetime as dt
import json
import math
import sys
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# --------------------------------------------------------------------------------------
# Fonts

OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
# Other monospace fonts, used for a minority of MRZs so that a reader does not
# overfit OCR-B. A fixed list (not fc-list) keeps the output reproducible.
ALT_MRZ_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
]
SANS_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
]
SANS_BOLD_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]


def existing(paths: list[str]) -> list[str]:
    return [p for p in paths if Path(p).is_file()]


def load_font(path: str | None, size_px: float) -> ImageFont.FreeTypeFont:
    size = max(4, int(round(size_px)))
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def cap_ratio(path: str | None) -> float:
    """Cap height of the font as a fraction of its size (to size text in mm)."""
    top = load_font(path, 200).getbbox("H", anchor="ls")[1]
    return -top / 200


# --------------------------------------------------------------------------------------
# ICAO 9303 machine-readable zone

# Lines and characters per line of each MRZ format.
MRZ_SHAPE = {"TD3": (2, 44), "TD1": (3, 30), "TD2": (2, 36), "MRVA": (2, 44),
             "MRVB": (2, 36), "FRENCH_ID": (2, 36)}
# Document size in mm (landscape).
DOC_SIZE_MM = {"TD3": (125.0, 88.0), "TD1": (85.6, 53.98), "TD2": (105.0, 74.0),
               "MRVA": (120.0, 80.0), "MRVB": (105.0, 74.0), "FRENCH_ID": (105.0, 74.0)}
MRZ_PITCH_MM = 2.54  # ICAO: 10 characters per inch

COUNTRIES = ["UTO", "D", "FRA", "NLD", "ESP", "ITA", "GBR", "USA", "CAN", "BRA", "MEX",
             "JPN", "KOR", "KAZ", "KGZ", "RUS", "EST", "POL", "SWE", "NOR", "FIN", "PRT",
             "GRC", "TUR", "IND", "AUS", "NZL", "ZAF", "EGY", "MAR", "ARG", "CHL", "UKR",
             "UZB", "XXA"]
DOC_CODES = {"TD3": ["P<", "P<", "P<", "PD", "PS"], "TD1": ["I<", "ID", "IR", "AC", "C<"],
             "TD2": ["I<", "ID", "IR", "AC"], "MRVA": ["V<", "VA"], "MRVB": ["V<", "VC"]}

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def char_value(c: str) -> int:
    if c == "<":
        return 0
    if c.isdigit():
        return int(c)
    return ord(c) - ord("A") + 10


def check_digit(s: str) -> str:
    return str(sum(char_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(s)) % 10)


def pad(s: str, n: int) -> str:
    assert len(s) <= n, (s, n)
    return s + "<" * (n - len(s))


# ICAO transliterations that differ from simply dropping the accent.
TRANSLIT = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA", "Ø": "OE", "Æ": "AE", "ß": "SS",
            "Ł": "L"}


def mrz_text(name: str) -> str:
    """Visual-zone name -> MRZ characters (spaces and hyphens become fillers)."""
    out = []
    for ch in name.upper():
        ch = TRANSLIT.get(ch, ch)
        ch = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        for c in ch:
            if "A" <= c <= "Z":
                out.append(c)
            elif c in " -":
                out.append("<")
    return "".join(out)


@dataclass
class Identity:
    kind: str
    doc_code: str               # two characters, filler included ("P<")
    country: str                # issuing state, as printed without fillers
    nationality: str
    surname: str                # visual-zone spelling, may carry diacritics
    given: str
    birth: dt.date
    expiry: dt.date | None      # None for the French ID (not in its MRZ)
    sex: str                    # M, F or X
    number: str                 # document number
    optional: str = ""
    optional2: str = ""
    department: str = ""        # French ID only
    office: str = ""            # French ID only


def yymmdd(d: dt.date) -> str:
    return d.strftime("%y%m%d")


def names_field(ident: Identity, width: int) -> str:
    primary, secondary = mrz_text(ident.surname), mrz_text(ident.given)
    s = f"{primary}<<{secondary}" if secondary else primary
    return pad(s[:width], width)


def mrz_lines(ident: Identity) -> list[str]:
    sex = "<" if ident.sex == "X" else ident.sex
    birth = yymmdd(ident.birth)
    country, nat = pad(ident.country, 3), pad(ident.nationality, 3)
    if ident.kind == "FRENCH_ID":
        l1 = "IDFRA" + pad(mrz_text(ident.surname)[:25], 25) + ident.department + ident.office
        # French given names are separated by double fillers.
        given = "<<".join(mrz_text(g) for g in ident.given.split())
        l2 = (ident.number + check_digit(ident.number) + pad(given[:14], 14)
              + birth + check_digit(birth) + sex)
        return [l1, l2 + check_digit(l1 + l2)]

    expiry = yymmdd(ident.expiry)
    if ident.kind == "TD1":
        if len(ident.number) > 9:
            # Long number: '<' in the check position, the rest and the check digit
            # (over the whole number) at the start of the optional data.
            rest = ident.number[9:] + check_digit(ident.number)
            l1 = ident.doc_code + country + ident.number[:9] + "<" + pad(rest, 15)
        else:
            number = pad(ident.number, 9)
            l1 = (ident.doc_code + country + number + check_digit(number)
                  + pad(ident.optional, 15))
        l2 = (birth + check_digit(birth) + sex + expiry + check_digit(expiry) + nat
              + pad(ident.optional2, 11))
        l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
        return [l1, l2, names_field(ident, 30)]

    width = MRZ_SHAPE[ident.kind][1]
    number = pad(ident.number, 9)
    l1 = ident.doc_code + country + names_field(ident, width - 5)
    l2 = (number + check_digit(number) + nat + birth + check_digit(birth) + sex
          + expiry + check_digit(expiry))
    if ident.kind in ("MRVA", "MRVB"):
        return [l1, l2 + pad(ident.optional, width - len(l2))]
    opt_len = 14 if ident.kind == "TD3" else 7
    opt = pad(ident.optional, opt_len)
    if ident.kind == "TD3":
        opt += check_digit(opt)
    l2 += opt
    return [l1, l2 + check_digit(l2[0:10] + l2[13:20] + l2[21:])]


# --------------------------------------------------------------------------------------
# Invented identities

ONSETS = ["B", "D", "K", "L", "M", "N", "R", "S", "T", "V", "Z", "G", "H", "P", "F", "J",
          "CH", "SH", "BR", "DR", "KR", "ST", "TR", ""]
VOWELS = ["A", "E", "I", "O", "U", "A", "E", "I", "O", "AI", "EI", "OU", "Y", "IA"]
CODAS = [""] * 10 + ["N", "R", "S", "K", "L", "M", "T", "ND", "RT"]
SUFFIXES = ["", "", "", "SON", "OVA", "ESCU", "SEN", "AKI", "IAN", "ENKO", "EZ", "ER",
            "INI", "BERG", "OV"]
ACCENTED = {"A": "ÄÁÅ", "O": "ÖØÓ", "U": "ÜÚ", "E": "ÉÈË", "N": "Ñ", "C": "Ç",
            "I": "Í", "S": "Š", "Z": "Ž", "L": "Ł"}
TITLES = {
    "TD3": ["PASSPORT", "REISEPASS", "PASSEPORT", "PASAPORTE", "PASSAPORTO", "PASPOORT"],
    "TD1": ["IDENTITY CARD", "PERSONALAUSWEIS", "CARTE D'IDENTITÉ", "RESIDENCE PERMIT"],
    "TD2": ["IDENTITY CARD", "DOCUMENTO DE IDENTIDAD", "TRAVEL DOCUMENT"],
    "MRVA": ["VISA", "VISA / VISUM"],
    "MRVB": ["VISA", "VISA / VISUM"],
    "FRENCH_ID": ["CARTE NATIONALE D'IDENTITÉ"],
    "card": ["DRIVING LICENCE", "MEMBERSHIP CARD", "STUDENT CARD", "LIBRARY CARD",
             "HEALTH INSURANCE CARD"],
    "paper": ["CERTIFICATE", "INVOICE", "NOTICE", "RECEIPT"],
}


def pick(rng: np.random.Generator, seq, p=None):
    return seq[int(rng.choice(len(seq), p=p))]


def invent_word(rng: np.random.Generator, syllables: int) -> str:
    word = "".join(pick(rng, ONSETS) + pick(rng, VOWELS) + pick(rng, CODAS)
                   for _ in range(syllables))
    return word[:10]


def accentuate(rng: np.random.Generator, word: str) -> str:
    """Put one diacritic on a letter that has an accented form (visual zone only)."""
    spots = [i for i, c in enumerate(word) if c in ACCENTED]
    if not spots:
        return word
    i = pick(rng, spots)
    return word[:i] + pick(rng, ACCENTED[word[i]]) + word[i + 1:]


def invent_surname(rng: np.random.Generator) -> str:
    name = invent_word(rng, pick(rng, [1, 2, 2, 3])) + pick(rng, SUFFIXES)
    r = rng.random()
    if r < 0.08:
        name += "-" + invent_word(rng, 2)
    elif r < 0.13:
        name = pick(rng, ["O'", "D'"]) + name
    elif r < 0.17:
        name = pick(rng, ["VAN DER ", "DE LA ", "AL "]) + name
    if rng.random() < 0.2:
        name = accentuate(rng, name)
    return name


def invent_given(rng: np.random.Generator) -> str:
    names = [invent_word(rng, pick(rng, [2, 2, 3])) for _ in range(pick(rng, [1, 1, 1, 2, 2, 3]))]
    if rng.random() < 0.15:
        names[0] = accentuate(rng, names[0])
    return " ".join(names)


def random_date(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def random_alnum(rng: np.random.Generator, n: int, alphabet: str = ALNUM) -> str:
    return "".join(pick(rng, alphabet) for _ in range(n))


def document_number(rng: np.random.Generator, n: int) -> str:
    """Letters and digits, with at least one of each."""
    while True:
        s = random_alnum(rng, n)
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


def optional_data(rng: np.random.Generator, max_len: int, p_empty: float) -> str:
    if rng.random() < p_empty:
        return ""
    return random_alnum(rng, int(rng.integers(min(3, max_len), max_len + 1)))


def make_identity(rng: np.random.Generator, kind: str) -> Identity:
    french = kind == "FRENCH_ID"
    country = "FRA" if french else pick(rng, COUNTRIES)
    nationality = country if french or rng.random() < 0.5 else pick(rng, COUNTRIES)
    sex = pick(rng, ["M", "F"]) if french else pick(rng, ["M", "F", "X"], [0.45, 0.45, 0.1])
    birth = random_date(rng, dt.date(1940, 1, 1), dt.date(2020, 12, 31))
    issue = random_date(rng, max(birth + dt.timedelta(days=200), dt.date(2012, 1, 1)),
                        dt.date(2026, 10, 31))
    years = pick(rng, [1, 2, 5]) if kind in ("MRVA", "MRVB") else pick(rng, [5, 10, 10])
    expiry = add_years(issue, years) - dt.timedelta(days=1)
    ident = Identity(kind=kind, doc_code="ID" if french else pick(rng, DOC_CODES[kind]),
                     country=country, nationality=nationality,
                     surname=invent_surname(rng), given=invent_given(rng), birth=birth,
                     expiry=None if french else expiry, sex=sex, number="")
    if french:
        dept = pick(rng, ["2A", "2B"]) if rng.random() < 0.1 else f"{rng.integers(1, 96):02d}"
        ident.department = dept + str(rng.integers(0, 10))
        ident.office = f"{rng.integers(0, 1000):03d}"
        ident.number = (issue.strftime("%y%m") + ident.department
                        + f"{rng.integers(0, 100000):05d}")
        return ident
    long_td1 = kind == "TD1" and rng.random() < 0.1
    length = int(rng.integers(10, 13)) if long_td1 else pick(rng, [9, 9, 9, 9, 8, 7])
    ident.number = document_number(rng, length)
    if kind == "TD3":
        ident.optional = optional_data(rng, 14, 0.6)
    elif kind == "TD1":
        ident.optional = "" if long_td1 else optional_data(rng, 15, 0.5)
        ident.optional2 = optional_data(rng, 11, 0.8)
    elif kind == "TD2":
        ident.optional = optional_data(rng, 7, 0.7)
    else:
        ident.optional = optional_data(rng, 16 if kind == "MRVA" else 8, 0.5)
    return ident


def truth_fields(ident: Identity) -> dict:
    return {"country": ident.country, "nationality": ident.nationality,
            "surname": ident.surname, "given": ident.given, "birth": yymmdd(ident.birth),
            "expiry": yymmdd(ident.expiry) if ident.expiry else None, "sex": ident.sex}


# --------------------------------------------------------------------------------------
# The document, drawn flat in its own pixel grid

@dataclass
class Document:
    """A document's geometry in mm; `kind` is an MRZ format, "card" or "paper"."""
    kind: str
    size_mm: tuple[float, float]
    ident: Identity | None = None
    lines: list[str] | None = None
    mrz_font: str | None = None
    mrz_origin_mm: tuple[float, float] = (0.0, 0.0)   # top-left of the cell-padded block
    line_pitch_mm: float = 0.0
    cap_mm: float = 0.0

    @property
    def n_chars(self) -> int:
        return len(self.lines[0])

    def mrz_corners_mm(self) -> np.ndarray:
        x0, y0 = self.mrz_origin_mm
        x1 = x0 + self.n_chars * MRZ_PITCH_MM
        y1 = y0 + len(self.lines) * self.line_pitch_mm
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])

    def corners_mm(self) -> np.ndarray:
        w, h = self.size_mm
        return np.array([[0, 0], [w, 0], [w, h], [0, h]], float)


def make_document(rng: np.random.Generator, kind: str) -> Document:
    if kind == "card":
        return Document(kind, pick(rng, [DOC_SIZE_MM["TD1"], DOC_SIZE_MM["TD2"]]))
    if kind == "paper":
        return Document(kind, (148.0, 105.0))
    ident = make_identity(rng, kind)
    lines = mrz_lines(ident)
    w, h = DOC_SIZE_MM[kind]
    n_lines, n_chars = MRZ_SHAPE[kind]
    alts = existing(ALT_MRZ_FONTS)
    font = pick(rng, alts) if alts and rng.random() < 0.25 else OCRB
    line_pitch = MRZ_PITCH_MM * rng.uniform(1.35, 1.6)
    slack = w - n_chars * MRZ_PITCH_MM
    x0 = slack / 2 + rng.uniform(-0.25, 0.25) * slack
    y0 = h - rng.uniform(2.0, 4.0) - n_lines * line_pitch
    return Document(kind, (w, h), ident, lines, font, (x0, y0), line_pitch,
                    MRZ_PITCH_MM * rng.uniform(0.78, 0.92))


def pale_colour(rng: np.random.Generator) -> np.ndarray:
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.03, 0.2), rng.uniform(0.86, 0.97))
    return np.array([r, g, b]) * 255


def dark_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.4, 0.8), rng.uniform(0.25, 0.45))
    return int(r * 255), int(g * 255), int(b * 255)


def viz_date(style: int, d: dt.date) -> str:
    return d.strftime(["%d %b %Y", "%d.%m.%Y", "%d/%m/%Y"][style]).upper()


def viz_fields(rng: np.random.Generator, doc: Document) -> list[tuple[str, str]]:
    ident = doc.ident
    if ident is None:  # a document without MRZ: invented, unrelated values
        return [(label, invent_word(rng, 2) + " " + invent_word(rng, 2))
                if rng.random() < 0.5 else (label, random_alnum(rng, 8, "0123456789"))
                for label in ["Name", "Address", "Member", "Valid", "Class", "Issued by",
                              "Number", "Category"]]
    style = int(rng.integers(0, 3))
    fields = [("Surname / Nom", ident.surname), ("Given names / Prénoms", ident.given),
              ("Nationality / Nationalité", ident.nationality),
              ("Date of birth / Date de naissance", viz_date(style, ident.birth)),
              ("Sex / Sexe", ident.sex)]
    if ident.expiry:
        fields.append(("Date of expiry / Date d'expiration", viz_date(style, ident.expiry)))
    fields.append(("Document No. / N° du document", ident.number))
    if ident.kind in ("MRVA", "MRVB"):
        fields.append(("Entries / Entrées", pick(rng, ["1", "2", "MULT"])))
    return fields


def render_document(rng: np.random.Generator, doc: Document, ppm: float) -> Image.Image:
    """Draws the document at `ppm` pixels per mm; returns premultiplied RGBa."""
    w_mm, h_mm = doc.size_mm
    w, h = int(round(w_mm * ppm)), int(round(h_mm * ppm))
    sx, sy = w / w_mm, h / h_mm   # exact mm -> px factors for this raster

    # Pale background with a gradient (paper for "paper", tinted otherwise).
    c1 = pale_colour(rng) if doc.kind != "paper" else np.array([246, 245, 240.0])
    c2 = c1 + rng.uniform(-18, 12, 3)
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w * np.cos(ang) + yy / h * np.sin(ang) + 1) / 2
    base = c1 * (1 - t[..., None]) + c2 * t[..., None]
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    accent = dark_colour(rng)
    line_w = max(1, int(round(0.12 * ppm)))

    def mm(x: float, y: float) -> tuple[float, float]:
        return x * sx, y * sy

    if doc.kind != "paper":
        # Guilloche: thin interleaved sine curves across the whole document.
        tint = tuple(int(v) for v in c1 * 0.6 + np.array(accent) * 0.4)
        xs = np.linspace(0, w_mm, 240)
        for _ in range(int(rng.integers(6, 16))):
            y0, a1, a2 = rng.uniform(0, h_mm), rng.uniform(1, 10), rng.uniform(0.5, 4)
            l1, l2 = rng.uniform(25, 90), rng.uniform(8, 30)
            p1, p2 = rng.uniform(0, 2 * np.pi, 2)
            ys = y0 + a1 * np.sin(2 * np.pi * xs / l1 + p1) + a2 * np.sin(2 * np.pi * xs / l2 + p2)
            draw.line([mm(x, y) for x, y in zip(xs, ys)], fill=tint, width=line_w)
        if rng.random() < 0.5:  # a rosette (hypotrochoid)
            cx, cy = rng.uniform(0.4, 1.0) * w_mm, rng.uniform(0, 0.6) * h_mm
            big, small, arm = rng.uniform(8, 18), rng.uniform(1.5, 5), rng.uniform(2, 8)
            ts = np.linspace(0, 40 * np.pi, 3000)
            px = cx + (big - small) * np.cos(ts) + arm * np.cos((big - small) / small * ts)
            py = cy + (big - small) * np.sin(ts) - arm * np.sin((big - small) / small * ts)
            draw.line([mm(x, y) for x, y in zip(px, py)], fill=tint, width=line_w)

    sans, bold = existing(SANS_FONTS) or [None], existing(SANS_BOLD_FONTS) or [None]
    sans_font, bold_font = pick(rng, sans), pick(rng, bold)
    sans_cap, bold_cap = cap_ratio(sans_font), cap_ratio(bold_font)

    def text(x_mm: float, y_mm: float, s: str, cap: float, fill, is_bold: bool = False,
             max_w_mm: float | None = None) -> None:
        """Draws `s` with its cap height `cap` mm and its cap top at y_mm."""
        path, ratio = (bold_font, bold_cap) if is_bold else (sans_font, sans_cap)
        font = load_font(path, cap * ppm / ratio)
        if max_w_mm is not None:
            while s and font.getlength(s) > max_w_mm * sx:
                s = s[:-1]
        draw.text(mm(x_mm, y_mm + cap), s, font=font, fill=fill, anchor="ls")

    # Title.
    title_cap = float(np.clip(0.045 * h_mm, 2.4, 4.2))
    title_y = rng.uniform(2.5, 4.5)
    text(rng.uniform(4, 7), title_y, pick(rng, TITLES[doc.ident.kind if doc.ident else doc.kind]),
         title_cap, accent, is_bold=True, max_w_mm=w_mm - 8)
    top = title_y + title_cap + 3
    bottom = (doc.mrz_origin_mm[1] if doc.lines else h_mm - 4) - 2.5

    if doc.kind == "paper":
        y = top + 2
        while y + 6 < bottom:
            words = [invent_word(rng, int(rng.integers(1, 4))).lower() for _ in range(10)]
            text(8, y, " ".join(words).capitalize(), 2.0, (40, 40, 48), max_w_mm=w_mm - 16)
            y += 5.2
    else:
        # Photo placeholder: a muted frame with a head-and-shoulders silhouette.
        ph_h = min(bottom - top, 0.62 * h_mm)
        ph_w = 0.78 * ph_h
        px0, py0 = rng.uniform(4, 7), top
        bg = tuple(int(v) for v in pale_colour(rng) * rng.uniform(0.7, 0.9))
        fg = tuple(int(v) for v in pale_colour(rng) * rng.uniform(0.45, 0.65))
        draw.rectangle([mm(px0, py0), mm(px0 + ph_w, py0 + ph_h)], fill=bg)
        hx, hy = px0 + ph_w / 2, py0 + 0.38 * ph_h
        draw.ellipse([mm(hx - 0.22 * ph_w, hy - 0.2 * ph_h), mm(hx + 0.22 * ph_w, hy + 0.2 * ph_h)],
                     fill=fg)
        draw.chord([mm(px0 + 0.08 * ph_w, py0 + 0.62 * ph_h),
                    mm(px0 + 0.92 * ph_w, py0 + 1.35 * ph_h)],
                   180, 360, fill=fg)

        # Printed fields: small grey label, bold value, in as many columns as fit.
        fx0 = px0 + ph_w + 4
        row_h = float(np.clip(0.085 * h_mm, 5.0, 7.5))
        label_cap, value_cap = 0.22 * row_h, 0.34 * row_h
        cols = max(1, int((w_mm - 3 - fx0) // 36))
        col_w = (w_mm - 3 - fx0) / cols
        rows = max(1, int((bottom - top) // row_h))
        for i, (label, value) in enumerate(viz_fields(rng, doc)[:rows * cols]):
            x, y = fx0 + (i // rows) * col_w, top + (i % rows) * row_h
            text(x, y, label, label_cap, (95, 95, 105), max_w_mm=col_w - 1)
            text(x, y + label_cap + 0.25 * row_h, value, value_cap, (20, 20, 28), is_bold=True,
                 max_w_mm=col_w - 1)
        if doc.kind == "card" and rng.random() < 0.6:  # a barcode strip as a distractor
            x, bw = 6.0, 0.0
            while x < w_mm - 6:
                bw = rng.uniform(0.25, 0.9)
                if rng.random() < 0.5:
                    draw.rectangle([mm(x, h_mm - 9), mm(x + bw, h_mm - 3)], fill=(25, 25, 25))
                x += bw

    if doc.lines:
        ink = tuple(int(v) for v in rng.uniform(10, 55, 3))
        font = load_font(doc.mrz_font, doc.cap_mm * ppm / cap_ratio(doc.mrz_font))
        x0, y0 = doc.mrz_origin_mm
        for i, line in enumerate(doc.lines):
            base_y = y0 + (i + 0.5) * doc.line_pitch_mm + doc.cap_mm / 2
            for j, ch in enumerate(line):
                cell_x = (x0 + (j + 0.5) * MRZ_PITCH_MM) * sx
                draw.text((cell_x - font.getlength(ch) / 2, base_y * sy), ch, font=font,
                          fill=ink, anchor="ls")

    # Shape: rounded corners for cards, nearly square for booklet pages and paper.
    radius = {"TD3": 1.5, "MRVA": 1.0, "MRVB": 1.0, "paper": 0.0}.get(doc.kind, 3.2) * ppm
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, h - 1], radius=radius, fill=255)
    img.putalpha(mask)
    return img.convert("RGBa")


# --------------------------------------------------------------------------------------
# Geometry: document plane -> frame

def solve_homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    return np.append(np.linalg.solve(np.array(a, float), np.array(b, float)), 1).reshape(3, 3)


@dataclass
class Pose:
    roll_deg: float       # in-plane rotation, positive = clockwise on screen
    tilt_x_deg: float     # out-of-plane rotations (perspective)
    tilt_y_deg: float
    distance: float       # camera distance in document diagonals
    scale: float          # frame px per mm at the document's centre
    cx: float = 0.0       # where the document's centre lands in the frame
    cy: float = 0.0


def project(pose: Pose, doc: Document, pts_mm: np.ndarray) -> np.ndarray:
    """Pinhole projection of points of the document plane into frame pixels."""
    w, h = doc.size_mm
    p = np.c_[pts_mm - [w / 2, h / 2], np.zeros(len(pts_mm))]
    ax, ay = np.radians(pose.tilt_x_deg), np.radians(pose.tilt_y_deg)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    p = p @ (ry @ rx).T
    d = pose.distance * math.hypot(w, h)
    xy = p[:, :2] * (d / (d + p[:, 2:]))
    r = np.radians(pose.roll_deg)
    rot = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
    return xy @ rot.T * pose.scale + [pose.cx, pose.cy]


def mean_pitch(doc: Document, quad: np.ndarray) -> float:
    top, bottom = np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])
    return (top + bottom) / 2 / doc.n_chars


def centre_range(lo_pts: np.ndarray, size: tuple[int, int],
                 margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Range of centre offsets that keeps points (projected around 0) within the frame
    shrunk by `margin` (negative margin = allowed overhang)."""
    lo = margin - lo_pts.min(axis=0)
    hi = np.array(size, float) - margin - lo_pts.max(axis=0)
    return lo, hi


def choose_pose(rng: np.random.Generator, doc: Document, size: tuple[int, int]) -> Pose:
    """Random pose with the MRZ inside the frame and a pitch of about 10-30 px."""
    w, h = size
    overhang = -0.03 * min(w, h)
    mrz_margin = 0.02 * min(w, h)
    framing = pick(rng, ["framed", "small", "closeup"], [0.7, 0.15, 0.15])
    for _ in range(200):
        roll = (float(np.clip(rng.normal(0, 7), -20, 20)) if rng.random() < 0.8
                else rng.uniform(-20, 20))
        unit = Pose(roll, float(np.clip(rng.normal(0, 6), -15, 15)),
                    float(np.clip(rng.normal(0, 6), -15, 15)), rng.uniform(1.3, 3.0), 1.0)
        doc_pts = project(unit, doc, doc.corners_mm())
        fit_doc = min((w - 2 * overhang) / np.ptp(doc_pts[:, 0]),
                      (h - 2 * overhang) / np.ptp(doc_pts[:, 1]))
        if doc.lines is None:
            scale = fit_doc * rng.uniform(0.4, 0.95)
            lo, hi = centre_range(project(replace(unit, scale=scale), doc, doc.corners_mm()),
                                  size, overhang)
        else:
            mrz_pts = project(unit, doc, doc.mrz_corners_mm())
            p1 = mean_pitch(doc, mrz_pts)
            fit_mrz = min((w - 2 * mrz_margin) / np.ptp(mrz_pts[:, 0]),
                          (h - 2 * mrz_margin) / np.ptp(mrz_pts[:, 1]))
            hi_pitch = min(30.0, fit_mrz * p1)
            if hi_pitch < 10:
                continue
            doc_pitch = float(np.clip(fit_doc * p1, 10, hi_pitch))
            pitch = {"framed": doc_pitch * rng.uniform(0.65, 0.98),
                     "small": rng.uniform(10, doc_pitch),
                     "closeup": rng.uniform(doc_pitch, hi_pitch)}[framing]
            scale = float(np.clip(pitch, 10, hi_pitch)) / p1
            posed = replace(unit, scale=scale)
            lo, hi = centre_range(project(posed, doc, doc.mrz_corners_mm()), size, mrz_margin)
            if framing == "closeup":
                # The document overflows the frame; keep its centre in the middle part
                # so that the frame is filled by the document, not by the table.
                dlo, dhi = np.array([0.25 * w, 0.15 * h]), np.array([0.75 * w, 0.85 * h])
            else:
                dlo, dhi = centre_range(project(posed, doc, doc.corners_mm()), size, overhang)
            if np.all(np.maximum(lo, dlo) <= np.minimum(hi, dhi)):
                lo, hi = np.maximum(lo, dlo), np.minimum(hi, dhi)
        if np.all(lo <= hi):
            cx, cy = rng.uniform(lo, hi)
            return replace(unit, scale=scale, cx=float(cx), cy=float(cy))
    raise RuntimeError(f"no pose fits a {doc.kind} into {w}x{h}")


def jitter_pose(rng: np.random.Generator, base: Pose, doc: Document, size: tuple[int, int]) -> Pose:
    """A hand-held camera between two frames: small moves, MRZ kept in the frame."""
    w, h = size
    pose = replace(base, roll_deg=base.roll_deg + rng.normal(0, 0.5),
                   tilt_x_deg=base.tilt_x_deg + rng.normal(0, 0.8),
                   tilt_y_deg=base.tilt_y_deg + rng.normal(0, 0.8),
                   scale=base.scale * (1 + rng.normal(0, 0.01)), cx=0.0, cy=0.0)
    if doc.lines:  # keep the pitch within 10-30 px
        pitch = mean_pitch(doc, project(pose, doc, doc.mrz_corners_mm()))
        pose.scale *= float(np.clip(pitch, 10, 30)) / pitch
    target = np.array([base.cx, base.cy]) + rng.normal(0, 0.006 * w, 2)
    pts = doc.mrz_corners_mm() if doc.lines else doc.corners_mm()
    margin = 0.02 * min(w, h) if doc.lines else -0.05 * min(w, h)
    lo, hi = centre_range(project(pose, doc, pts), size, margin)
    cx, cy = np.clip(target, np.minimum(lo, hi), np.maximum(lo, hi))
    return replace(pose, cx=float(cx), cy=float(cy))


# --------------------------------------------------------------------------------------
# Scene and camera

SUPERSAMPLE = 2        # the document is warped at 2x and box-filtered down (anti-aliasing)
SATURATED = 250        # a pixel is saturated when all its channels reach this
GLARE_MIN_FRACTION = 0.005


def value_noise(rng: np.random.Generator, w: int, h: int, cell: int) -> np.ndarray:
    """Smooth random field in [-0.5, 0.5] with features of about `cell` px."""
    gw, gh = w // cell + 3, h // cell + 3
    grid = Image.fromarray(rng.random((gh, gw), dtype=np.float32))
    up = np.asarray(grid.resize((gw * cell, gh * cell), Image.Resampling.BICUBIC))
    return up[cell:cell + h, cell:cell + w] - 0.5


def make_background(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A table, fabric or wood surface, with a few unrelated objects on it."""
    w, h = size
    style = pick(rng, ["smooth", "fabric", "wood"])
    hue = rng.random()
    if style == "wood":
        hue = rng.uniform(0.05, 0.1)
    c1 = np.array(colorsys.hsv_to_rgb(hue, rng.uniform(0.2, 0.8), rng.uniform(0.25, 0.8))) * 255
    c2 = np.array(colorsys.hsv_to_rgb((hue + rng.uniform(-0.15, 0.15)) % 1,
                                      rng.uniform(0.2, 0.8), rng.uniform(0.25, 0.8))) * 255
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.clip((xx / w - 0.5) * np.cos(ang) + (yy / h - 0.5) * np.sin(ang) + 0.5, 0, 1)
    tex = value_noise(rng, w, h, int(rng.integers(60, 200))) * 24
    if style == "fabric":
        tex += value_noise(rng, w, h, int(rng.integers(3, 7))) * rng.uniform(20, 45)
    elif style == "wood":
        along = xx * np.cos(ang) + yy * np.sin(ang)
        warp = value_noise(rng, w, h, 120) * 6
        tex += np.sin(along / rng.uniform(6, 18) + warp) * rng.uniform(8, 20)
    bg = c1 * (1 - t[..., None]) + c2 * t[..., None] + tex[..., None]

    img = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(0, 3))):  # a phone, a notebook, a pen...
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        bw, bh = rng.uniform(0.05, 0.35) * w, rng.uniform(0.02, 0.35) * h
        colour = tuple(int(v) for v in rng.uniform(10, 230, 3))
        if rng.random() < 0.5:
            draw.rounded_rectangle([x, y, x + bw, y + bh], radius=min(bw, bh) * 0.2, fill=colour)
        else:
            draw.ellipse([x, y, x + bw, y + bh], fill=colour)
    return np.asarray(img.filter(ImageFilter.GaussianBlur(1.0)), np.float32)


def illumination(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """Uneven lighting: a gradient, vignetting and sometimes a soft cast shadow."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xn, yn = xx / w * 2 - 1, yy / h * 2 - 1
    ang = rng.uniform(0, 2 * np.pi)
    field = 1 + rng.uniform(0, 0.3) * (xn * np.cos(ang) + yn * np.sin(ang))
    field *= 1 - rng.uniform(0, 0.45) * (xn ** 2 + yn ** 2) / 2
    if rng.random() < 0.25:
        ang = rng.uniform(0, 2 * np.pi)
        d = (xn * np.cos(ang) + yn * np.sin(ang) - rng.uniform(-0.3, 0.8)) / rng.uniform(0.05, 0.3)
        field *= 1 - rng.uniform(0.2, 0.45) / (1 + np.exp(-d))
    return field.astype(np.float32)


def blur_kernel(sigma: float, length: int, angle: float) -> np.ndarray | None:
    """Gaussian blur combined with a linear motion blur of `length` px."""
    if sigma <= 0 and length <= 0:
        return None
    r = int(math.ceil(3 * sigma + length / 2)) + 1
    k = np.zeros((2 * r + 1, 2 * r + 1))
    if length > 0:
        # Splat points of the motion path with bilinear weights.
        t = np.linspace(-length / 2, length / 2, max(2, length * 8))
        xs, ys = r + t * math.cos(angle), r + t * math.sin(angle)
        x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
        fx, fy = xs - x0, ys - y0
        for dx, dy, wgt in [(0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)),
                            (0, 1, (1 - fx) * fy), (1, 1, fx * fy)]:
            np.add.at(k, (y0 + dy, x0 + dx), wgt)
    else:
        k[r, r] = 1
    if sigma > 0:
        x = np.arange(-r, r + 1)
        g = np.exp(-x ** 2 / (2 * sigma ** 2))
        g /= g.sum()
        k = np.apply_along_axis(np.convolve, 0, k, g, mode="same")
        k = np.apply_along_axis(np.convolve, 1, k, g, mode="same")
    return k / k.sum()


def convolve(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """FFT convolution with mirrored borders; img is (h, w) or (h, w, c)."""
    r = kernel.shape[0] // 2
    padding = [(r, r), (r, r)] + [(0, 0)] * (img.ndim - 2)
    p = np.pad(img, padding, mode="reflect")
    k = np.zeros(p.shape[:2])
    k[:kernel.shape[0], :kernel.shape[1]] = kernel
    k = np.roll(k, (-r, -r), axis=(0, 1))
    fk = np.fft.rfft2(k)
    if img.ndim == 3:
        fk = fk[..., None]
    out = np.fft.irfft2(np.fft.rfft2(p, axes=(0, 1)) * fk, s=p.shape[:2], axes=(0, 1))
    return out[r:-r, r:-r].astype(np.float32)


def polygon_mask(quad: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    m = Image.new("L", size, 0)
    ImageDraw.Draw(m).polygon([tuple(p) for p in quad], fill=1)
    return np.asarray(m, bool)


@dataclass
class Glare:
    """An elliptical specular highlight (super-Gaussian profile) in frame pixels."""
    cx: float
    cy: float
    rx: float
    ry: float
    angle: float
    amplitude: float     # peak radiance added, in output levels after exposure
    power: float         # profile exponent: 2 = Gaussian, larger = flatter core

    def field(self, size: tuple[int, int]) -> np.ndarray:
        w, h = size
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        return self.amplitude * np.exp(-0.5 * self.rho(xx + 0.5, yy + 0.5) ** self.power)

    def rho(self, x, y):
        c, s = math.cos(self.angle), math.sin(self.angle)
        u, v = (x - self.cx) * c + (y - self.cy) * s, -(x - self.cx) * s + (y - self.cy) * c
        return np.sqrt((u / self.rx) ** 2 + (v / self.ry) ** 2)

    def saturated_rho(self, level: float) -> float:
        """Normalised radius inside which a surface at `level` saturates."""
        ratio = max(self.amplitude / max(SATURATED - level, 1), 1.0001)
        return (2 * math.log(ratio)) ** (1 / self.power)

    def hits(self, quad: np.ndarray, level: float) -> bool:
        """Whether the saturated core (with a safety margin) touches the quad."""
        s, t = np.meshgrid(np.linspace(0, 1, 60), np.linspace(0, 1, 12))
        top = quad[0] + (quad[1] - quad[0]) * s[..., None]
        bot = quad[3] + (quad[2] - quad[3]) * s[..., None]
        pts = top + (bot - top) * t[..., None]
        return bool(self.rho(pts[..., 0], pts[..., 1]).min() < 1.3 * self.saturated_rho(level))


@dataclass
class Conditions:
    """What the profile drew for a frame (or a whole sequence)."""
    kind: str | None          # MRZ format, or None for a frame without MRZ
    blur_class: str           # sharp, mild, middle, strong (single frames)
    glare: str                # none, sheen, off_mrz, over_mrz, anywhere
    exposure: str             # ok, dark, bright
    jpeg_quality: int


PROFILES = ["mixed", "legible", "quality", "nomrz"]
KINDS = ["TD3", "TD1", "TD2", "MRVA", "MRVB", "FRENCH_ID"]
KIND_WEIGHTS = [0.28, 0.24, 0.18, 0.08, 0.08, 0.14]


def draw_conditions(rng: np.random.Generator, profile: str) -> Conditions:
    has_mrz = {"mixed": rng.random() < 0.9, "legible": True, "quality": True,
               "nomrz": False}[profile]
    kind = pick(rng, KINDS, KIND_WEIGHTS) if has_mrz else None
    if profile == "legible":
        glare = pick(rng, ["none", "sheen", "off_mrz"], [0.6, 0.1, 0.3])
    elif profile == "quality":
        glare = pick(rng, ["none", "over_mrz", "off_mrz"], [0.5, 0.25, 0.25])
    else:
        glare = pick(rng, ["none", "sheen", "over_mrz", "off_mrz"], [0.6, 0.1, 0.12, 0.18])
    if kind is None and glare in ("over_mrz", "off_mrz"):
        glare = "anywhere"
    exposure = pick(rng, ["ok", "dark", "bright"],
                    [0.7, 0.15, 0.15] if profile in ("mixed", "nomrz") else [0.8, 0.1, 0.1])
    return Conditions(kind, draw_blur_class(rng, profile), glare, exposure,
                      int(rng.integers(55, 96)))


def draw_blur_class(rng: np.random.Generator, profile: str) -> str:
    if profile == "legible":
        return pick(rng, ["sharp", "mild"])
    if profile == "quality":
        return pick(rng, ["sharp", "strong"])
    return pick(rng, ["sharp", "mild", "middle", "strong"], [0.45, 0.3, 0.1, 0.15])


def draw_blur(rng: np.random.Generator, blur_class: str) -> tuple[float, int]:
    """(blur_sigma, motion_len) for a class; the bounds follow the README's categories:
    legible <= 1.5 / 9, clearly blurred >= 2.5 / 13, clearly sharp = 0 / 0."""
    r = rng.random()
    if blur_class == "sharp":
        return 0.0, 0
    if blur_class == "mild":
        if r < 0.5:
            return rng.uniform(0.3, 1.5), 0
        if r < 0.8:
            return 0.0, int(rng.integers(2, 10))
        return rng.uniform(0.3, 1.0), int(rng.integers(2, 7))
    if blur_class == "middle":
        return (rng.uniform(1.6, 2.4), 0) if r < 0.5 else (0.0, int(rng.integers(10, 13)))
    if r < 0.5:
        return rng.uniform(2.5, 4.5), 0
    if r < 0.85:
        return 0.0, int(rng.integers(13, 25))
    return rng.uniform(2.5, 3.5), int(rng.integers(13, 19))


@dataclass
class Scene:
    """Everything that stays fixed over a sequence."""
    size: tuple[int, int]
    cond: Conditions
    doc: Document | None
    card: Image.Image | None      # rendered document (premultiplied RGBa)
    background: np.ndarray
    light: np.ndarray
    shadow: tuple[float, float, float, float]   # blur radius, dx, dy, strength
    gain: float = 1.0             # exposure: radiance -> output levels
    paper_level: float = 200.0    # typical output level of the document's paper
    read_noise: float = 1.0
    shot_noise: float = 0.02


def warp_document(scene: Scene, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """Frame-sized premultiplied RGB and alpha of the document under `pose`."""
    doc, card = scene.doc, scene.card
    w, h = scene.size
    cw, ch = card.size
    card_px = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], float)
    hom = solve_homography(card_px, project(pose, doc, doc.corners_mm()) * SUPERSAMPLE)
    inv = np.linalg.inv(hom)
    inv /= inv[2, 2]
    warped = card.transform((w * SUPERSAMPLE, h * SUPERSAMPLE), Image.Transform.PERSPECTIVE,
                            tuple(inv.flatten()[:8]), Image.Resampling.BICUBIC)
    arr = np.asarray(warped.reduce(SUPERSAMPLE), np.float32)
    return arr[..., :3], arr[..., 3] / 255


def scene_radiance(scene: Scene, pose: Pose | None) -> tuple[np.ndarray, np.ndarray]:
    """The lit scene before optics and sensor, and the document's alpha."""
    bg = scene.background
    if scene.doc is None:
        return bg * scene.light[..., None], np.zeros(bg.shape[:2], np.float32)
    rgb, alpha = warp_document(scene, pose)
    radius, dx, dy, strength = scene.shadow
    blurred = Image.fromarray((alpha * 255).astype(np.uint8))
    blurred = blurred.filter(ImageFilter.GaussianBlur(radius))
    # Cast shadow: the blurred silhouette moved by (dx, dy), dy >= 0.
    sh = np.zeros_like(alpha)
    dx, dy = int(dx), int(dy)
    src = np.asarray(blurred, np.float32)[:alpha.shape[0] - dy] / 255
    if dx >= 0:
        sh[dy:, dx:] = src[:, :src.shape[1] - dx]
    else:
        sh[dy:, :dx] = src[:, -dx:]
    out = rgb + bg * (1 - strength * sh)[..., None] * (1 - alpha)[..., None]
    return out * scene.light[..., None], alpha


def make_scene(rng: np.random.Generator, cond: Conditions,
               size: tuple[int, int]) -> tuple[Scene, Pose | None]:
    if cond.kind is not None:
        doc = make_document(rng, cond.kind)
    else:
        doc = pick(rng, [None, "card", "paper"], [0.3, 0.4, 0.3])
        doc = make_document(rng, doc) if doc else None
    pose = choose_pose(rng, doc, size) if doc else None
    card = None
    if doc:
        # Render at about 1.2x the supersampled frame resolution so that warping
        # only mildly downsamples.
        ppm = float(np.clip(pose.scale * SUPERSAMPLE * 1.2, 6, 30))
        card = render_document(rng, doc, ppm)
    w, h = size
    scene = Scene(size, cond, doc, card, make_background(rng, size), illumination(rng, size),
                  (rng.uniform(0.004, 0.015) * w, rng.uniform(-0.01, 0.01) * w,
                   rng.uniform(0, 0.015) * h, rng.uniform(0.2, 0.5)))
    # Auto-exposure: scale so that the document's paper (or the whole frame) lands at a
    # level that depends on the exposure class.
    radiance, alpha = scene_radiance(scene, pose)
    lum = radiance @ np.array([0.299, 0.587, 0.114], np.float32)
    region = lum[alpha > 0.9] if doc and (alpha > 0.9).sum() > 1000 else lum
    ref = float(np.percentile(region, 75 if doc else 50))
    target = {"ok": rng.uniform(175, 225), "dark": rng.uniform(70, 110),
              "bright": rng.uniform(236, 250)}[cond.exposure]
    scene.gain = target / max(ref, 1.0)
    scene.paper_level = target
    scene.read_noise = rng.uniform(0.8, 2.2) * (2.0 if cond.exposure == "dark" else 1.0)
    scene.shot_noise = rng.uniform(0.01, 0.05)
    return scene, pose


def glare_shape(rng: np.random.Generator, scene: Scene, sheen: bool) -> Glare:
    """A highlight (centre unset) sized so that its saturated core covers about
    0.6-4 % of the frame; a sheen brightens a wide area without saturating."""
    w, h = scene.size
    aspect, angle = rng.uniform(1.0, 2.2), rng.uniform(0, np.pi)
    if sheen:
        amp = rng.uniform(0.3, 0.7) * max(SATURATED - 10 - scene.paper_level, 0)
        r = rng.uniform(0.12, 0.3) * min(w, h)
        return Glare(0, 0, r * aspect, r, angle, amp, 2.0)
    g = Glare(0, 0, 1, 1, angle, rng.uniform(2.5, 6) * 255, rng.uniform(1.6, 3.0))
    area = rng.uniform(0.006, 0.04) * w * h
    rr = math.sqrt(area / math.pi) / g.saturated_rho(scene.paper_level)
    g.rx, g.ry = rr * math.sqrt(aspect), rr / math.sqrt(aspect)
    return g


def place_in(rng: np.random.Generator, scene: Scene, pose: Pose, region: np.ndarray) -> np.ndarray:
    """A random frame point inside a region of the document given in mm (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = region
    pt = np.array([[rng.uniform(x0, x1), rng.uniform(y0, y1)]])
    return project(pose, scene.doc, pt)[0]


def place_glare(rng: np.random.Generator, scene: Scene, pose: Pose | None, glare: Glare,
                mode: str) -> Glare | None:
    """Centres the highlight according to `mode`; None if no placement works."""
    w, h = scene.size
    doc = scene.doc
    for _ in range(50):
        if mode == "over_mrz":
            quad = doc.mrz_corners_mm()
            c = place_in(rng, scene, pose, np.array([*quad[0], *quad[2]]))
        elif doc is not None:
            c = place_in(rng, scene, pose, np.array([0, 0, *doc.size_mm]))
        else:
            c = rng.uniform([0, 0], [w, h])
        g = replace(glare, cx=float(c[0]), cy=float(c[1]))
        mrz_quad = project(pose, doc, doc.mrz_corners_mm()) if mode == "off_mrz" else None
        if mrz_quad is not None and g.hits(mrz_quad, scene.paper_level):
            continue
        return g
    return None


def sequence_glares(rng: np.random.Generator, scene: Scene, poses: list[Pose], glare: Glare,
                    mode: str) -> list[Glare]:
    """A highlight that sweeps across the document over the sequence: along the MRZ
    band ("over_mrz"), or above it ("off_mrz" - shrunk if needed to stay clear)."""
    doc = scene.doc
    if doc is None:
        w, h = scene.size
        a, b = rng.uniform([0, 0], [w, h], (2, 2))
        return [replace(glare, cx=float(c[0]), cy=float(c[1]))
                for c in (a + (b - a) * t for t in np.linspace(0, 1, len(poses)))]
    w_mm, h_mm = doc.size_mm
    if mode == "over_mrz":
        quad = doc.mrz_corners_mm()
        v = rng.uniform(quad[0, 1], quad[2, 1])
        u0, u1 = quad[0, 0], quad[1, 0]
    else:
        top = doc.mrz_origin_mm[1] if doc.lines else h_mm
        v = rng.uniform(0.1, 0.45) * top
        u0, u1 = 0.1 * w_mm, 0.9 * w_mm
    if rng.random() < 0.5:
        u0, u1 = u1, u0
    out = []
    for t, pose in zip(np.linspace(0, 1, len(poses)), poses):
        c = project(pose, doc, np.array([[u0 + (u1 - u0) * t, v]]))[0]
        g = replace(glare, cx=float(c[0]), cy=float(c[1]))
        if mode == "off_mrz" and doc.lines:
            mrz_quad = project(pose, doc, doc.mrz_corners_mm())
            while g.hits(mrz_quad, scene.paper_level) and g.rx > 2:
                g = replace(g, rx=g.rx * 0.8, ry=g.ry * 0.8)
        out.append(g)
    return out


def capture(rng: np.random.Generator, scene: Scene, pose: Pose | None, glare: Glare | None,
            blur_sigma: float, motion_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Optics and sensor: blur, exposure, clipping, noise. Returns the 8-bit frame and
    the mask of pixels saturated because of the highlight."""
    w, h = scene.size
    radiance, _ = scene_radiance(scene, pose)
    radiance *= scene.gain
    # The highlight is in output levels already (it does not follow auto-exposure).
    glare_img = glare.field(scene.size) if glare else np.zeros((h, w), np.float32)
    kernel = blur_kernel(blur_sigma, motion_len, rng.uniform(0, np.pi))
    if kernel is not None:
        radiance = convolve(radiance, kernel)
        if glare:
            glare_img = convolve(glare_img, kernel)
    lit = radiance + glare_img[..., None]
    glare_mask = (lit.min(axis=2) >= SATURATED) & (radiance.min(axis=2) < SATURATED)
    img = np.clip(lit, 0, 255)
    sigma = np.sqrt(scene.read_noise ** 2 + scene.shot_noise * img.mean(axis=2, keepdims=True))
    img += sigma * (rng.standard_normal((h, w, 1), np.float32)
                    + 0.35 * rng.standard_normal((h, w, 3), np.float32))
    return np.clip(np.round(img), 0, 255).astype(np.uint8), glare_mask


# --------------------------------------------------------------------------------------
# Frames and sequences

def round_quad(q: np.ndarray) -> list[list[float]]:
    return [[round(float(x), 1), round(float(y), 1)] for x, y in q]


def truth_record(scene: Scene, pose: Pose | None, glare_mask: np.ndarray, blur_sigma: float,
                 motion_len: int, name: str) -> dict:
    w, h = scene.size
    doc = scene.doc
    fraction = float(glare_mask.mean())
    rec = {"kind": scene.cond.kind, "mrz": doc.lines if doc and doc.lines else None}
    over = False
    if rec["kind"]:
        mrz_quad = project(pose, doc, doc.mrz_corners_mm())
        pitch = mean_pitch(doc, mrz_quad)
        # Over the MRZ: saturated pixels inside it covering pitch²/4 (a part of a character).
        over = bool((glare_mask & polygon_mask(mrz_quad, scene.size)).sum() >= 0.25 * pitch ** 2)
        rec.update(fields=truth_fields(doc.ident),
                   doc_quad=round_quad(project(pose, doc, doc.corners_mm())),
                   mrz_quad=round_quad(mrz_quad), rotation_deg=round(pose.roll_deg, 2))
    rec.update(glare=fraction >= GLARE_MIN_FRACTION, glare_over_mrz=over,
               glare_fraction=round(fraction, 4), blur_sigma=round(float(blur_sigma), 3),
               motion_len=int(motion_len))
    if rec["kind"]:
        rec.update(mrz_char_pitch_px=round(pitch, 2), jpeg_quality=scene.cond.jpeg_quality)
    rec.update(file=name, size=[w, h])
    return rec


def generate(rng: np.random.Generator, profile: str, size: tuple[int, int], length: int,
             names: list[str]) -> list[tuple[np.ndarray, int, dict]]:
    """One frame (length 1) or a sequence of frames of the same scene, each as
    (pixels, JPEG quality, truth record)."""
    cond = draw_conditions(rng, profile)
    scene, base = make_scene(rng, cond, size)
    poses = [base] if length == 1 else [jitter_pose(rng, base, scene.doc, size) if scene.doc
                                        else None for _ in range(length)]
    mode = cond.glare
    if length > 1 and mode in ("none", "sheen"):
        # Sequences always carry a moving highlight (what multi-frame fusion is for).
        mode = "off_mrz" if profile == "legible" else (
            pick(rng, ["over_mrz", "off_mrz"]) if cond.kind else "anywhere")
    glares: list[Glare | None] = [None] * length
    if mode != "none":
        shape = glare_shape(rng, scene, sheen=mode == "sheen")
        if length > 1:
            glares = sequence_glares(rng, scene, poses, shape, mode)
        else:
            glares = [place_glare(rng, scene, base, shape, "anywhere" if mode == "sheen" else mode)]
    # A hand-held camera does not shake the same in every frame of a sequence.
    classes = [cond.blur_class] if length == 1 else [draw_blur_class(rng, profile)
                                                     for _ in range(length)]
    out = []
    for pose, glare, name, blur_class in zip(poses, glares, names, classes):
        blur_sigma, motion_len = draw_blur(rng, blur_class)
        img, glare_mask = capture(rng, scene, pose, glare, blur_sigma, motion_len)
        out.append((img, cond.jpeg_quality,
                    truth_record(scene, pose, glare_mask, blur_sigma, motion_len, name)))
    return out


def write_set(out: Path, frames: list[tuple[np.ndarray, int, dict]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for img, quality, rec in frames:
        Image.fromarray(img).save(out / rec["file"], "JPEG", quality=quality)
    with open(out / "truth.jsonl", "w", encoding="utf-8") as f:
        for _, _, rec in frames:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def parse_size(s: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in s.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WxH, not {s!r}")
    # Below 640x360 a TD3 MRZ cannot keep a 10 px character pitch.
    if not (640 <= w <= 4000 and 360 <= h <= 4000):
        raise argparse.ArgumentTypeError("size out of range (640x360 to 4000x4000)")
    return w, h


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--count", type=int, required=True,
                    help="number of frames (of sequences with --sequence)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--size", type=parse_size, default=(1280, 720), help="WxH, default 1280x720")
    ap.add_argument("--profile", choices=PROFILES, default="mixed")
    ap.add_argument("--sequence", type=int, metavar="K",
                    help="write COUNT sequences of K frames of one document each")
    args = ap.parse_args(argv)
    if args.count < 1 or (args.sequence is not None and args.sequence < 2):
        ap.error("--count must be >= 1 and --sequence >= 2")
    if not Path(OCRB).is_file():
        ap.error(f"OCR-B font missing: {OCRB} (Debian package fonts-ocr-b)")
    profile_id = PROFILES.index(args.profile)
    prefix = f"{args.profile}-{args.seed}"
    if args.sequence is None:
        frames = []
        for i in range(args.count):
            rng = np.random.default_rng([args.seed, profile_id, 0, i])
            frames += generate(rng, args.profile, args.size, 1, [f"{prefix}-{i:04d}.jpg"])
        sets = [(args.out, frames)]
    else:
        sets = []
        for j in range(1, args.count + 1):
            rng = np.random.default_rng([args.seed, profile_id, 1, j])
            names = [f"{prefix}-seq{j:03d}-{k:03d}.jpg" for k in range(args.sequence)]
            sets.append((args.out / f"seq-{j:03d}", generate(rng, args.profile, args.size,
                                                              args.sequence, names)))
    for out, frames in sets:
        write_set(out, frames)
        n_mrz = sum(1 for _, _, r in frames if r["kind"])
        print(f"{out}: {len(frames)} frames ({n_mrz} with MRZ)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
