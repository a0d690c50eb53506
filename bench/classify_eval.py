"""Benchmark: (a) the shipped lexicon classifier and (b) a model trained with pipeline.training, on TipDM data.

Run: python bench/classify_eval.py [--data /work/shared/data] [--with-contaminated]
(a) accuracy of the shipped classifier on tipdm2020_labeled_raw_sample.csv, TipDM's 7 labels mapped to ours
    (a prediction is correct when it falls in the mapped set);
(b) train on tipdm2020_labeled_segmented.csv without the rows that are (near-)copies of the evaluation texts,
    evaluate on the raw sample's 7 classes: accuracy and macro-F1.
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


def evaluate_lexicon(raw) -> None:
    """(a): the shipped classifier, title and body normalised as analyze() does."""
    from pipeline.normalize import normalize
    from pipeline.topics import LexiconClassifier

    classifier = LexiconClassifier()
    started = time.process_time()
    predicted = [classifier.classify(normalize(title), normalize(body)).topic
                 for title, body in zip(raw["留言主题"], raw["留言详情"], strict=True)]
    seconds = time.process_time() - started
    labels = raw["一级分类"].tolist()
    hits = [topic in TIPDM_TO_OURS[label] for topic, label in zip(predicted, labels, strict=True)]
    print(f"(a) shipped lexicon classifier on {RAW} ({len(labels)} rows, {seconds * 1000 / len(labels):.2f} ms each)")
    print(f"    accuracy (prediction in the mapped set): {sum(hits) / len(hits):.4f}   target ≥ 0.85")
    for label in TIPDM_TO_OURS:
        rows = [hit for hit, gold in zip(hits, labels, strict=True) if gold == label]
        print(f"      {label:8s} {sum(rows):3d}/{len(rows):3d} = {sum(rows) / len(rows):.3f}")
    wrong = Counter(topic for topic, hit in zip(predicted, hits, strict=True) if not hit)
    print("    wrong predictions by our topic:", ", ".join(f"{topic} {count}" for topic, count in wrong.most_common()))


def _report(name: str, gold: list[str], predicted: list[str]) -> None:
    from sklearn.metrics import accuracy_score, f1_score

    print(f"    {name}: accuracy {accuracy_score(gold, predicted):.4f}, "
          f"macro-F1 {f1_score(gold, predicted, average='macro'):.4f}")


def evaluate_training(raw, segmented, with_contaminated: bool) -> None:
    """(b): train on the segmented set minus evaluation overlap, evaluate on the raw sample."""
    from pipeline.segment import content_words, split_segmented
    from pipeline.training import load_model, overlapping_rows, train

    evaluation_words = [content_words(f"{title}\n{body}")
                        for title, body in zip(raw["留言主题"], raw["留言详情"], strict=True)]
    overlap = overlapping_rows([split_segmented(text) for text in segmented["tokens"]], evaluation_words)
    clean = segmented.drop(index=sorted(overlap))
    print(f"(b) {SEGMENTED}: {len(segmented)} rows; {len(overlap)} of them are copies or near-copies of the "
          f"{len(raw)} evaluation texts (≥ 60 % of a row's words inside one evaluation text) and are left out")
    gold = raw["一级分类"].tolist()
    runs = [("trained without the overlapping rows", clean)]
    if with_contaminated:
        runs.append(("trained on all rows (evaluation texts leak into training; for comparison only)", segmented))
    for name, table in runs:
        with tempfile.TemporaryDirectory() as directory:
            started = time.process_time()
            metrics = train(table["tokens"].tolist(), table["label"].tolist(), directory, pre_segmented=True)
            seconds = time.process_time() - started
            model = load_model(directory)
            predictions = model.predict(raw["留言详情"].tolist(), titles=raw["留言主题"].tolist())
        holdout = metrics.get("holdout", {})
        print(f"    {name}: {len(table)} rows, trained in {seconds:.0f} s CPU; own 20 % hold-out accuracy "
              f"{holdout.get('accuracy', float('nan')):.4f}, macro-F1 {holdout.get('macro_f1', float('nan')):.4f}")
        _report(f"on {RAW} (target ≥ 0.94)", gold, [p.label for p in predictions])


def main() -> int:
    """Run (a) and (b); 2 when the data folder is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--with-contaminated", action="store_true",
                        help="also train on every row, evaluation copies included, to show the leak's effect")
    args = parser.parse_args()
    if not (args.data / RAW).is_file() or not (args.data / SEGMENTED).is_file():
        print(f"需要开发数据目录 {args.data}（含 {RAW} 与 {SEGMENTED}）", file=sys.stderr)
        return 2
    import pandas as pd

    raw = pd.read_csv(args.data / RAW, dtype=str, keep_default_na=False)
    segmented = pd.read_csv(args.data / SEGMENTED, dtype=str, keep_default_na=False)
    evaluate_lexicon(raw)
    evaluate_training(raw, segmented, args.with_contaminated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
