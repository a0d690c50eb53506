"""A day's history kept between demos: keyed by the code, the settings, the folder, the span, the seed and the
day."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path

from yuqing.settings_model import Settings

CACHED = ("yuqing.db", "reports", "outbox-history")


def code_version() -> str:
    """A digest of the code and lexicons that shape the history (any change makes a new history)."""
    root = Path(__file__).resolve().parents[3]
    digest = hashlib.sha256()
    for folder in ("yuqing", "pipeline"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".txt", ".toml", ".json") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(settings_digest: str, data_dir: Path, days: int, seed: int, end: datetime) -> str:
    parts = [code_version(), settings_digest, str(data_dir.resolve()), str(days), str(seed), end.isoformat()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def restore(cache_dir: Path, data_dir: Path) -> bool:
    """Copy a cached history into the (fresh) demo folder; False if there is none."""
    if not (cache_dir / "complete").exists():
        return False
    for name in CACHED:
        source = cache_dir / name
        if source.is_dir():
            shutil.copytree(source, data_dir / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, data_dir / name)
    return True


def store(cache_dir: Path, data_dir: Path, keep: int = 3) -> None:
    """Save the history just made (database, report files, history mails); keep the newest few caches."""
    tmp = cache_dir.with_name(cache_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in CACHED:
        source = data_dir / name
        if source.is_dir():
            shutil.copytree(source, tmp / name)
        elif source.exists():
            shutil.copy2(source, tmp / name)
    (tmp / "complete").write_text("ok\n", encoding="utf-8")
    shutil.rmtree(cache_dir, ignore_errors=True)
    tmp.rename(cache_dir)
    others = sorted(
        (p for p in cache_dir.parent.iterdir() if p.is_dir() and p != cache_dir and not p.name.endswith(".tmp")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in others[keep - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def settings_digest(settings: Settings) -> str:
    return hashlib.sha256(settings.model_dump_json().encode()).hexdigest()[:16]
