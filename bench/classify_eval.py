"""Benchmark: (a) the shipped lexicon classifier and (b) a model trained with pipeline.training, on TipDM data.

Run: python bench/classify_eval.py [--data /work/shared/data] [--with-contaminated]
(a) accuracy of the shipped classifier on tipdm2020_labeled_raw_sample.csv, TipDM's 7 labels mapped to ours
    (a prediction is correct when it falls in the mapped set);
(b) train on tipdm2020_labeled_segmented.csv without the evaluation texts (which it contains), evaluate on the raw
    sample's 7 classes: accuracy and macro-F1, once without every near-copy of them (strict) and once without only
    their own rows; then grouped k-fold cross-validation on the segmented set, near-copies kept in one fold.
Needs the development data folder (it is not part of the repository); the trained model goes to a temp folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# bench/pipeline.py sits next to this script: drop this folder from the import path so `pipeline` is the package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RAW = "tipdm2020_labeled_raw_sample.csv"
SEGMENTED = "tipdm2020_labeled_segmented.csv"
TIPDM_TO_OURS = {
    "城乡建设": {"urban", "housing", "land"},
    "劳动和社会保障": {"employment", "social_security", "elderly"},
    "教育文体": {"education"},
    "商贸旅游": {"commerce"},
    "环境保护": {"environment"},
    "卫生计生": {"medical"},
    "交通运输": {"transport"},
}
FOOD_SAFETY_HOMES = ("卫生计生", "商贸旅游")


def evaluate_lexicon(raw) -> None:
    """(a): the shipped classifier, title and body normalised as analyze() does."""
    from pipeline.normalize import normalize
    from pipeline.topics import LexiconClassifier

    classifier = LexiconClassifier()
    started = time.process_time()
    predicted = [
        classifier.classify(normalize(title), normalize(body)).topic
        for title, body in zip(raw["留言主题"], raw["留言详情"], strict=True)
    ]
    seconds = time.process_time() - started
    labels = raw["一级分类"].tolist()
    hits = [topic in TIPDM_TO_OURS[label] for topic, label in zip(predicted, labels, strict=True)]
    print(f"(a) shipped lexicon classifier on {RAW} ({len(labels)} rows, {seconds * 1000 / len(labels):.2f} ms each)")
    print(f"    accuracy (prediction in the mapped set): {sum(hits) / len(hits):.4f}   target ≥ 0.85")
    for label in TIPDM_TO_OURS:
        rows = [hit for hit, gold in zip(hits, labels, strict=True) if gold == label]
        print(f"      {label:8s} {sum(rows):3d}/{len(rows):3d} = {sum(rows) / len(rows):.3f}")
    food = [
        hit or (topic == "food_drug" and label in FOOD_SAFETY_HOMES)
        for hit, topic, label in zip(hits, predicted, labels, strict=True)
    ]
    print(
        f"    accuracy also counting food_drug under {'/'.join(FOOD_SAFETY_HOMES)} (TipDM has no food-safety class; "
        f"its messages are filed there): {sum(food) / len(food):.4f}"
    )
    wrong = Counter(topic for topic, hit in zip(predicted, hits, strict=True) if not hit)
    print("    wrong predictions by our topic:", ", ".join(f"{topic} {count}" for topic, count in wrong.most_common()))


def _report(name: str, gold: list[str], predicted: list[str]) -> None:
    from sklearn.metrics import accuracy_score, f1_score

    print(
        f"    {name}: accuracy {accuracy_score(gold, predicted):.4f}, "
        f"macro-F1 {f1_score(gold, predicted, average='macro'):.4f}"
    )


def _own_rows(overlap, eval_words: list[list[str]]) -> set[int]:
    """For each evaluation text, the one training row that is that text (the best word containment both ways)."""
    own: set[int] = set()
    for words in eval_words:
        shared = overlap.shared(words)
        if shared:
            own.add(
                max(
                    shared,
                    key=lambda index: min(
                        shared[index] / max(len(overlap.sets[index]), 1), shared[index] / max(len(set(words)), 1)
                    ),
                )
            )
    return own


def _near_copy_groups(overlap, threshold: float = 0.6) -> list[int]:
    """A group id per training row: rows whose words overlap by ≥ threshold (of the shorter row) share a group."""
    parent = list(range(len(overlap.sets)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, words in enumerate(overlap.sets):
        for other, count in overlap.shared(words).items():
            if other > index and count / max(min(len(words), len(overlap.sets[other])), 1) >= threshold:
                parent[root(index)] = root(other)
    # Each group is named by its first row, so the grouping does not depend on the string hash seed.
    first: dict[int, int] = {}
    return [first.setdefault(root(index), index) for index in range(len(overlap.sets))]


def _train_and_predict(
    texts: list[str], labels: list[str], eval_texts: list[str], eval_titles: list[str] | None = None
) -> tuple[list[str], float]:
    from pipeline.training import load_model, train

    with tempfile.TemporaryDirectory() as directory:
        started = time.process_time()
        train(texts, labels, directory, pre_segmented=True, holdout=0)
        seconds = time.process_time() - started
        model = load_model(directory)
        return [p.label for p in model.predict(eval_texts, titles=eval_titles)], seconds


def evaluate_training(raw, segmented, with_contaminated: bool, folds: int) -> None:
    """(b): train on the segmented set without the evaluation texts, evaluate on the raw sample; grouped CV."""
    from pipeline.overlap import WordOverlap, overlapping_rows
    from pipeline.segment import content_words, split_segmented

    train_words = [split_segmented(text) for text in segmented["tokens"]]
    overlap = WordOverlap(train_words)
    evaluation_words = [
        content_words(f"{title}\n{body}") for title, body in zip(raw["留言主题"], raw["留言详情"], strict=True)
    ]
    near = overlapping_rows(train_words, evaluation_words)
    own = _own_rows(overlap, evaluation_words)
    print(
        f"(b) {SEGMENTED}: {len(segmented)} rows. The {len(raw)} evaluation texts are themselves in it "
        f"({len(own)} rows); {len(near)} rows are copies or near-copies of them (≥ 60 % of a row's words inside "
        f"one evaluation text), among them repeat postings of the same complaint"
    )
    gold = raw["一级分类"].tolist()
    runs = [
        ("trained without every near-copy (strict)", sorted(near)),
        (
            "trained without the evaluation texts' own rows (repeat postings stay, as they would for new messages)",
            sorted(own),
        ),
    ]
    if with_contaminated:
        runs.append(("trained on all rows (evaluation texts leak into training; for comparison only)", []))
    for name, dropped in runs:
        table = segmented.drop(index=dropped)
        predicted, seconds = _train_and_predict(
            table["tokens"].tolist(), table["label"].tolist(), raw["留言详情"].tolist(), raw["留言主题"].tolist()
        )
        print(f"    {name}: {len(table)} rows, trained in {seconds:.0f} s CPU")
        _report(f"  on {RAW} (target ≥ 0.94)", gold, predicted)
    if folds:
        from sklearn.model_selection import StratifiedGroupKFold

        groups = _near_copy_groups(overlap)
        texts, labels = segmented["tokens"].tolist(), segmented["label"].tolist()
        truth: list[str] = []
        predicted_all: list[str] = []
        splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
        for train_index, test_index in splitter.split(texts, labels, groups):
            predicted, _ = _train_and_predict(
                [texts[i] for i in train_index], [labels[i] for i in train_index], [texts[i] for i in test_index]
            )
            truth += [labels[i] for i in test_index]
            predicted_all += predicted
        print(
            f"    grouped {folds}-fold cross-validation on {SEGMENTED} (near-copies kept in one fold, "
            f"{len(set(groups))} groups):"
        )
        _report("  all folds", truth, predicted_all)


def main() -> int:
    """Run (a) and (b); 2 when the data folder is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5, help="grouped cross-validation folds (0: skip)")
    parser.add_argument(
        "--with-contaminated",
        action="store_true",
        help="also train on every row, evaluation copies included, to show the leak's effect",
    )
    args = parser.parse_args()
    if not (args.data / RAW).is_file() or not (args.data / SEGMENTED).is_file():
        print(f"需要开发数据目录 {args.data}（含 {RAW} 与 {SEGMENTED}）", file=sys.stderr)
        return 2
    import pandas as pd

    raw = pd.read_csv(args.data / RAW, dtype=str, keep_default_na=False)
    segmented = pd.read_csv(args.data / SEGMENTED, dtype=str, keep_default_na=False)
    evaluate_lexicon(raw)
    evaluate_training(raw, segmented, args.with_contaminated, args.folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
