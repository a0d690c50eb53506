"""Personal data at rest and on the way out (issue 13, findings 5 and 6), crawled end to end from a GBK forum.

Every field that leaves the database is masked: author, URLs (the list links carry phone= and idno=), the event
page, alert and digest mails, exports. Evidence snapshots are stored de-identified, page parts outside the
extracted text included; a raw copy exists only when [evidence] asks for it, encrypted, audited when opened,
and gone after its retention period.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from crawl_support import open_config_app, run_yuqing, write_config
from cryptography.fernet import Fernet
from sqlalchemy import select

from dashboard.access import Viewer
from dashboard.evidence import query_evidence
from dashboard.queries.event_detail import query_event_mentions
from pipeline.deidentify import id_check_digit, luhn_ok
from yuqing.db.models import AuditLog, Mention, OutboxMessage, Snapshot
from yuqing.export import MENTION_FIELDS, iter_mentions, write_csv, write_jsonl
from yuqing.mail.digest import send_digests
from yuqing.timeutil import utcnow

MOBILE, OTHER_MOBILE, LINK_MOBILE, TEL_MOBILE = "13912345678", "13812345670", "13600002222", "13700001111"
ID_NUMBER = "64050219900101123" + id_check_digit("64050219900101123")
CARD = next(f"622202020011234567{d}" for d in range(10) if luhn_ok(f"622202020011234567{d}"))
EMAIL, PLATE = "zhang.san@example.com", "宁E12345"
RAW = [MOBILE, OTHER_MOBILE, LINK_MOBILE, TEL_MOBILE, ID_NUMBER, CARD, EMAIL, PLATE]
AUTHOR = f"{EMAIL} (张三{MOBILE})"


def detail_page(number: int) -> bytes:
    page = f"""<html><head><meta charset="gbk"><meta name="author" content="{EMAIL}"><title>帖子</title></head>
<body><div class="sidebar">版主热线 {OTHER_MOBILE},失物招领请联系 <a href="tel:{TEL_MOBILE}">这里</a>
<a href="/search?q=%E5%BC%A0%E4%B8%89{LINK_MOBILE}">张三的其他帖子</a></div>
<h1>东园镇郭滩村自来水停了三天({number})</h1><span class="author">{AUTHOR}</span>
<div class="c">郭滩村村民反映自来水已经停了三天,群众生活受到很大影响,希望镇政府尽快组织抢修。</div>
<div class="comments"><p>我的身份证 {ID_NUMBER},补贴打到卡号 {CARD}</p><p>肇事车辆 {PLATE} 还没找到</p>
<input type="hidden" name="uid" value="{ID_NUMBER}"></div></body></html>"""
    return page.encode("gbk")


@pytest.fixture
def forum(edge_server):
    links = "".join(
        f'<li><a class="t" href="/pd/thread?tid={n}&phone={MOBILE}&idno={ID_NUMBER}">帖子</a></li>' for n in range(3)
    )
    edge_server.route(
        "/pd/list.html", f"<html><body><ul>{links}</ul></body></html>".encode("gbk"), "text/html; charset=gbk"
    )
    for n in range(3):
        edge_server.route(
            f"/pd/thread?tid={n}&phone={MOBILE}&idno={ID_NUMBER}", detail_page(n), "text/html; charset=gbk"
        )
    return {
        "name": "pd-forum",
        "kind": "html",
        "url": edge_server.base_url + "/pd/list.html",
        "source_type": "forum",
        "html": {"item_links": "a.t::attr(href)", "title": "h1::text", "body": "div.c", "author": "span.author::text"},
    }


def crawl(tmp_path: Path, forum: dict, evidence: dict | None = None) -> Path:
    config = write_config(tmp_path / "config.toml", [forum])
    if evidence:
        with config.open("a", encoding="utf-8") as handle:
            handle.write("\n[evidence]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in evidence.items()))
    result = run_yuqing(config, "crawl", "--once")
    assert result.returncode == 0, result.stdout + result.stderr
    return config


def raw_found(text: str) -> list[str]:
    return [value for value in RAW if value in text]


def test_nothing_personal_is_stored_or_leaves_the_database(tmp_path, forum):
    config = crawl(tmp_path, forum)
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            mentions = session.scalars(select(Mention)).all()
            assert len(mentions) == 3 and all(m.event_id for m in mentions)
            for mention in mentions:
                stored = " ".join([mention.url, mention.canonical_url, mention.author, mention.title, mention.content])
                assert raw_found(stored) == [], stored
                assert mention.author == "z***@example.com (张三139****5678)"
                assert "phone=139" in mention.url and "idno=6405" in mention.url
            for snapshot in session.scalars(select(Snapshot)):
                page = gzip.decompress(snapshot.body_gz).decode("gb18030")
                assert raw_found(page + snapshot.url) == [], page  # the sidebar, links, comments and inputs too
                assert "郭滩村村民反映" in page and snapshot.raw_enc is None
            viewer = Viewer("duty", "duty")
            shown = query_event_mentions(session, app.settings, mentions[0].event_id)
            evidence = query_evidence(session, viewer, mentions[0].id)
            assert raw_found(json.dumps(shown, ensure_ascii=False) + json.dumps(evidence, ensure_ascii=False)) == []
        send_digests(app, now=utcnow() + timedelta(days=1))
        with app.db.read() as session:
            mails = session.scalars(select(OutboxMessage)).all()
            assert any(m.kind == "digest" for m in mails)
            for mail in mails:
                assert raw_found(f"{mail.subject}{mail.body_text}{mail.body_html}{json.dumps(mail.payload)}") == []
            lines, table = io.StringIO(), io.StringIO()
            write_jsonl(iter_mentions(session), lines)
            write_csv(iter_mentions(session), table, MENTION_FIELDS)
        assert raw_found(lines.getvalue() + table.getvalue()) == []
        assert "z***@example.com" in next(csv.reader(io.StringIO(table.getvalue().splitlines()[1])))[11]
    finally:
        app.close()
    database = b"".join(p.read_bytes() for p in tmp_path.glob("yuqing.db*"))
    assert [value for value in RAW if value.encode() in database or value.encode("gbk") in database] == []
    # The masked canonical URLs still recognise the posts: a second crawl stores nothing new.
    assert "新增 0 条" in run_yuqing(config, "crawl", "--once").stdout


def test_raw_evidence_is_encrypted_audited_and_expires(tmp_path, forum):
    key = Fernet.generate_key().decode()
    config = crawl(tmp_path, forum, {"keep_raw": True, "raw_key": key, "raw_retention_days": 30})
    database = b"".join(p.read_bytes() for p in tmp_path.glob("yuqing.db*"))
    assert MOBILE.encode() not in database and ID_NUMBER.encode() not in database  # encrypted at rest
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            mention_id = session.scalar(select(Mention.id).order_by(Mention.id))
    finally:
        app.close()
    refused = run_yuqing(config, "evidence", str(mention_id), "--raw")
    assert refused.returncode == 2 and "理由" in refused.stderr
    opened = run_yuqing(
        config,
        "evidence",
        str(mention_id),
        "--raw",
        "--reason",
        "核实举报人身份",
        "--actor",
        "wang",
        "--out",
        str(tmp_path / "raw.html"),
    )
    assert opened.returncode == 0, opened.stderr
    assert (tmp_path / "raw.html").read_bytes() in [detail_page(n) for n in range(3)]  # exactly as fetched
    masked = run_yuqing(config, "evidence", str(mention_id), "--out", str(tmp_path / "masked.html"))
    assert raw_found((tmp_path / "masked.html").read_bytes().decode("gbk")) == [] and "已脱敏" in masked.stderr
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            audit = session.scalars(select(AuditLog).where(AuditLog.action == "evidence_raw_open")).one()
            assert audit.actor == "wang" and "核实举报人身份" in audit.comment
        from yuqing.snapshots import purge_expired_raw

        assert purge_expired_raw(app, now=utcnow() + timedelta(days=29)) == 0
        assert purge_expired_raw(app, now=utcnow() + timedelta(days=31)) == 3
    finally:
        app.close()
    expired = run_yuqing(config, "evidence", str(mention_id), "--raw", "--reason", "再次核实")
    assert expired.returncode == 1 and "已过保存期限" in expired.stderr


def test_raw_evidence_without_a_key_is_a_config_error(tmp_path, forum):
    config = write_config(tmp_path / "config.toml", [forum])
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\n[evidence]\nkeep_raw = true\n")
    result = run_yuqing(config, "check")
    assert result.returncode == 2 and "raw_key" in result.stderr and "config.toml:" in result.stderr
    assert "Traceback" not in result.stderr
