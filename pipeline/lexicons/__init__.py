"""Hand-written lexicons shipped with the pipeline, and the reader for their `[section]` / `weight: words` format."""

from __future__ import annotations

from pathlib import Path

LEXICON_DIR = Path(__file__).parent


def read_weighted_lexicon(path: Path | str) -> dict[str, dict[str, float]]:
    """Read a `[section]` / `weight: word word …` file into {section: {word: weight}}; a bare name is looked up here."""
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = LEXICON_DIR / path
    sections: dict[str, dict[str, float]] = {}
    current: dict[str, float] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        weight, colon, words = line.partition(":")
        if current is None or not colon:
            raise ValueError(f"{path}:{number}: 应为 “[小节]” 或 “权重: 词 词 …”")
        for word in words.split():
            current[word] = float(weight)
    return sections
