"""The CJK font of the charts (yuqing.reports.charts.cjk_font), cut down to the characters a page uses and embedded
in it as CSS, so that a print page shows Chinese on a computer without Chinese fonts too (a few hundred KB)."""

from __future__ import annotations

import base64
import io

from fontTools import subset
from fontTools.ttLib import TTFont

from yuqing.reports.charts import cjk_font

FAMILY = "YuqingCJK"


def font_face(text: str) -> str:
    """An @font-face rule for FAMILY with the glyphs of `text` (deterministic for the same text)."""
    _, path = cjk_font()
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(path, lazy=True, recalcTimestamp=False)  # head.modified stays the font's own: same bytes each time
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | {" "})))
    subsetter.subset(font)
    data = io.BytesIO()
    font.save(data)
    kind = "opentype" if path.endswith(".otf") else "truetype"
    encoded = base64.b64encode(data.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "{FAMILY}"; src: url(data:font/otf;base64,{encoded}) format("{kind}"); }}'
