"""Alert texts: masked personal data, escaped HTML, local times with time left, links to sources and dashboard."""

from __future__ import annotations

from datetime import datetime, timedelta

from yuqing.mail import messages
from yuqing.mail.event_view import DeadlineView, EventView, SourceLink
from yuqing.timeutil import UTC

NOW = datetime(2026, 11, 25, 2, 15, tzinfo=UTC)  # 10:15 in Shanghai


def _view(**overrides) -> EventView:
    fields = dict(
        id=7,
        title="郭滩村化工厂爆炸<script>alert(1)</script>\n联系人 13812345678",
        summary="身份证 11010519491231002X 的工人受伤",
        level=1,
        reasons=["伤亡:3人受伤", "<b>扩散快</b>"],
        topic_name="安全生产",
        status="detected",
        office_code="zzwb",
        office_name="综治维稳办公室",
        village="郭滩村",
        detected_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        mention_count=3,
        source_count=2,
        url="https://yq.example.gov.cn/events/7",
        deadlines=[
            DeadlineView("assess", datetime(2026, 11, 25, 2, 30, tzinfo=UTC)),
            DeadlineView("publish", datetime(2026, 11, 25, 4, 30, tzinfo=UTC)),
        ],
        links=[
            SourceLink("沙坡头论坛", "爆炸现场<img src=x onerror=alert(1)>", "http://bbs.example.cn/t/1?a=1&b=2", None),
            SourceLink("怪来源", "坏链接", "javascript:alert(1)", None),
        ],
    )
    fields.update(overrides)
    return EventView(**fields)


def _settings(settings_factory, **general):
    return settings_factory({"general": {"public_url": "https://yq.example.gov.cn/", **general}})


def test_personal_data_is_masked_everywhere(settings_factory):
    message = messages.event_alert(_view(), _settings(settings_factory), NOW)
    for part in (message.subject, message.text, message.html, message.markdown, str(message.data)):
        assert "13812345678" not in part and "11010519491231002X" not in part
    assert "138****5678" in message.text


def test_html_part_escapes_untrusted_text_and_drops_unsafe_links(settings_factory):
    html = messages.event_alert(_view(), _settings(settings_factory), NOW).html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<b>扩散快</b>" not in html and "&lt;b&gt;扩散快&lt;/b&gt;" in html
    assert 'href="http://bbs.example.cn/t/1?a=1&amp;b=2"' in html
    assert "javascript:" not in html.split("坏链接")[0].rsplit("<li>", 1)[-1]
    assert 'href="https://yq.example.gov.cn/events/7"' in html


def test_deadlines_in_local_time_with_time_left(settings_factory):
    message = messages.event_alert(_view(), _settings(settings_factory), NOW)
    assert "研判(舆情值班室):2026-11-25 10:30(还剩 15分)" in message.text
    assert "发布权威信息(综治维稳办公室):2026-11-25 12:30(还剩 2小时15分)" in message.text
    assert "发现时间:2026-11-25 10:00" in message.text
    assert message.data["events"][0]["deadlines"][1] == {
        "stage": "publish",
        "stage_name": "发布权威信息",
        "due_at": "2026-11-25T04:30:00+00:00",
        "due_local": "2026-11-25 12:30",
        "remaining": "还剩 2小时15分",
    }


def test_content_says_what_why_who_and_where_to_act(settings_factory):
    message = messages.event_alert(_view(), _settings(settings_factory), NOW)
    assert message.subject.startswith("【舆情提醒·特别重大(红)】郭滩村化工厂爆炸") and "\n" not in message.subject
    for expected in (
        "预警等级:特别重大(红)",
        "研判依据:伤亡:3人受伤",
        "责任单位:综治维稳办公室",
        "属地:郭滩村",
        "http://bbs.example.cn/t/1?a=1&b=2",
        "查看事件:https://yq.example.gov.cn/events/7",
    ):
        assert expected in message.text


def test_dashboard_link_defaults_to_host_and_port(settings_factory):
    from yuqing.mail.event_view import event_url

    settings = settings_factory({"dashboard": {"host": "10.0.0.5", "port": 8060}})
    assert event_url(settings, 3) == "http://10.0.0.5:8060/events/3"


def test_warning_breach_and_escalation_texts(settings_factory):
    settings = _settings(settings_factory)
    view = _view()
    due = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    warning = messages.deadline_warning(view, "assess", due, 0.5, "舆情值班室", settings, NOW)
    assert (
        warning.subject.startswith("【时限预警·研判已用去50%】") and "舆情值班室:“研判”时限已用去 50%" in warning.text
    )
    assert "还剩 15分" in warning.text
    late = NOW + timedelta(minutes=35)
    breach = messages.breach_notice(view, "assess", due, "舆情值班室", settings, late).text
    assert "已超时 20分" in breach and "超时已记录在舆情值班室名下" in breach
    step = messages.escalation_notice(view, "publish", due, 2, "牵头单位(镇党政办)", "综治维稳办公室", settings, late)
    assert step.subject.startswith("【超时升级·第2级·发布权威信息】")
    assert (
        "综治维稳办公室未在时限内完成“发布权威信息”" in step.text and "第 2 级升级告知牵头单位(镇党政办)" in step.text
    )


def test_markdown_for_robots_cannot_inject_links(settings_factory):
    view = _view(title="点击[这里](http://evil.example/)领奖")
    markdown = messages.event_alert(view, _settings(settings_factory), NOW).markdown
    assert "](http://evil" not in markdown and "[查看事件](https://yq.example.gov.cn/events/7)" in markdown
