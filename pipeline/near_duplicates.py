"""Near-duplicate index: MinHash LSH over character bigrams, in compact arrays, with a time window."""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable
from datetime import datetime

import numpy as np

from pipeline.fingerprints import NUM_PERM, Fingerprint, fingerprint

_CHANCE = 1 / 256  # two 8-bit signature values agree by chance this often


def _seconds(when: datetime | float | None) -> float:
    if when is None:
        return math.nan
    if isinstance(when, datetime):
        return when.timestamp()
    return float(when)


class NearDuplicateIndex:
    """Finds earlier texts whose character-bigram Jaccard similarity is probably above a threshold.

    LSH with `bands` bands of NUM_PERM // bands rows: two texts with similarity s share a band with
    probability 1 - (1 - s^rows)^bands (16×4: 0.5 → 64 %, 0.6 → 89 %, 0.7 → 98 %). Candidates are then
    checked against a stored 8-bit-per-value signature. Storage per text: 64 signature bytes, a time, the id,
    and per band a 32-bit key and a 32-bit slot in one sorted array; the latest additions wait in a small dict
    and are merged into the sorted arrays in batches. Texts older than the window (relative to the newest
    time seen) are dropped at the next merge.
    """

    def __init__(
        self,
        window_seconds: float | None = 72 * 3600,
        *,
        bands: int = 16,
        min_similarity: float = 0.5,
        merge_every: int = 8192,
    ) -> None:
        if NUM_PERM % bands:
            raise ValueError(f"bands must divide {NUM_PERM}")
        self.window = window_seconds
        self.bands = bands
        self.min_similarity = min_similarity
        self._merge_every = merge_every
        self._ids: list[Hashable] = []
        self._times = array("d")
        self._signatures = bytearray()
        self._alive = bytearray()
        self._dead = 0
        self._newest = -math.inf
        self._keys = np.zeros(0, dtype=np.uint32)
        self._slots = np.zeros(0, dtype=np.uint32)
        self._recent: dict[int, list[int]] = {}
        self._recent_docs = 0
        rng = np.random.default_rng(7)
        self._band_mix = rng.integers(1, 2**63, size=(bands, NUM_PERM // bands + 1), dtype=np.uint64) | np.uint64(1)

    def __len__(self) -> int:
        return len(self._ids) - self._dead

    def _band_keys(self, signature: np.ndarray) -> np.ndarray:
        rows = signature.astype(np.uint64).reshape(self.bands, -1)
        combined = np.arange(1, self.bands + 1, dtype=np.uint64) * self._band_mix[:, 0] ^ (
            rows * self._band_mix[:, 1:]
        ).sum(axis=1)
        combined ^= combined >> np.uint64(29)
        combined *= np.uint64(0xBF58476D1CE4E5B9)
        combined ^= combined >> np.uint64(32)
        return (combined & np.uint64(0xFFFFFFFF)).astype(np.uint32)

    def add(self, doc_id: Hashable, text: str | Fingerprint, time: datetime | float | None = None) -> None:
        """Index a text (or its fingerprint) under an id, at a time (datetime or epoch seconds)."""
        signature = (text if isinstance(text, Fingerprint) else fingerprint(text)).minhash
        slot = len(self._ids)
        seconds = _seconds(time)
        self._ids.append(doc_id)
        self._times.append(seconds)
        self._signatures += signature.astype(np.uint8).tobytes()
        self._alive.append(1)
        if not math.isnan(seconds):
            self._newest = max(self._newest, seconds)
        for key in self._band_keys(signature).tolist():
            self._recent.setdefault(key, []).append(slot)
        self._recent_docs += 1
        if self._recent_docs >= max(self._merge_every, len(self._ids) // 4):
            self._merge()

    def query(
        self,
        text: str | Fingerprint,
        time: datetime | float | None = None,
        *,
        limit: int = 10,
        min_similarity: float | None = None,
    ) -> list[tuple[Hashable, float]]:
        """Earlier texts similar to this one, as (id, estimated similarity), most similar first.

        With a time, only texts within the window around it are returned.
        """
        probe = text if isinstance(text, Fingerprint) else fingerprint(text)
        if probe.empty or not self._ids:
            return []
        keys = self._band_keys(probe.minhash)
        candidates: set[int] = set()
        for key in keys.tolist():
            candidates.update(self._recent.get(key, ()))
        if len(self._keys):
            lows = np.searchsorted(self._keys, keys, "left")
            highs = np.searchsorted(self._keys, keys, "right")
            for low, high in zip(lows.tolist(), highs.tolist(), strict=True):
                if high > low:
                    candidates.update(self._slots[low:high].tolist())
        if not candidates:
            return []
        slots = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        slots = slots[np.frombuffer(self._alive, dtype=np.uint8)[slots] == 1]
        seconds = _seconds(time)
        if self.window is not None and not math.isnan(seconds):
            times = np.frombuffer(self._times, dtype=np.float64)[slots]
            slots = slots[np.isnan(times) | (np.abs(times - seconds) <= self.window)]
        stored = np.frombuffer(self._signatures, dtype=np.uint8).reshape(-1, NUM_PERM)[slots]
        agreement = (stored == probe.minhash.astype(np.uint8)).mean(axis=1)
        similarity = np.clip((agreement - _CHANCE) / (1 - _CHANCE), 0.0, 1.0)
        threshold = self.min_similarity if min_similarity is None else min_similarity
        order = [i for i in np.argsort(-similarity, kind="stable") if similarity[i] >= threshold][:limit]
        return [(self._ids[int(slots[i])], round(float(similarity[i]), 3)) for i in order]

    def prune(self, now: datetime | float | None = None) -> int:
        """Forget texts older than the window before `now` (default: the newest time seen); returns how many."""
        if self.window is None or not self._ids:
            return 0
        reference = _seconds(now) if now is not None else self._newest
        if math.isinf(reference) or math.isnan(reference):
            return 0
        times = np.frombuffer(self._times, dtype=np.float64)
        alive = np.frombuffer(self._alive, dtype=np.uint8)
        expired = (times < reference - self.window) & (alive == 1)
        count = int(expired.sum())
        if count:
            alive = np.frombuffer(self._alive, dtype=np.uint8).copy()
            alive[expired] = 0
            self._alive = bytearray(alive.tobytes())
            self._dead += count
        del times
        return count

    def _merge(self) -> None:
        """Move recent keys into the sorted arrays, dropping expired texts; compact when many are dead."""
        self.prune()
        recent_keys = np.fromiter((key for key, slots in self._recent.items() for _ in slots), dtype=np.uint32)
        recent_slots = np.fromiter((slot for slots in self._recent.values() for slot in slots), dtype=np.uint32)
        keys = np.concatenate([self._keys, recent_keys])
        slots = np.concatenate([self._slots, recent_slots])
        alive = np.frombuffer(self._alive, dtype=np.uint8)
        living = alive[slots] == 1
        keys, slots = keys[living], slots[living]
        if self._dead > len(self._ids) // 4:
            slots = self._compact(alive)[slots].astype(np.uint32)
        del alive
        order = np.argsort(keys, kind="stable")
        self._keys, self._slots = keys[order], slots[order]
        self._recent = {}
        self._recent_docs = 0

    def _compact(self, alive: np.ndarray) -> np.ndarray:
        """Drop dead texts from the per-text arrays; returns the old-slot → new-slot mapping."""
        keep = alive == 1
        mapping = np.cumsum(keep) - 1
        kept = np.flatnonzero(keep)
        self._ids = [self._ids[i] for i in kept.tolist()]
        self._times = array("d", np.frombuffer(self._times, dtype=np.float64)[keep].tobytes())
        signatures = np.frombuffer(self._signatures, dtype=np.uint8).reshape(-1, NUM_PERM)[keep]
        self._signatures = bytearray(signatures.tobytes())
        self._alive = bytearray(b"\x01" * len(kept))
        self._dead = 0
        return mapping
