"""The selectors and field paths in demo_sources() extract the right values; pages escape text; labels never leak."""

import json
import re
from urllib.parse import urljoin

from demo_support import fetch
from parsel import Selector

from yuqing.demo.corpus import TOPICS
from yuqing.demo.httpcommon import local
from yuqing.demo.sites import demo_sources, sources_toml


def pick(sel: Selector, query: str):
    return sel.xpath(query) if query.startswith(("/", "(")) else sel.css(query)


def text_of(sel: Selector, query: str) -> str:
    found = pick(sel, query)
    if "::" in query or "/text()" in query or "/@" in query:
        return (found.get() or "").strip()
    return "".join(found[:1].css("::text").getall()).strip() if found else ""


def crawl_list(url: str, cfg: dict, encoding: str):
    page = Selector(text=fetch(url).text(encoding))
    return page, [urljoin(url, link) for link in pick(page, cfg["item_links"]).getall()]


def test_forum_selectors(sites):
    src = next(s for s in demo_sources(sites.base_url) if s["kind"] == "html")
    cfg = src["html"]
    page, links = crawl_list(src["url"], cfg, "gbk")
    assert pick(page, cfg["next_page"]).get() == "forum-1-2.html"
    by_url = {p.url: p for p in sites.published("bbs")}
    checked = 0
    for link in links:
        if link not in by_url:
            assert "thread-1000-" in link  # the pinned 版规 thread is not on the timeline
            continue
        item, detail = by_url[link], Selector(text=fetch(link).text("gbk"))
        assert text_of(detail, cfg["title"]) == item.title
        assert text_of(detail, cfg["author"]) == item.post.author
        assert re.fullmatch(
            r"\d+(秒|分钟|小时)前|(今天|昨天|前天) \d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d", text_of(detail, cfg["time"])
        )
        body = " ".join(pick(detail, cfg["body"]).css("::text").getall())
        assert item.content.split("\n")[0][:20] in body.replace("\n", "")
        assert text_of(detail, cfg["comments"]).isdigit() and text_of(detail, cfg["reposts"]).isdigit()
        checked += 1
    assert checked == 20


def test_board_selectors(sites, clock):
    src = next(s for s in demo_sources(sites.base_url) if s["kind"] == "board")
    cfg = src["board"]
    page, links = crawl_list(src["url"], cfg, "utf-8")
    assert len(links) == 15 and pick(page, cfg["next_page"]).get() == "/board/list?page=2"
    by_url = {p.url: p for p in sites.published("board")}
    statuses = set()
    for link in links:
        item, detail = by_url[link], Selector(text=fetch(link).text())
        assert text_of(detail, cfg["title"]) == item.title
        assert text_of(detail, cfg["time"]) == local(item.published_at)
        assert text_of(detail, cfg["author"]) == item.post.author
        status = text_of(detail, cfg["status"])
        statuses.add(status)
        if status == "已回复":
            assert text_of(detail, cfg["reply_time"]) == local(item.reply_at)
            assert text_of(detail, cfg["reply_office"]) == item.post.reply.office
            assert "特此回复" in " ".join(pick(detail, cfg["reply"]).css("::text").getall())
        else:
            assert status == "未回复" and not pick(detail, cfg["reply"])
    assert statuses == {"已回复", "未回复"}


def test_json_paths(sites):
    src = next(s for s in demo_sources(sites.base_url) if s["kind"] == "json")
    paths = src["json"]

    def get(obj, path):
        for part in path.split("."):
            obj = obj[part]
        return obj

    body = json.loads(fetch(src["url"]).body)
    items = get(body, paths["items"])
    assert get(body, paths["next_page"]) is True
    by_url = {p.url: p for p in sites.published("api")}
    for it in items:
        item = by_url[get(it, paths["url"])]
        assert get(it, paths["title"]) == item.title and get(it, paths["content"]) == item.content
        assert get(it, paths["time"]) == local(item.published_at) and get(it, paths["author"]) == item.post.author
        assert isinstance(get(it, paths["reposts"]), int) and isinstance(get(it, paths["comments"]), int)


def test_sources_toml_is_valid_toml():
    import tomllib

    data = tomllib.loads(sources_toml(demo_sources("http://127.0.0.1:8901")))
    assert [s["name"] for s in data["sources"]] == [
        "dongyuan-news",
        "dongyuan-weibo",
        "shapotou-bbs",
        "mayor-mailbox",
        "city-api",
    ]
    assert data["sources"][2]["html"]["item_links"].startswith("table.threadlist")
    assert data["sources"][1]["official"] is True


def _everything(sites) -> dict[str, bytes]:
    pages = {}
    for path in (
        "/",
        "/news/rss.xml",
        "/weibo/atom.xml",
        "/bbs/forum-1-1.html",
        "/bbs/forum-1-2.html",
        "/board/list?page=1",
        "/api/posts?page=1&size=100",
    ):
        pages[path] = fetch(sites.base_url + path).body
    for p in sites.published():
        pages[p.url] = fetch(p.url).body
    return pages


def test_no_expected_labels_in_served_pages(sites, clock):
    clock.advance(3000)
    pages = _everything(sites)
    assert len(pages) > 150
    leaks = re.compile(
        r"urgency|emergency|topic|relevant|social_security|work_safety|food_drug|public_security|"
        r"filler|explosion|poisoning|blockade|特别重大|较大"
    )
    for url, body in pages.items():
        text = body.decode("gbk" if "/bbs/" in url else "utf-8")
        assert not leaks.search(text), url
        assert not any(f'"{t}"' in text or f">{t}<" in text for t in TOPICS), url


def test_xss_text_is_served_escaped(sites, clock):
    target = next(e for e in sites.timeline.scheduled() if "<script>" in e.post.title and e.channel == "bbs")
    clock.now = max(clock.now, target.at)
    raw = fetch(sites.url(target)).text("gbk")
    assert "<script>alert(1)</script>" not in raw and "<img src=x onerror" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    body = " ".join(Selector(text=raw).css("#postlist div.post-first div.t_f ::text").getall())
    assert "<script>alert(1)</script>" in body and "<img src=x onerror=alert(1)>" in body
    listing = fetch(sites.base_url + "/bbs/forum-1-1.html").text("gbk")
    assert "<script>alert" not in listing


def test_emoji_and_traditional_survive_gbk(sites, clock):
    clock.advance(3000)
    bbs = sites.published("bbs")
    emoji = next(p for p in bbs if "😭" in p.post.content)
    raw = fetch(emoji.url).body
    assert b"&#128557;" in raw  # 😭 as a numeric character reference
    assert "😭" in " ".join(Selector(text=raw.decode("gbk")).css("div.post-first div.t_f ::text").getall())
    trad = next(p for p in bbs if p.post.traditional)
    assert trad.post.content[:15] in fetch(trad.url).text("gbk").replace("<br />\n", "\n")


def test_demo_sources_pass_the_project_config_loader(tmp_path):
    from yuqing.config import settings_from_dict
    from yuqing.demo.many import start_many_sites

    settings = settings_from_dict({"sources": demo_sources("http://127.0.0.1:8901")}, tmp_path / "config.toml")
    assert [s.kind for s in settings.sources] == ["rss", "rss", "html", "board", "json"]
    with start_many_sites(5, hosts=2) as many:
        assert len(settings_from_dict({"sources": many.sources()}, tmp_path / "config.toml").sources) == 5


def test_shipped_config_selectors_also_match(sites):
    """config.toml's demo sources (first match of each selector) work on these pages too."""
    import tomllib
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "config.toml"
    shipped = {s["name"]: s for s in tomllib.loads(path.read_text(encoding="utf-8")).get("sources", [])}
    for src in demo_sources(sites.base_url):
        if src["kind"] not in ("html", "board") or src["name"] not in shipped:
            continue
        cfg, encoding = shipped[src["name"]][src["kind"]], "gbk" if src["kind"] == "html" else "utf-8"
        page, links = crawl_list(src["url"], cfg, encoding)
        assert links and pick(page, cfg["next_page"]).get()
        detail = Selector(text=fetch(links[-1]).text(encoding))
        for key in ("title", "body", "time", "author"):
            assert text_of(detail, cfg[key]), (src["name"], key)
