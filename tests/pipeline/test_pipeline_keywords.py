"""The keyword automaton: every way of reading matches agrees, ASCII-edged words only match on a word boundary."""

from collections import Counter

from pipeline.keywords import KeywordIndex

INDEX = KeywordIndex(
    [("ai", "tech"), ("AI芯片", "tech"), ("芯片", "chip"), ("芯片", "trade"), ("垃圾", "city"), ("垃", "x")]
)
TEXT = "said 的AI芯片，ai 与垃圾；rain里没有ai。AI"


def test_ascii_words_match_only_on_a_boundary():
    words = [word for _, _, word, _ in INDEX.iter_matches(TEXT)]
    # "ai" inside "said" and "rain" is no match; before Chinese (AI芯片 too, overlapping) or at the end it is.
    assert words.count("ai") == 4
    assert INDEX.count_longest(TEXT) == Counter({"ai": 3, "ai芯片": 1, "垃圾": 1})
    assert INDEX.count_longest("said rain") == Counter()
    assert INDEX.found_words("said rain 芯片") == {"芯片"}


def test_distinct_payloads_agree_with_every_occurrence():
    for text in (TEXT, "said", "芯片芯片 垃圾", ""):
        assert INDEX.distinct_payloads(text) == dict(INDEX.found_payloads(text))
        assert set(INDEX.distinct_payloads(text)) == INDEX.found_words(text)
    assert INDEX.distinct_payloads("芯片")["芯片"] == ("chip", "trade")


def test_positions_are_characters_not_bytes():
    start, end, word, payloads = INDEX.longest_matches("一二三垃圾")[0]
    assert (start, end, word, payloads) == (3, 5, "垃圾", ("city",))
