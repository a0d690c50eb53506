"""Evidence snapshots at rest: stored de-identified; a raw copy only if the town asks for one ([evidence]).

The whole fetched page is masked (phone, ID, bank card, e-mail and plate numbers), not only the extracted text:
menus, sidebars, comments and links carry personal data too. When `keep_raw` is set, the raw page is also kept,
encrypted with the configured key (Fernet: AES-128-CBC with HMAC-SHA256), until `raw_retention_days` have passed;
opening it writes an audit row naming who, when and why (`yuqing evidence MENTION --raw --reason …`).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from yuqing.db.models import AuditLog, Snapshot
from yuqing.errors import CommandError
from yuqing.privacy import masked, masked_page
from yuqing.settings_model import EvidenceSettings
from yuqing.timeutil import as_utc, utcnow

# Links and other tokens holding percent-escapes: a number after "%89" is not found by the text patterns.
_ESCAPED_TOKEN = re.compile(r"[^\s\"'<>]*%[0-9A-Fa-f]{2}[^\s\"'<>]*")


class EvidenceError(CommandError):
    """Raw evidence that cannot be opened (Chinese message)."""


def decode_body(raw: bytes, encoding: str | None) -> tuple[str, str]:
    """(text, encoding used) of a fetched body: its own encoding, else UTF-8, else GB18030, else UTF-8 with
    replacement characters."""
    for candidate in (encoding, "utf-8", "gb18030"):
        if not candidate:
            continue
        try:
            return raw.decode(candidate), candidate
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace"), "utf-8"


def deidentify_page(text: str) -> str:
    """A whole page (HTML, XML, JSON or text) with its personal data masked, escaped links included."""
    return masked_page(text, _ESCAPED_TOKEN)


def deidentify_body(raw: bytes, encoding: str | None) -> bytes:
    """The body to store: unchanged when it holds no personal data, else masked and encoded as before."""
    text, used = decode_body(raw, encoding)
    masked = deidentify_page(text)
    return raw if masked == text else masked.encode(used, errors="replace")


def build_snapshot(evidence: EvidenceSettings, mention_id: int, item: dict[str, Any], now: datetime) -> Snapshot | None:
    """The Snapshot row for a crawled item's evidence bytes (None when it has none)."""
    from cryptography.fernet import Fernet

    raw = item.get("snapshot")
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    body = deidentify_body(raw, item.get("snapshot_encoding"))
    snapshot = Snapshot(
        mention_id=mention_id,
        url=masked(item["url"]),
        fetched_at=as_utc(item.get("fetched_at")) or now,
        content_type=item.get("snapshot_content_type"),
        encoding=item.get("snapshot_encoding"),
        sha256=hashlib.sha256(body).hexdigest(),
        body_gz=gzip.compress(body, compresslevel=6),
    )
    if evidence.keep_raw and body != raw:
        snapshot.raw_enc = Fernet(evidence.raw_key).encrypt(gzip.compress(raw, compresslevel=6))
        snapshot.raw_expires_at = now + timedelta(days=evidence.raw_retention_days)
    return snapshot


def purge_expired_raw(app, now: datetime | None = None) -> int:
    """Delete raw copies whose retention has passed (the de-identified evidence stays); returns how many."""
    now = now or utcnow()
    with app.db.write() as session:
        result = session.execute(
            update(Snapshot)
            .where(Snapshot.raw_enc.is_not(None), Snapshot.raw_expires_at <= now)
            .values(raw_enc=None, raw_expires_at=None)
        )
    return result.rowcount or 0


def open_raw(app, mention_id: int, actor: str, reason: str, now: datetime | None = None) -> tuple[Snapshot, bytes]:
    """The newest raw copy of a mention's evidence, decrypted; the opening is audited in the same transaction."""
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    now = now or utcnow()
    if not reason.strip():
        raise EvidenceError("查看原始证据必须用 --reason 说明理由(将记入审计日志)", 2)
    evidence = app.settings.evidence
    keys = [key for key in [evidence.raw_key, *evidence.old_raw_keys] if key]
    with app.db.write() as session:
        snapshot = session.scalars(
            select(Snapshot)
            .where(Snapshot.mention_id == mention_id)
            .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
            .limit(1)
        ).first()
        if snapshot is None:
            raise EvidenceError(f"信息 {mention_id} 没有证据快照")
        if snapshot.raw_enc is None:
            raise EvidenceError(f"信息 {mention_id} 的证据只保存了脱敏版本(原始版本未保存或已过保存期限)")
        if not keys:
            raise EvidenceError("配置中没有 [evidence] raw_key,无法解密原始证据")
        try:
            raw = gzip.decompress(MultiFernet([Fernet(key) for key in keys]).decrypt(snapshot.raw_enc))
        except InvalidToken as exc:
            raise EvidenceError("原始证据无法解密:配置的密钥与加密时的密钥不符(旧密钥请放在 old_raw_keys 中)") from exc
        session.add(
            AuditLog(
                actor=actor,
                entity="evidence",
                entity_id=str(snapshot.id),
                action="evidence_raw_open",
                comment=f"信息 {mention_id}:{reason.strip()}"[:1000],
                at=now,
            )
        )
        session.expunge(snapshot)
    return snapshot, raw
