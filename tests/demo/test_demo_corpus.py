"""The demo corpus covers every topic and urgency level, carries PII/XSS/traditional/noise cases, is deterministic."""

import re
from collections import Counter

from yuqing.demo.corpus import LEVELS, TOPICS, build_corpus, labelled_examples
from yuqing.demo.corpus.places import id_check_digit

corpus = build_corpus()
posts = corpus.posts


def test_size_and_every_topic_and_level():
    assert len(posts) >= 150
    topics = Counter(p.topic for p in posts)
    assert set(topics) == set(TOPICS)
    assert all(topics[t] >= 3 for t in TOPICS), topics
    assert set(Counter(p.urgency for p in posts)) == set(LEVELS)
    relevant_levels = {p.urgency for p in posts if p.relevant}
    assert relevant_levels == set(LEVELS)


def test_ids_unique_and_matters_start_with_original():
    assert len({p.id for p in posts}) == len(posts)
    for matter, ps in corpus.matters().items():
        assert ps[0].role == "original" and ps[0].lag == 0, matter
        assert all(p.lag >= 0 for p in ps)


def test_emergencies_are_the_severe_ones():
    urgent = {p.matter for p in posts if p.urgency <= 2}
    assert urgent == {"explosion", "poisoning", "flood", "blockade", "collapse"}
    for m in urgent:
        ps = corpus.matters()[m]
        assert len(ps) >= 7
        assert {p.channel for p in ps} >= {"bbs", "api", "news", "weibo", "board"}


def test_board_replies_read_like_official_replies():
    replies = [p.reply for p in posts if p.reply]
    assert len(replies) >= 25
    for r in replies:
        assert "东园镇" in r.office
        assert "经核实" in r.text and "特此回复" in r.text and "东园镇人民政府" in r.text
        assert r.text.endswith("{ymd}")
    assert all(p.channel == "board" and p.box in ("书记信箱", "镇长信箱") for p in posts if p.reply)


def test_personal_data_present_for_masking():
    text = "\n".join(p.title + p.content for p in posts)
    assert re.search(r"1[3-9]\d{9}", text)
    assert re.search(r"宁E·[A-Z0-9]{5}", text)
    ids = re.findall(r"\d{17}[\dX]", text)
    assert ids and all(id_check_digit(i[:17]) == i[17] for i in ids)


def test_special_cases_present():
    text = "\n".join(p.title + p.content for p in posts)
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert sum(p.traditional for p in posts) >= 3
    assert any(re.search(r"[東園鎮衛]", p.content) for p in posts if p.traditional)
    assert re.search("[\U0001f300-\U0001faff]", text)  # emoji
    noise = [p for p in posts if not p.relevant]
    assert len(noise) >= 10
    assert not any(w in p.title + p.content for p in noise for w in ("东园", "沙坡头"))
    assert any(p.channel == "weibo" and p.role == "official" for p in posts)


def test_deterministic_by_seed():
    again = build_corpus()
    assert [(p.id, p.title, p.content) for p in again.posts] == [(p.id, p.title, p.content) for p in posts]
    other = build_corpus(seed=7)
    assert [p.content for p in other.posts] != [p.content for p in posts]
    assert [p.id for p in other.posts] == [p.id for p in posts]


def test_labelled_examples_fill_dates():
    rows = labelled_examples()
    assert len(rows) == len(posts)
    for r in rows:
        assert not re.search(r"\{(md|ymd|h|ev_md|ev_h)\}", r["title"] + r["content"] + (r["reply"] or ""))
        assert r["topic"] in TOPICS and r["urgency"] in LEVELS
    assert any("11月25日" in r["content"] for r in rows)


def test_the_shipped_classifier_labels_the_authored_posts():
    from pipeline.normalize import normalize
    from pipeline.topics import LexiconClassifier

    classifier = LexiconClassifier()
    relevant = [row for row in labelled_examples() if row["relevant"]]
    wrong = [
        (row["topic"], row["title"])
        for row in relevant
        if classifier.classify(normalize(row["title"]), normalize(row["content"])).topic != row["topic"]
    ]
    assert len(wrong) <= 0.15 * len(relevant), wrong
    emergencies = [
        row
        for row in relevant
        if row["matter"] in ("explosion", "poisoning", "flood", "collapse") and row["role"] == "repost"
    ]
    assert sum(
        classifier.classify(normalize(row["title"]), normalize(row["content"])).topic == row["topic"]
        for row in emergencies
    ) >= 0.7 * len(emergencies)
