"""Property tests: garbage in never crashes normalise, mask, analyze or the JSON-lines reader."""

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.analyze import TextIn, analyze, build_context
from pipeline.classify_io import classify_lines
from pipeline.deidentify import find_personal_data, mask
from pipeline.normalize import html_to_text, normalize
from pipeline.schemes import SchemeSyntaxError, parse

CTX = build_context([("s", "东园|中卫", "", "", "演练")], villages=["东园村"])
# Text that mixes CJK, digits, ASCII, punctuation, entities, emoji and separators the code treats specially.
PIECES = st.sampled_from(
    [
        "东园村",
        "爆炸",
        "3人死亡",
        "13812345678",
        "0955-7012345",
        "宁E·12345",
        "@",
        "a@b.cn",
        "&amp;",
        "&#x4e2d;",
        "<p>",
        "</p>",
        "<script>",
        "😀",
        "\u3000",
        "\ud800",
        "\x00",
        "１２３",
        "臺灣",
        " ",
        "\n",
        "十余人受伤",
        "(",
        "|",
        "+",
        "，",
        "!",
    ]
)
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=40).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_normalize_and_mask_never_crash(text):
    normalized = normalize(text)
    assert isinstance(normalized, str)
    assert normalize(normalized) == normalized  # idempotent
    masked = mask(normalized)
    for _kind, start, end in find_personal_data(normalized):
        assert 0 <= start < end <= len(normalized)
    assert len(find_personal_data(masked)) == 0 or masked != normalized
    assert isinstance(html_to_text(text), str)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, TEXTS, st.sampled_from(["news", "forum", "board", "official", "weibo", "other", "bogus"]))
def test_analyze_never_crashes(title, content, source_type):
    result = analyze(TextIn(title, content, source_type), CTX)
    assert result.urgency in (1, 2, 3, 4)
    assert 0.0 <= result.negativity <= 1.0
    assert result.urgency_reasons
    assert find_personal_data(result.content_masked) == []  # nothing left to mask after masking


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_scheme_parser_either_parses_or_raises_its_own_error(expression):
    try:
        parse(expression)
    except SchemeSyntaxError as error:
        assert 1 <= error.position <= len(expression) + 1
        assert "第" in error.message


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.fixed_dictionaries(
                {"id": st.one_of(st.integers(), st.text(min_size=1, max_size=5))},
                optional={"title": TEXTS, "content": TEXTS},
            ).map(json.dumps),
        ),
        max_size=8,
    )
)
def test_jsonl_reader_writes_one_line_per_good_input(lines):
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    out, err = io.StringIO(), io.StringIO()
    report = classify_lines(io.StringIO("\n".join(lines) + "\n"), out, err, CTX)
    assert report.written == len(out.getvalue().splitlines())
    assert report.written + report.errors == sum(1 for line in lines if line.strip())
