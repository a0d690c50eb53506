"""HTML list and detail pages (forums, news sites, message boards) read with the selectors from config."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from parsel import Selector

from crawlers import selectors as sel
from crawlers.dates import parse_datetime
from crawlers.text import parse_count
from crawlers.urls import absolute_link
from yuqing.settings_model import BoardSelectors, HtmlSelectors

REPLIED, PENDING = "已回复", "未回复"
_REPLIED_WORDS = ("已回复", "已答复", "已办结", "已处理", "已反馈", "已受理并回复", "办结")
_PENDING_WORDS = ("未回复", "待回复", "未答复", "待答复", "处理中", "办理中", "已受理", "未办结", "待处理")


@dataclass
class ListPage:
    """Links to detail pages, in page order, the next list page if any, and how many links the page holds."""

    links: list[str]
    next_url: str | None
    total: int = 0


@dataclass
class Detail:
    """What a detail page says, as published; `problems` names selectors that found nothing."""

    title: str = ""
    html: str | None = None
    content: str = ""
    author: str | None = None
    published_at: datetime | None = None
    reposts: int | None = None
    comments: int | None = None
    board_status: str | None = None
    reply_text: str | None = None
    reply_at: datetime | None = None
    reply_office: str | None = None
    comment_list: list[dict] | None = None
    problems: list[str] = field(default_factory=list)


def parse_list(page: Selector, url: str, selectors: HtmlSelectors, limit: int | None = None) -> ListPage:
    """The detail links (the first `limit` of them) and the next-page link of a list page."""
    found, total = sel.links(page, selectors.item_links, url, limit)
    next_url = None
    if selectors.next_page:
        next_url = absolute_link(url, sel.first_value(page, selectors.next_page))
        if next_url == url:
            next_url = None
    return ListPage(links=found, next_url=next_url, total=total)


def parse_detail(page: Selector, selectors: HtmlSelectors, now: datetime) -> Detail:
    """Title, body, author, time and counts of a detail page; for boards also status and the official reply."""
    detail = Detail()
    detail.title = sel.first_value(page, selectors.title) if selectors.title else ""
    if not detail.title:
        if selectors.title:
            detail.problems.append(f"标题选择器 “{selectors.title}” 未匹配到内容,已改用网页标题")
        detail.title = sel.first_value(page, "//title/text()") or ""
    if selectors.body:
        detail.html, detail.content = sel.block(page, selectors.body)
        if not detail.content:
            detail.problems.append(f"正文选择器 “{selectors.body}” 未匹配到内容")
    detail.author = sel.first_value(page, selectors.author)
    time_text = sel.first_value(page, selectors.time)
    detail.published_at = parse_datetime(time_text, now=now)
    if selectors.time and time_text and detail.published_at is None:
        detail.problems.append(f"无法识别发布时间 “{time_text[:40]}”")
    detail.reposts = parse_count(sel.first_value(page, selectors.reposts))
    detail.comments = parse_count(sel.first_value(page, selectors.comments))
    if isinstance(selectors, BoardSelectors):
        _parse_board(page, selectors, now, detail)
    if selectors.comment:
        from crawlers.comments import html_comments

        detail.comment_list = html_comments(page, selectors, now)
    return detail


def _parse_board(page: Selector, selectors: BoardSelectors, now: datetime, detail: Detail) -> None:
    reply = sel.block(page, selectors.reply)[1] if selectors.reply else ""
    detail.reply_text = reply or None
    detail.reply_office = sel.first_value(page, selectors.reply_office) if reply else None
    reply_time = sel.first_value(page, selectors.reply_time) if reply else None
    detail.reply_at = parse_datetime(reply_time, now=now)
    detail.board_status = board_status(sel.first_value(page, selectors.status), bool(reply))


def board_status(status_text: str | None, has_reply: bool) -> str:
    """ "已回复" or "未回复" from the status label a board shows, falling back on whether a reply is present."""
    text = (status_text or "").replace(" ", "")
    if any(word in text for word in _PENDING_WORDS) and not has_reply:
        return PENDING
    if has_reply or any(word in text for word in _REPLIED_WORDS):
        return REPLIED
    return PENDING
