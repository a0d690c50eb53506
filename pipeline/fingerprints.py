"""Text fingerprints over character bigrams, vectorised with numpy: 64-bit SimHash and MinHash signatures."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

SHINGLE = 2  # characters per shingle: bigrams keep a rewritten Chinese sentence similar, trigrams less so
NUM_PERM = 64
MAX_CHARS = 20_000  # a fingerprint covers the beginning of very long texts only
_NOT_WORD = re.compile(r"[\W_]+")
_MASK64 = (1 << 64) - 1

_rng = np.random.default_rng(20181101)  # fixed seed: signatures must be comparable across processes and runs
_PERM_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_PERM_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_MIX = [np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)]


def _splitmix(values: np.ndarray) -> np.ndarray:
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def clean_for_shingles(text: str) -> str:
    """Lower-cased letters, digits and CJK characters only: punctuation and spacing do not make a text new."""
    return _NOT_WORD.sub("", text[:MAX_CHARS].lower())


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 64-bit hashes of the character bigrams of a text (a one-element array for very short text)."""
    cleaned = clean_for_shingles(text)
    if not cleaned:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(cleaned.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    windows = len(codes) - SHINGLE + 1
    combined = np.zeros(windows, dtype=np.uint64)
    for offset in range(SHINGLE):
        combined ^= codes[offset:offset + windows] * _MIX[offset]
    return np.unique(_splitmix(combined))


def simhash(hashes: np.ndarray) -> int:
    """64-bit SimHash of shingle hashes as a signed integer (fits a SQL BIGINT)."""
    if len(hashes) == 0:
        return 0
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    majority = (bits.sum(axis=0, dtype=np.int64) * 2 > len(hashes)).astype(np.uint8)
    value = int(np.packbits(majority, bitorder="little").view(np.uint64)[0])
    return value - (1 << 64) if value >= 1 << 63 else value


def hamming(first: int, second: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((first ^ second) & _MASK64).bit_count()


def minhash(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32 values) of shingle hashes; all-max for an empty text."""
    if len(hashes) == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    permuted = (_PERM_A[:, None] * hashes[None, :] + _PERM_B[:, None]) >> np.uint64(32)
    return permuted.min(axis=1).astype(np.uint32)


def signature_similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


@dataclass(frozen=True)
class Fingerprint:
    """Both fingerprints of one text."""

    simhash: int
    minhash: np.ndarray

    @property
    def empty(self) -> bool:
        """True for a text without letters, digits or CJK characters."""
        return bool((self.minhash == np.iinfo(np.uint32).max).all())


def fingerprint(text: str) -> Fingerprint:
    """SimHash and MinHash of a text's character bigrams."""
    hashes = shingle_hashes(text)
    return Fingerprint(simhash(hashes), minhash(hashes))
