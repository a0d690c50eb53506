"""Text fingerprints over character bigrams, vectorised with numpy: 64-bit SimHash and MinHash signatures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHINGLE = 2  # characters per shingle (the hashing below combines neighbours): bigrams keep a rewritten Chinese sentence similar
NUM_PERM = 64
MAX_CHARS = 5_000  # a fingerprint covers the beginning of very long texts only
_MASK64 = (1 << 64) - 1

_K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)  # fixed: signatures compare across runs
_BIN_BITS = 6  # 2**6 == NUM_PERM bins
_EMPTY = np.uint32(0xFFFFFFFF)
_ROTATION = np.uint64(0x9E3779B1)  # added once per bin of distance when an empty bin borrows a value


def _kept_characters() -> np.ndarray:
    """Lookup table over the Basic Multilingual Plane: digits, a–z, letters, CJK; no punctuation or spacing."""
    table = np.zeros(0x10000, dtype=bool)
    table[0x30:0x3A] = table[0x61:0x7B] = table[0xC0:0x2000] = table[0x3400:] = True
    table[0xFE30:0xFE50] = table[0xFF00:0xFFF0] = False  # CJK compatibility and full-width punctuation
    table[0xFFFF] = True  # stands for every character beyond the BMP (emoji, rare CJK): kept
    return table


_KEPT = _kept_characters()


def _codes(text: str) -> np.ndarray:
    """Code points of the lower-cased text, keeping letters, digits and CJK (not punctuation or spacing)."""
    codes = np.frombuffer(text[:MAX_CHARS].lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return codes[_KEPT[np.minimum(codes, 0xFFFF)]].astype(np.uint64)


def shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the character bigrams of a text, repeats kept (one element for a one-character text)."""
    codes = _codes(text)
    if len(codes) == 0:
        return np.zeros(0, dtype=np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    hashes = ((codes[:-1] << np.uint64(21)) | codes[1:]) * _K1
    hashes ^= hashes >> np.uint64(29)
    hashes *= _K2
    return hashes ^ (hashes >> np.uint64(32))


def simhash(hashes: np.ndarray) -> int:
    """64-bit SimHash of shingle hashes (repeats weigh more) as a signed integer (fits a SQL BIGINT)."""
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
    """MinHash signature (NUM_PERM uint32 values) of shingle hashes; all-max for an empty text.

    One-permutation hashing with rotation densification (Li et al. 2012; Shrivastava & Li 2014): the top six
    bits of a shingle's hash pick one of 64 bins, each bin keeps its smallest low 32 bits, and an empty bin
    borrows from the next non-empty bin to its right, shifted by the distance. One pass instead of 64.
    """
    empty = np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    if len(hashes) == 0:
        return empty
    signature = empty.copy()
    np.minimum.at(
        signature,
        (hashes >> np.uint64(64 - _BIN_BITS)).astype(np.intp),
        (hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32),
    )
    filled = np.flatnonzero(signature != _EMPTY)
    if len(filled) < NUM_PERM:
        bins = np.arange(NUM_PERM)
        donor = filled[np.searchsorted(filled, bins) % len(filled)]
        distance = (donor - bins) % NUM_PERM
        signature = (signature[donor].astype(np.uint64) + distance.astype(np.uint64) * _ROTATION).astype(np.uint32)
    return signature


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
