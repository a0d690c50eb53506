"""Benchmark: the system learns the town. A duty officer corrects N posts of a town; how good is the topic model in
use on the town's other posts, for N = 0, 100, 300, 1000, 3000?

Run: python bench/learning.py [--data /work/shared/data] [--split valid|train] [--steps 0,100,300,1000,3000]
     [--office-credit 0..1] [--other] [--order arrival|queue]

The town is one half of the TipDM labelled messages (tipdm2020_labeled_segmented.csv; near-copies kept on one side):
`--split train` to tune, `--split valid` (default) to report. Every message is ingested into a fresh SQLite database
through the real path (yuqing.ingest.ingest_item: analysis, storage, clustering into events). The officer reviews
messages in a fixed random order through the real correction path (yuqing.workflow.corrections.correct_mention):
when the topic the system gave falls in the TipDM class's mapped topics (bench/classify_eval.py) the officer
confirms it, else sets the mapped topic the lexicon scored highest (else the class's main topic). After each step
the real retraining runs (yuqing.learning.retrain: judge both kinds by cross-validation on all corrections, fit the
better on all of them, compare with the model in use (yuqing/learning_gate.py), switch only when better). Accuracy
(a prediction is right when it falls in the mapped set) is measured on every message not corrected, for the model in
use, the candidate and the shipped lexicon. "judged on": the corrections the gate's figures rest on, "new": those
the model in use never learned.
With `--order queue` the officer works the 分类复核 queue (yuqing/review_queue.py) instead: its first 100 (a fixed random
sample before any version is trained), then batches of max(100, a quarter of the corrections so far), retrained after
each batch (a week of reviews, then the weekly retraining), so the queue is ranked by the newest version each time.
Figures (2026-12-04, accuracy on the fixed other half; "cand." = the model trained, in use or not):
  valid town (lexicon 0.8438): arrival 100 0.8668, 300 0.8668 (cand. 0.8767), 1000 0.9029, 3000 0.9185;
  queue 100 0.8716, 300 0.8897 (switched), 1000 0.9084, 3000 0.9182.
  train town (lexicon 0.8392): arrival 100 0.8392, 300 0.8825; queue 100 0.8701, 300 0.8701 (cand. 0.8781, kept),
  1000 0.8970 (cand. 0.9038, kept), 3000 0.9196.
  Before the prior's weight of 0.5 from 1,000 labels (pipeline/model_extras.py): valid 1000 0.9105, 3000 0.9180;
  train 1000 0.9004 (cand. 0.8934), 3000 0.9155.
  --skip-class 城乡建设 (valid; the officer never reviews a fifth of the town): at 100 and 300 the gate's figures
  favoured the new model (91 % vs 89 %, 78.5 % vs 73 %) and the coverage guard kept it out ("uncovered"): it scored
  0.7184 and 0.7229 on the other half against the lexicon's 0.8438.
  The queue holds one spot check at random in five (yuqing/review_queue.py). Before that, the queue alone gave valid
  300 0.8716 (cand. 0.8897, kept), 1000 0.9123, 3000 0.9191 and train 300 0.8701 (cand. 0.8906, kept): its labels
  were the hard cases only, on which the version trained on the first 100 scored as well as the new one. Under
  --order queue the "rest" columns are the easy messages left over and overstate accuracy; compare on the other half.
With `--other`, every step is also measured on all of the other half (a fixed test set of about 4,000 messages that
shares no near-copy with the town): the rest shrinks as the officer reviews (about 850 messages at 3,000, ±1 point),
the other half does not, so steps compare on the same messages.
Needs the development data folder (not part of the repository); everything it writes goes to a temp folder.

The town has one office per TipDM department, responsible for that class's mapped topics (`town_offices`): the gate
scores another topic of the same office as the officer's with [learning] office_credit (0.5 by default).

Reading the figures: a confirmation labels a post with the topic the model in use chose among the acceptable ones
(城乡建设 → urban, housing or land); even with the partial credit that favours the model in use, so a candidate
better on the rest under the TipDM mapping can still be kept out ("rest: new" shows it; the decision says when the
two differ by less than the comparison's standard error).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import tempfile
import time
from pathlib import Path

# bench/pipeline.py sits next to this script: drop this folder from the import path so `pipeline` is the package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data"
SEGMENTED = "tipdm2020_labeled_segmented.csv"
MAIN_TOPIC = {
    "城乡建设": "urban",
    "劳动和社会保障": "social_security",
    "教育文体": "education",
    "商贸旅游": "commerce",
    "环境保护": "environment",
    "卫生计生": "medical",
    "交通运输": "transport",
}


def _classify_eval():
    spec = importlib.util.spec_from_file_location("classify_eval", HERE / "classify_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def town_split(data: Path, split: str, seed: int) -> tuple[list[str], list[str]]:
    """The texts and TipDM labels of one half of the set; near-copies (≥ 60 % shared words) stay in one half."""
    import pandas as pd

    from pipeline.overlap import WordOverlap
    from pipeline.segment import split_segmented

    table = pd.read_csv(data / SEGMENTED, dtype=str, keep_default_na=False)
    words = [split_segmented(text) for text in table["tokens"]]
    groups = _classify_eval()._near_copy_groups(WordOverlap(words))
    unique = sorted(set(groups))
    random.Random(seed).shuffle(unique)
    tuning = set(unique[: len(unique) // 2])
    rows = [i for i in range(len(words)) if (groups[i] in tuning) == (split == "train")]
    return ["".join(words[i]) for i in rows], [table["label"][i] for i in rows]


def town_offices(mapping: dict[str, set[str]]) -> list[dict]:
    """The town's offices: one per TipDM class (the departments its messages went to), responsible for the class's
    mapped topics; the gate gives partial credit for another topic of the same office ([learning] office_credit)."""
    return [
        {"code": f"d{number}", "name": label, "topics": sorted(topics)}
        for number, (label, topics) in enumerate(mapping.items(), start=1)
    ]


def officer_topic(mapping: dict[str, set[str]], label: str, topic: str, scores: dict[str, float]) -> str:
    """The topic a duty officer who knows the TipDM class gives a post the system filed under `topic`."""
    allowed = mapping[label]
    if topic in allowed:
        return topic
    scored = [code for code in allowed if scores.get(code, 0) > 0]
    return max(scored, key=lambda code: scores[code]) if scored else MAIN_TOPIC[label]


def main() -> int:
    """Run the learning curve; without the data folder, say so and stop (exit 0: nothing to measure here)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=["valid", "train"], default="valid")
    parser.add_argument("--steps", default="0,100,300,1000,3000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="only the first N messages of the town (quick runs)")
    parser.add_argument(
        "--office-credit",
        type=float,
        default=None,
        help="[learning] office_credit of the town (default: the product's)",
    )
    parser.add_argument("--other", action="store_true", help="also measure every step on the other half of the set")
    parser.add_argument(
        "--order",
        choices=["arrival", "queue"],
        default="arrival",
        help="arrival: the officer reviews messages in a random order; queue: the 分类复核 queue's order",
    )
    parser.add_argument(
        "--skip-class",
        default="",
        help="a TipDM class the officer never reviews (labels biased like an office's: the gate's coverage guard)",
    )
    args = parser.parse_args()
    if args.skip_class and args.skip_class not in MAIN_TOPIC:
        parser.error(f"--skip-class: one of {', '.join(MAIN_TOPIC)}")
    if not (args.data / SEGMENTED).is_file():
        print(f"跳过:需要开发数据目录 {args.data}(含 {SEGMENTED}),它不在本仓库中", file=sys.stderr)
        return 0
    steps = sorted({int(step) for step in args.steps.split(",")})
    mapping = _classify_eval().TIPDM_TO_OURS
    started = time.monotonic()
    texts, labels = town_split(args.data, args.split, args.seed)
    if args.limit:  # a random sample: the file is sorted by label
        sample = sorted(random.Random(args.seed).sample(range(len(texts)), min(args.limit, len(texts))))
        texts, labels = [texts[i] for i in sample], [labels[i] for i in sample]
    print(f"town: {args.split} split, {len(texts)} messages (grouped split in {time.monotonic() - started:.0f} s)")
    other = None
    if args.other:
        other = town_split(args.data, "train" if args.split == "valid" else "valid", args.seed)
        print(f"also measured on the other half: {len(other[0])} messages")
    with tempfile.TemporaryDirectory() as folder:
        run(
            Path(folder),
            texts,
            labels,
            steps,
            mapping,
            args.seed,
            args.office_credit,
            other,
            args.order,
            args.skip_class,
        )
    return 0


def run(
    folder: Path,
    texts: list[str],
    labels: list[str],
    steps: list[int],
    mapping,
    seed: int,
    office_credit: float | None = None,
    other: tuple[list[str], list[str]] | None = None,
    order_by: str = "arrival",
    skip_class: str = "",
) -> None:
    """Ingest the town, then correct and retrain step by step, printing one line per step."""
    import logging

    from sqlalchemy import select

    from pipeline.analyze import TextIn, analyze
    from yuqing.analysis_context import analysis_context, base_analysis_context
    from yuqing.app import open_app
    from yuqing.config import settings_from_dict
    from yuqing.db.models import Mention
    from yuqing.ingest import ingest_item
    from yuqing.learning import forget, retrain
    from yuqing.learning_candidates import load_version
    from yuqing.learning_data import LearningError
    from yuqing.review_queue import review_queue
    from yuqing.timeutil import utcnow
    from yuqing.workflow.corrections import correct_mention
    from yuqing.workflow.labels import SPOT_CHECK

    logging.getLogger("yuqing").setLevel(logging.ERROR)  # thousands of routine alerts with no recipient
    settings = settings_from_dict(
        {
            "database": {"url": f"sqlite:///{folder}/town.db"},
            "general": {"data_dir": str(folder)},
            "sources": [{"name": "board", "kind": "rss", "url": "http://127.0.0.1:9/board", "source_type": "board"}],
            "offices": town_offices(mapping),
            "learning": {} if office_credit is None else {"office_credit": office_credit},
        },
        folder / "config.toml",
    )
    app = open_app(settings)
    forget(settings)
    started = time.monotonic()
    mention_of: list[int] = []
    for number, text in enumerate(texts):
        result = ingest_item(app, {"source": "board", "url": f"http://127.0.0.1:9/board/{number}", "content": text})
        assert result.mention_id is not None
        mention_of.append(result.mention_id)
    print(f"ingested {len(texts)} messages through ingest_item in {time.monotonic() - started:.0f} s")
    order = list(range(len(texts)))
    random.Random(seed + 1).shuffle(order)
    index_of = {mention: i for i, mention in enumerate(mention_of)}
    corrected: set[int] = set()
    with app.db.read() as session:
        stored = {
            row.id: (row.title, row.content, row.topic, dict(row.topic_scores or {}))
            for row in session.scalars(select(Mention))
        }

    def accuracy(context, rows: list[int]) -> float:
        hits = 0
        for i in rows:
            title, content, _, _ = stored[mention_of[i]]
            hits += analyze(TextIn(title=title, content=content), context).topic in mapping[labels[i]]
        return hits / len(rows) if rows else 0.0

    def on_other(context) -> str:
        if other is None:
            return ""
        hits = sum(
            analyze(TextIn(title="", content=text), context).topic in mapping[label] for text, label in zip(*other)
        )
        return f"{hits / len(other[0]):.4f} "

    print(
        f"{'N':>5} | {'trained':>7} {'judged on':>9} {'new':>5} | {'gate: new':>9} {'in use':>7} | {'decision':<10} | "
        f"rest: {'in use':>7} {'new':>7} {'lexicon':>7} | "
        + ("other half: in use / new / lexicon | " if other is not None else "")
        + "in use"
    )
    other_lexicon = on_other(base_analysis_context(settings))  # the shipped lexicon does not learn: once

    def review(count: int) -> list[tuple[int, str]]:
        """The next `count` messages the officer reviews, each with how it came to be reviewed (the label's action):
        in arrival order (the officer's own choice), or the queue's first (ranked, or drawn at random)."""
        if order_by == "arrival":
            return [(i, "correct") for i in order if i not in corrected and labels[i] != skip_class][:count]
        queue = review_queue(app, limit=len(texts) if skip_class else count, days=36500)
        listed = [(index_of[item.mention_id], SPOT_CHECK if item.spot_check else "review") for item in queue.items]
        return [(i, how) for i, how in listed if labels[i] != skip_class][:count]

    done = 0
    for step in steps:
        step = min(step, len(texts) - 1)
        while done < step:
            # Between two measured steps the queue is worked in batches, retrained after each (a weekly retraining
            # after a week of reviews): 100 at first, then a quarter of what is labelled already.
            batch = review(min(step - done, max(100, done // 4)) if order_by == "queue" else step - done)
            if not batch:
                break
            with app.db.write() as session:
                for i, how in batch:
                    _, _, topic, scores = stored[mention_of[i]]
                    correct_mention(
                        session,
                        settings,
                        mention_of[i],
                        "bench",
                        topic=officer_topic(mapping, labels[i], topic, scores),
                        label_action=how,
                    )
            corrected.update(i for i, _ in batch)
            done += len(batch)
            if done < step:
                try:
                    retrain(app, "bench", now=utcnow())
                except LearningError as exc:
                    print(f"      ({exc})")
        rest = [i for i in order if i not in corrected]
        lexicon = accuracy(base_analysis_context(settings), rest)
        line = f"{step:>5} | "
        candidate_accuracy, kind, other_new, spot = None, "—", ("— " if other is not None else ""), ""
        if step == 0:
            line += f"{'—':>7} {'—':>9} {'—':>5} | {'—':>9} {'—':>7} | {'—':<10} | "
        else:
            try:
                result = retrain(app, "bench", now=utcnow())
                decision = "switched" if result.status == "active" else "kept"
                if "没有覆盖" in result.decision:  # the coverage guard (yuqing/learning_coverage.py) kept it out
                    decision = "uncovered"
                gate_new = f"{result.accuracy:.4f}" if result.accuracy is not None else "—"
                gate_old = f"{result.baseline_accuracy:.4f}" if result.baseline_accuracy is not None else "—"
                line += f"{result.trained:>7} {result.judged:>9} {result.held_back:>5} | {gate_new:>9} {gate_old:>7} | {decision:<10} | "
                candidate = load_version(settings, f"models/v{result.version}")
                manifest = candidate.manifest
                kind = f"{manifest.get('town_kind', '?')} margin {manifest.get('prior_margin', 0):g}"
                spot = spot_checks(app, result.version)
                from dataclasses import replace

                base = base_analysis_context(settings)
                candidate_accuracy = accuracy(replace(base, classifier=candidate), rest)
                other_new = on_other(replace(base, classifier=candidate))
            except LearningError as exc:
                line += f"{'—':>7} {'—':>9} {'—':>5} | {'—':>9} {'—':>7} | {'no model':<10} | "
                print(f"      ({exc})")
        context = analysis_context(settings)
        in_use = accuracy(context, rest)
        new = f"{candidate_accuracy:.4f}" if candidate_accuracy is not None else "—"
        others = f"{on_other(context)}{other_new}{other_lexicon}| " if other else ""
        print(
            f"{line}      {in_use:.4f} {new:>7} {lexicon:.4f} | {others}{context.model_version} | new: {kind}{spot}",
            flush=True,
        )
    app.close()
    forget(settings)


def spot_checks(app, version: int) -> str:
    """The gate's figures on the spot checks alone (yuqing/learning_gate.py), as the line's last column."""
    from yuqing.db.models import TopicModel

    with app.db.read() as session:
        row = session.get(TopicModel, version)
        figures = (row.details or {}).get("spot_checks") if row is not None else None
    if not figures or figures.get("new") is None:
        return ""
    return f" | spot checks {figures['rows']}: new {figures['new']:.4f} in use {figures['in_use']:.4f}"


if __name__ == "__main__":
    sys.exit(main())
