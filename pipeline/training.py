"""Trainable topic model: word + character n-gram TF-IDF and a linear SVM, saved with joblib and a manifest.

A town's model (yuqing/learning.py) also takes the configured classifier's scores as a prior and a projection fitted
on the town's own messages (pipeline/model_extras.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pipeline.model_extras import (
    PRIOR_WEIGHT,
    Extras,
    Prior,
    TownText,
    fit_projection,
    keep_prior,
    prior_row,
    prior_scores,
)
from pipeline.normalize import normalize
from pipeline.segment import content_words, split_segmented
from pipeline.topics import TopicResult

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
FORMAT = 1
KIND = "tfidf-word+char-linearsvc"
TOWN_KIND = "tfidf-word+char+lsa+prior-linearsvc"  # a town's model: words, projection and the prior's scores
TITLE_REPEAT = 2  # a separate title is fed twice: titles say what a message is about more clearly than bodies
_SCORE_SHARPNESS = 2.0


class ModelError(ValueError):
    """A model directory that cannot be loaded; the message is Chinese and names the directory."""


@dataclass(frozen=True)
class Prediction:
    """One prediction: the label, normalised scores per label and the terms that pushed hardest for it."""

    label: str
    scores: dict[str, float]
    terms: list[str]


def prepare(text: str, *, pre_segmented: bool = False) -> str:
    """Space-separated content words of a raw text (jieba) or of an already segmented one."""
    words = split_segmented(text) if pre_segmented else content_words(normalize(text))
    return " ".join(words)


def _join_words(prepared: str) -> str:
    return prepared.replace(" ", "")


def _split_words(prepared: str) -> list[str]:
    return prepared.split()


def _vectorizers():
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Word pairs (医保 报销, 公交 线路) and character n-grams (robust to a different segmentation) beside single
    # words: chosen by grouped 5-fold cross-validation on a public labelled set (bench/classify_eval.py).
    words = TfidfVectorizer(
        tokenizer=_split_words, token_pattern=None, lowercase=False, sublinear_tf=True, min_df=2, ngram_range=(1, 2)
    )
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), preprocessor=_join_words, sublinear_tf=True, min_df=2)
    return words, chars


def _features(vectorizers, prepared: Sequence[str], fit: bool = False):
    import scipy.sparse as sp

    return sp.hstack(_blocks(vectorizers, prepared, fit)).tocsr()


def _blocks(vectorizers, prepared: Sequence[str], fit: bool = False) -> list:
    """Each vectorizer's features (the word block first)."""
    return [v.fit_transform(prepared) if fit else v.transform(prepared) for v in vectorizers]


def _fit(prepared: Sequence[str], labels: Sequence[str]):
    from sklearn.svm import LinearSVC

    vectorizers = _vectorizers()
    matrix = _features(vectorizers, prepared, fit=True)
    classifier = LinearSVC(C=1.0, random_state=0).fit(matrix, list(labels))
    return vectorizers, classifier


def fit_town_text(pairs: Sequence[tuple[str, str]]) -> TownText:
    """The town's vectorizers and projection, fitted on its messages' (title, content) pairs."""
    vectorizers = _vectorizers()
    prepared = [prepare(_with_title(title, text)) for title, text in pairs]
    word_block = _blocks(vectorizers, prepared, fit=True)[0]
    return TownText(vectorizers, fit_projection(word_block))


def _fit_town(prepared, labels, priors, town: TownText, prior_labels: list[str] | None, weight: float):
    """A linear model on the town's words (its fitted vectorizers), the projection and the prior's scores (times
    `weight`)."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    words, chars = _blocks(town.vectorizers, prepared)
    extras = Extras(prior_labels=prior_labels, projection=town.projection, prior_weight=weight)
    matrix = sp.hstack([words, chars, *extras.blocks(words, priors)]).tocsr()
    classifier = LinearSVC(C=1.0, max_iter=5000, random_state=0).fit(matrix, list(labels))
    return town.vectorizers, classifier, extras


def _softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp((values - values.max(axis=1, keepdims=True)) * _SCORE_SHARPNESS)
    return shifted / shifted.sum(axis=1, keepdims=True)


class Model:
    """A trained topic model; `predict` takes raw texts, `classify` fits the pipeline's classifier seam."""

    def __init__(
        self, vectorizers, classifier, manifest: dict, extras: Extras | None = None, prior: Prior | None = None
    ) -> None:
        self._vectorizers = vectorizers
        self._classifier = classifier
        self.manifest = manifest
        self.extras = extras or Extras()
        # The classifier whose scores the model takes as features (extras.uses_prior), and whose choice stands
        # unless the model prefers another topic by more than prior_margin (model_extras.keep_prior).
        self.prior = prior
        self.prior_margin = float(manifest.get("prior_margin", 0.0))
        self._classes: list[str] = [str(label) for label in classifier.classes_]
        self.labels = self._classes  # the topics the town's corrections taught it
        # A town's model knows the prior's other topics by name: a serious incident of a kind no correction taught
        # still goes to the office for its kind (pipeline/analyze.py).
        self.untaught_labels = [label for label in self.extras.prior_labels or () if label not in self._classes]
        self._names = np.concatenate([v.get_feature_names_out() for v in vectorizers])
        coefficients = classifier.coef_
        self._coef = coefficients if len(self._classes) > 2 else np.vstack([-coefficients, coefficients])

    def _decision(self, prepared: list[str], priors: Sequence[dict[str, float]] | None = None):
        """The word features and the decision function's values (rows × classes)."""
        import scipy.sparse as sp

        blocks = _blocks(self._vectorizers, prepared)
        words = sp.hstack(blocks).tocsr()
        extra = self.extras.blocks(blocks[0], priors)
        matrix = sp.hstack([words, *extra]).tocsr() if extra else words
        decision = self._classifier.decision_function(matrix)
        if decision.ndim == 1:
            decision = np.column_stack([-decision, decision])
        return words, decision

    def decision_values(self, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, list[dict[str, float]] | None]:
        """The decision function's values for (normalised) messages, and the prior's scores behind them."""
        priors = self._priors(pairs, always=True)
        return self._decision([prepare(_with_title(title, content)) for title, content in pairs], priors)[1], priors

    @property
    def heeds_prior(self) -> bool:
        """Whether deciding needs the prior's scores: as features, or for its choice to stand (a margin)."""
        return self.extras.uses_prior or self.prior_margin > 0

    def _priors(self, pairs: Sequence[tuple[str, str]], always: bool = False) -> list[dict[str, float]] | None:
        if not (always or self.heeds_prior):
            return None
        return [prior_row(self._prior().classify(t, c)) for t, c in pairs]

    def _decide(self, prepared: list[str], priors: Sequence[dict[str, float]] | None = None) -> list[Prediction]:
        words, decision = self._decision(prepared, priors)
        chosen = keep_prior(decision, self._classes, priors, self.prior_margin)
        scores = _softmax(decision)
        predictions = []
        for row, score in enumerate(scores):
            best = int(chosen[row])
            vector = words.getrow(row)
            contribution = vector.data * self._coef[best, vector.indices]
            order = np.argsort(-contribution)
            terms = [str(self._names[vector.indices[i]]) for i in order[:12] if contribution[i] > 0]
            predictions.append(
                Prediction(
                    self._classes[best],
                    {
                        label: round(float(value), 4)
                        for label, value in sorted(zip(self._classes, score, strict=True), key=lambda pair: -pair[1])
                    },
                    _drop_contained(terms)[:6],
                )
            )
        return predictions

    def predict(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> list[Prediction]:
        """Predictions for raw texts; separate titles, when given, count more."""
        priors = None
        if self.heeds_prior:
            priors = prior_scores(self._prior(), titles or [""] * len(texts), texts)
        if titles is not None:
            texts = [_with_title(title, text) for title, text in zip(titles, texts, strict=True)]
        return self._decide([prepare(text) for text in texts], priors)

    def classify(self, title: str, content: str) -> TopicResult:
        """The label of one (normalised) message as a TopicResult, like the lexicon classifier."""
        return self.classify_many([(title, content)])[0]

    def classify_many(self, pairs: Sequence[tuple[str, str]]) -> list[TopicResult]:
        """`classify` for many (normalised) messages at once: one matrix product instead of one per message."""
        priors = self._priors(pairs)
        predictions = self._decide([prepare(_with_title(title, content)) for title, content in pairs], priors)
        return [TopicResult(p.label, p.scores, p.terms) for p in predictions]

    def _prior(self) -> Prior:
        if self.prior is None:
            from pipeline.topics import LexiconClassifier

            self.prior = LexiconClassifier()  # a model loaded without its prior: the shipped lexicon
        return self.prior


def _with_title(title: str, text: str) -> str:
    return "\n".join([title] * TITLE_REPEAT + [text]) if title else text


def _drop_contained(terms: list[str]) -> list[str]:
    kept: list[str] = []
    for term in terms:
        if len(term.strip()) > 1 and not any(term in other for other in kept):
            kept.append(term)
    return kept


def _metrics(true: Sequence[str], predicted: Sequence[str]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(true))
    per_class = f1_score(true, predicted, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": round(float(accuracy_score(true, predicted)), 4),
        "macro_f1": round(float(f1_score(true, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "f1_per_label": {label: round(float(value), 4) for label, value in zip(labels, per_class, strict=True)},
        "rows": len(true),
    }


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    out_dir: str | Path,
    *,
    pre_segmented: bool = False,
    holdout: float = 0.2,
    seed: int = 0,
) -> dict:
    """Train on texts and labels, measure on a stratified hold-out, refit on everything and save to out_dir.

    Returns the metrics written into the manifest. Texts are raw (segmented here with jieba) unless
    `pre_segmented`, in which case words are separated by spaces already.
    """
    if len(texts) != len(labels):
        raise ValueError(f"文本 {len(texts)} 条而标签 {len(labels)} 条，数量应相同")
    labels = [str(label) for label in labels]
    if len(set(labels)) < 2:
        raise ValueError("至少需要两类标签才能训练")
    prepared = [prepare(text, pre_segmented=pre_segmented) for text in texts]
    metrics: dict = {"trained_rows": len(prepared)}
    counts = {label: labels.count(label) for label in set(labels)}
    if holdout and len(prepared) >= 20 and min(counts.values()) >= 2:
        from sklearn.model_selection import train_test_split

        train_x, test_x, train_y, test_y = train_test_split(
            prepared, labels, test_size=holdout, random_state=seed, stratify=labels
        )
        vectorizers, classifier = _fit(train_x, train_y)
        model = Model(vectorizers, classifier, {})
        metrics["holdout"] = _metrics(test_y, [p.label for p in model._decide(list(test_x))])
    vectorizers, classifier = _fit(prepared, labels)
    manifest = {
        "format": FORMAT,
        "kind": KIND,
        "labels": sorted(counts),
        "label_counts": dict(sorted(counts.items())),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "version": _package_version(),
        "pre_segmented": pre_segmented,
        "title_repeat": TITLE_REPEAT,
        "metrics": metrics,
    }
    save_model(Model(vectorizers, classifier, manifest), out_dir)
    return metrics


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    titles: Sequence[str] | None = None,
    manifest: dict | None = None,
    prior: Prior | None = None,
    corpus: Sequence[tuple[str, str]] = (),
    town: TownText | None = None,
    priors: Sequence[Mapping[str, float]] | None = None,
    prior_weight: float = PRIOR_WEIGHT,
) -> Model:
    """A model fitted on every row given (no hold-out: the caller judges it on rows it keeps apart), not saved.
    Separate titles, when given, count more, as in `Model.predict`. With a `prior` (a classifier) its scores are
    features too (`priors`: those scores already worked out, one per row); `corpus` (title, content pairs of the
    town's unlabelled messages) widens the vocabulary and fits the projection, or `town` gives them fitted already
    (one retraining fits many models on one town); `prior_weight` scales the prior's scores
    (model_extras.prior_weight). Without any of these, the plain word model of `train`."""
    if len(texts) != len(labels):
        raise ValueError(f"文本 {len(texts)} 条而标签 {len(labels)} 条，数量应相同")
    labels = [str(label) for label in labels]
    counts = {label: labels.count(label) for label in set(labels)}
    if len(counts) < 2:
        raise ValueError("至少需要两类标签才能训练")
    titles = list(titles) if titles is not None else [""] * len(texts)
    prepared = [prepare(_with_title(title, text)) for title, text in zip(titles, texts, strict=True)]
    extras: Extras | None = None
    if prior is None and not corpus and town is None:
        vectorizers, classifier = _fit(prepared, labels)
        kind = KIND
    else:
        if prior is not None and priors is None:
            priors = prior_scores(prior, titles, texts)
        if town is None:
            town = fit_town_text([*corpus, *zip(titles, texts, strict=True)])
        prior_labels = [str(label) for label in prior.labels] if prior is not None else None
        vectorizers, classifier, extras = _fit_town(
            prepared, labels, priors if prior else None, town, prior_labels, prior_weight
        )
        kind = TOWN_KIND
    full = {
        "format": FORMAT,
        "kind": kind,
        "labels": sorted(counts),
        "label_counts": dict(sorted(counts.items())),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "version": _package_version(),
        "pre_segmented": False,
        "title_repeat": TITLE_REPEAT,
        "corpus_rows": len(corpus),
        "prior": bool(extras and extras.uses_prior),
        **({"prior_weight": prior_weight} if extras and extras.uses_prior else {}),
        **(manifest or {}),
    }
    return Model(vectorizers, classifier, full, extras, prior)


def save_model(model: Model, out_dir: str | Path) -> Path:
    """Write model.joblib and manifest.json into out_dir (created if missing)."""
    import joblib

    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stored = {"vectorizers": model._vectorizers, "classifier": model._classifier}
    if model.extras.projection is not None or model.extras.uses_prior:
        stored.update(
            projection=model.extras.projection,
            prior_labels=model.extras.prior_labels,
            prior_weight=model.extras.prior_weight,
        )
    joblib.dump(stored, directory / MODEL_FILE)
    (directory / MANIFEST_FILE).write_text(json.dumps(model.manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return directory


def load_model(directory: str | Path, prior: Prior | None = None) -> Model:
    """Load a directory written by `train` or `save_model`; a town's model takes its scores from `prior` (the
    shipped lexicon when not given). Raises ModelError with a Chinese message naming the problem."""
    import joblib

    directory = Path(directory)
    manifest_path, model_path = directory / MANIFEST_FILE, directory / MODEL_FILE
    if not directory.is_dir():
        raise ModelError(f"{directory}: 模型目录不存在")
    if not manifest_path.is_file() or not model_path.is_file():
        raise ModelError(f"{directory}: 不是训练得到的模型目录（缺少 {MANIFEST_FILE} 或 {MODEL_FILE}）")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{manifest_path}: 清单文件无法读取（{exc}）") from exc
    if manifest.get("format") != FORMAT or manifest.get("kind") not in (KIND, TOWN_KIND):
        raise ModelError(f"{manifest_path}: 模型格式 {manifest.get('kind')}/{manifest.get('format')} 不受支持")
    try:
        stored = joblib.load(model_path)
        extras = Extras(
            prior_labels=stored.get("prior_labels"),
            projection=stored.get("projection"),
            prior_weight=stored.get("prior_weight", PRIOR_WEIGHT),  # saved before the weight was kept: 1
        )
        return Model(stored["vectorizers"], stored["classifier"], manifest, extras, prior)
    except Exception as exc:  # a damaged or foreign pickle can fail in many ways
        raise ModelError(f"{model_path}: 模型文件无法加载（{exc}）") from exc


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("yuqing")
    except Exception:  # noqa: BLE001 - not installed: running from a checkout
        return "0"
