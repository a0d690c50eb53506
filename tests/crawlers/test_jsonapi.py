"""JSON APIs read with dotted paths: items, fields, counts, next page; bad answers give clear errors."""

import json
from datetime import UTC, datetime

import pytest

from crawlers.jsonapi import ApiError, get_path, load_json, next_page_url, parse_api
from yuqing.settings_model import JsonPaths

PATHS = JsonPaths(
    items="data.list",
    id="id",
    title="title",
    content="content",
    url="url",
    time="pub_time",
    author="user.nick",
    reposts="stats.share",
    comments="stats.comment",
    next_page="data.has_more",
)
ANSWER = {
    "code": 0,
    "data": {
        "has_more": True,
        "list": [
            {
                "id": 11,
                "title": "东园镇菜市场油价上涨",
                "content": "<p>一桶油涨了<b>十元</b></p>",
                "url": "/post/11.html",
                "pub_time": 1764000000,
                "user": {"nick": "张三"},
                "stats": {"share": "1.2万", "comment": 30},
            },
            {"id": 12, "title": "没有网址的帖子", "content": "内容", "pub_time": "3分钟前", "user": None, "stats": {}},
            {"id": 13, "title": "", "content": ""},
            "not an object",
        ],
    },
}


def test_entries():
    first, second = parse_api(ANSWER, PATHS, "http://api.example/api/posts?page=1")
    assert first.url == "http://api.example/post/11.html"
    assert first.content == "一桶油涨了十元" and first.html == "<p>一桶油涨了<b>十元</b></p>"
    assert first.author == "张三"
    assert first.reposts == 12000 and first.comments == 30
    assert first.published_at == datetime(2025, 11, 24, 16, 0, tzinfo=UTC)
    assert json.loads(first.raw)["id"] == 11
    assert second.url == "http://api.example/api/posts?id=12"
    assert second.author is None and second.reposts is None


def test_get_path():
    assert get_path({"a": [{"b": 1}, {"b": 2}]}, "a.1.b") == 2
    assert get_path({"a": [1]}, "a.5") is None
    assert get_path({"a": "x"}, "a.b") is None
    assert get_path({"a": 1}, "") is None


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, "http://api.example/api/posts?page=2"),
        (False, None),
        (None, None),
        ("true", "http://api.example/api/posts?page=2"),
        (0, None),
        (3, "http://api.example/api/posts?page=3"),
        ("/api/posts?cursor=abc", "http://api.example/api/posts?cursor=abc"),
    ],
)
def test_next_page(value, expected):
    data = {"data": {"has_more": value}}
    assert next_page_url(data, PATHS, "http://api.example/api/posts?page=1") == expected


def test_next_page_without_page_parameter():
    assert next_page_url({"data": {"has_more": 1}}, PATHS, "http://h/api") == "http://h/api?page=2"


def test_jsonp_and_errors():
    assert load_json('jQuery123({"a": 1});') == {"a": 1}
    with pytest.raises(ApiError, match="不是有效的 JSON"):
        load_json("<html>502 Bad Gateway</html>")
    with pytest.raises(ApiError, match="data.list"):
        parse_api({"data": {"list": {"x": 1}}}, PATHS, "http://h/")
    with pytest.raises(ApiError, match="不存在"):
        parse_api({"error": "限流"}, PATHS, "http://h/")
