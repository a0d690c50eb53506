"""What one poll of one source did: counts, problems and whether it succeeded (becomes a CrawlRun row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from yuqing.timeutil import utcnow

MAX_MESSAGE = 2000


@dataclass
class RunSummary:
    """Counters of one source run; `fatal` is set when the source itself could not be read."""

    source: str
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    pages: int = 0  # list / feed / API pages read
    fetched: int = 0  # entries and detail pages read and handed to ingest
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    not_modified: int = 0  # 304 answers: nothing new, and nothing downloaded
    fatal: str | None = None
    limited: str | None = None  # why the run stopped short of what the source offered (a cap was reached)
    notes: dict[str, list] = field(default_factory=dict)  # reason → [count, first URL]
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    recorded: bool = False
    blocked: str | None = None  # the site asked for a captcha or refused (403/429): the source backs off
    skipped: str | None = None  # not polled at all (still backing off after being blocked)
    keywords: dict[str, dict] = field(default_factory=dict)  # search sources: keyword → {newest, hits}

    @property
    def ok(self) -> bool:
        """The source was read (its entry page answered with content or 304)."""
        return self.fatal is None

    def problem(self, reason: str, *, url: str | None = None, fatal: bool = False, error: bool = True) -> None:
        """Note a problem (the same reason on many pages is noted once, with a count and an example URL);
        `fatal` marks the whole run as failed, `error` counts it in `errors`."""
        if error:
            self.errors += 1
        if fatal and self.fatal is None:
            self.fatal = reason
            return
        note = self.notes.setdefault(reason, [0, url])
        note[0] += 1

    def limit(self, reason: str, *, url: str | None = None) -> None:
        """Note that a cap cut the run short (not an error); the first reason marks the source as misbehaving."""
        if self.limited is None:
            self.limited = reason
        self.problem(reason, url=url, error=False)

    def count(self, status: str) -> None:
        """Count one ingest result: new | updated | unchanged."""
        if status in ("new", "updated", "unchanged"):
            setattr(self, status, getattr(self, status) + 1)

    @property
    def message(self) -> str:
        """One Chinese line for the run: the fatal reason first, then the other problems, or a short success note."""
        parts = ([self.fatal] if self.fatal else []) + [_note(r, n, url) for r, (n, url) in self.notes.items()]
        if self.skipped and not parts:
            return self.skipped
        if not parts:
            if self.not_modified and not self.fetched:
                return "内容未变化(304)"
            return f"新增 {self.new} 条" + (f",更新 {self.updated} 条" if self.updated else "")
        text = ";".join(parts)
        return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"

    def finish(self, when: datetime | None = None) -> RunSummary:
        """Stamp the end time (once)."""
        if self.finished_at is None:
            self.finished_at = when or utcnow()
        return self

    @property
    def seconds(self) -> float:
        """How long the run took."""
        end = self.finished_at or utcnow()
        return max((end - self.started_at).total_seconds(), 0.0)


def _note(reason: str, count: int, url: str | None) -> str:
    if count > 1:
        return f"{reason}(共 {count} 处,如 {url})" if url else f"{reason}(共 {count} 处)"
    return f"{reason}({url})" if url else reason
