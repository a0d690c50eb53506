"""Viewpoint groups of posts and comments (主要观点): by cue words, with the words as the reason."""

from __future__ import annotations

import pytest

from pipeline.viewpoints import NAMES, viewpoint_of


@pytest.mark.parametrize(
    "text, code, cue",
    [
        ("自来水发黄三天了,凭什么没人管?", "anger", "凭什么"),
        ("希望有关部门尽快处理", "demand", "尽快"),
        ("担心水有问题,会不会影响孩子", "worry", "担心"),
        ("感谢镇里及时处理,点赞", "support", "感谢"),
        ("郭滩村部分村民家中自来水浑浊", "report", None),
        ("憑什麼沒人管", "anger", "凭什么"),  # traditional characters are normalised first
    ],
)
def test_groups_by_cue_words_and_names_them(text, code, cue):
    view = viewpoint_of(text)
    assert view.code == code and view.name == NAMES[code]
    assert view.reason.startswith("依据:")
    if cue:
        assert cue in view.cues and f"“{cue}”" in view.reason
    else:
        assert view.cues == ()


def test_more_cues_win_and_an_official_post_is_the_official_side():
    assert viewpoint_of("希望尽快解决,建议落实,凭什么").code == "demand"
    assert viewpoint_of("凭什么没人管,希望").code == "anger"
    official = viewpoint_of("凭什么没人管", official=True)
    assert official.code == "official" and "政务" in official.reason
