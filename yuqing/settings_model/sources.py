"""Public sources: how each kind is read (selectors, JSON paths, keyword search, RSSHub routes) and crawling limits."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from yuqing.settings_model.checks import KeyedProblem, Strict, check_span


class HtmlSelectors(Strict):
    item_links: str
    title: str = ""
    body: str = ""
    time: str = ""
    author: str = ""
    next_page: str = ""
    reposts: str = ""
    comments: str = ""
    # Comments / replies on the detail page: `comment` matches each one (a forum floor after the first), the
    # others are read inside it. Stored under the post, de-identified, counted into its event's heat.
    comment: str = ""
    comment_author: str = ""
    comment_body: str = ""  # empty: the whole comment block's text
    comment_time: str = ""
    comment_id: str = ""  # e.g. "::attr(id)"; empty: position and text identify a comment


class BoardSelectors(HtmlSelectors):
    status: str = ""
    reply: str = ""
    reply_time: str = ""
    reply_office: str = ""


class JsonPaths(Strict):
    items: str
    id: str = "id"
    title: str = "title"
    content: str = "content"
    url: str = "url"
    time: str = "time"
    author: str = ""
    reposts: str = ""
    comments: str = ""
    next_page: str = ""  # a boolean "has more" path, or a path to the next URL
    comment_list: str = ""  # path (inside each object) to its list of comments
    comment_id: str = "id"  # the rest are read inside each comment object
    comment_content: str = "content"
    comment_author: str = ""
    comment_time: str = ""


class SearchSettings(Strict):
    """A keyword search page. The source's `url` holds {keyword} and {page}; each result block is read with these
    selectors (relative to the block). Keywords come from the monitoring schemes (region words × subject words)
    plus `keywords`, a few per run in rotation."""

    results: str  # one match per search result
    link: str = "a::attr(href)"
    title: str = ""  # empty: the link's text
    snippet: str = ""
    time: str = ""
    author: str = ""  # the site or account the result comes from
    detail_title: str = ""  # with detail_body: each new result's page is fetched and read with these
    detail_body: str = ""  # empty: the result's title and snippet are stored (no request per result)
    detail_time: str = ""
    keywords: list[str] = []
    from_schemes: bool = True  # add region × subject words of the enabled [[schemes]]
    keywords_per_run: int = Field(3, ge=1, le=50)
    max_keywords: int = Field(200, ge=1)
    page_start: int = Field(1, ge=0)  # {page} of the first result page (0 for some sites)
    page_step: int = Field(1, ge=1)  # added per page (10 when {page} is a result offset)
    keyword_encoding: str = "utf-8"  # how the keyword is percent-encoded in the URL (some sites want gbk)

    @field_validator("keyword_encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError as exc:
            raise ValueError(f"未知编码 “{value}”,常用 “utf-8” 或 “gbk”") from exc
        return value


SOURCE_KINDS = ("rss", "html", "json", "board", "search", "rsshub")
RSSHUB_PLATFORMS = {
    "weibo": ("微博", "weibo"),
    "wechat": ("微信公众号", ""),  # an account of the government or of anyone: set source_type / official
    "douyin": ("抖音", "other"),
    "kuaishou": ("快手", "other"),
    "bilibili": ("B站", "other"),
    "zhihu": ("知乎", "forum"),
    "tieba": ("贴吧", "forum"),
    "xiaohongshu": ("小红书", "other"),
    "toutiao": ("今日头条", "news"),
}


def rsshub_platform(route: str) -> str:
    """The platform (Chinese name) an RSSHub route reads, from its first path segment: "/weibo/user/1" → 微博."""
    first = route.strip("/").split("/", 1)[0].lower()
    return RSSHUB_PLATFORMS.get(first, (first or "RSSHub", ""))[0]


SOURCE_TYPES = ("news", "forum", "board", "official", "weibo", "other")


class SourceSettings(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["rss", "html", "json", "board", "search", "rsshub"]
    url: str = ""  # kind rsshub: left out, made of instance + route
    title: str = ""  # display name, e.g. “沙坡头论坛”
    interval: int = Field(300, ge=5)
    jitter: int = Field(0, ge=0)
    active_hours: str = ""
    enabled: bool = True
    source_type: Literal["news", "forum", "board", "official", "weibo", "other"] = "other"
    official: bool = False  # posts are the government's own (response evidence)
    obey_robots: bool | None = None  # None: the [crawl] default
    encoding: str = ""  # force a page encoding when a site declares a wrong one
    max_pages: int = Field(5, ge=1)
    max_links_per_page: int | None = Field(None, ge=1)  # None: the [crawl] default
    max_items_per_run: int | None = Field(None, ge=1)
    fail_limit: int = Field(3, ge=1)
    silence_hours: float = Field(48, gt=0)
    # Sources with comment selectors: stored posts of the last recheck_hours re-read, recheck_per_run a run in
    # rotation and each at most every recheck_minutes, so comments that come after the post are seen too.
    recheck_per_run: int = Field(10, ge=0)
    recheck_hours: float = Field(48, gt=0)
    recheck_minutes: float = Field(10, gt=0)
    html: HtmlSelectors | None = None
    board: BoardSelectors | None = None
    json_paths: JsonPaths | None = Field(None, alias="json")
    search: SearchSettings | None = None
    instance: str = ""  # kind rsshub: the RSSHub instance, e.g. "http://127.0.0.1:1200"
    route: str = ""  # kind rsshub: e.g. "/weibo/user/1195230310"

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    _span = field_validator("active_hours")(lambda cls, v: check_span(v))

    @field_validator("url", "instance")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("应为以 http:// 或 https:// 开头的网址")
        return value

    @field_validator("route")
    @classmethod
    def _route(cls, value: str) -> str:
        if value and not re.match(r"^/[^\s]+$", value):
            raise ValueError("应为以 / 开头的 RSSHub 路由,例如 “/weibo/user/1195230310”")
        return value

    @model_validator(mode="after")
    def _selectors_for_kind(self) -> SourceSettings:
        if self.kind == "rsshub":
            if not self.route:
                raise KeyedProblem("类型为 rsshub 的来源需要 route(例如 “/weibo/user/1195230310”)", ("kind",))
            if not self.url:
                if not self.instance:
                    raise KeyedProblem(
                        "类型为 rsshub 的来源需要 instance(RSSHub 实例地址,例如 “http://127.0.0.1:1200”)", ("kind",)
                    )
                self.url = self.instance.rstrip("/") + self.route
            first = self.route.strip("/").split("/", 1)[0].lower()
            if "source_type" not in self.model_fields_set and RSSHUB_PLATFORMS.get(first, ("", ""))[1]:
                self.source_type = RSSHUB_PLATFORMS[first][1]  # type: ignore[assignment]
        elif self.instance or self.route:
            raise KeyedProblem(
                "instance 和 route 只用于类型为 rsshub 的来源", ("instance" if self.instance else "route",)
            )
        if not self.url:
            raise KeyedProblem("缺少 url(来源网址)", ("kind",))
        if self.kind == "search":
            if "{keyword}" not in self.url:
                raise KeyedProblem("类型为 search 的来源,url 中需要 {keyword}(以及翻页用的 {page})", ("url",))
            if "{page}" not in self.url and self.max_pages > 1:
                raise KeyedProblem("url 中没有 {page},无法翻页:请加入 {page},或设 max_pages = 1", ("url",))
        needed = {"html": "html", "board": "board", "json": "json_paths", "search": "search"}.get(self.kind)
        if needed and getattr(self, needed) is None:
            section = "json" if needed == "json_paths" else needed
            raise ValueError(f"类型为 {self.kind} 的来源需要 [sources.{section}] 小节(选择器/字段路径)")
        return self


class CrawlSettings(Strict):
    user_agent: str = "Mozilla/5.0 (compatible; yuqing-monitor/0.1; +http://127.0.0.1/)"
    obey_robots: bool = True
    concurrent_requests: int = Field(32, ge=1)
    concurrent_per_domain: int = Field(2, ge=1)
    download_timeout: float = Field(20, gt=0)
    retry_times: int = Field(2, ge=0)
    max_response_mb: float = Field(10, gt=0)
    autothrottle: bool = True
    download_delay: float = Field(0, ge=0)
    max_links_per_page: int = Field(300, ge=1)  # links / feed entries / API objects read from one page
    max_items_per_run: int = Field(500, ge=1)  # detail pages and entries taken from one source in one poll
    blocked_backoff_minutes: float = Field(10, gt=0)  # a site asking for a captcha / answering 403: first pause
    blocked_backoff_max_hours: float = Field(24, gt=0)  # the pause doubles each time, up to this
