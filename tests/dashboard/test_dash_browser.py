"""The pages in headless Chromium against the dashboard served by waitress on 127.0.0.1 (port 0)."""

from __future__ import annotations

import time

import pytest
from browser_support import WAIT, assert_no_alert, log_in, until, wait_text
from dash_support import XSS_CONTENT, XSS_TITLE
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser


def test_duty_officer_sees_overview_assesses_an_event_and_sees_the_audit_row(live, browser):
    base, data = live
    log_in(browser, base, "duty")
    wait_text(browser, "#ov-counts-table", "待研判")
    wait_text(browser, "#ov-urgent-table", "研判还剩")
    wait_text(browser, "#ov-urgent-table", "已超时")
    overdue = browser.find_element(By.CSS_SELECTOR, "#ov-urgent-table td.countdown.overdue")
    assert overdue.value_of_css_property("color") in ("rgba(198, 40, 40, 1)", "rgb(198, 40, 40)")
    browser.find_element(By.LINK_TEXT, "东园村卫生院夜间无人值班").click()
    wait_text(browser, "#ed-title", "东园村卫生院夜间无人值班")
    wait_text(browser, "#ed-deadlines", "研判")
    browser.find_element(By.CSS_SELECTOR, "#ed-assess-level input[value='2']").click()
    browser.find_element(By.ID, "ed-assess-comment").send_keys("浏览器测试:已核实")
    browser.find_element(By.ID, "ed-assess-submit").click()
    wait_text(browser, "#ed-assess-msg", "已完成研判")
    wait_text(browser, "#ed-audit", "浏览器测试:已核实")
    audit = browser.find_element(By.ID, "ed-audit").text
    assert "duty" in audit and "研判" in audit and "待研判 → 待回应" in audit


def test_validation_message_is_shown_in_chinese(live, browser):
    base, data = live
    log_in(browser, base, "duty")
    browser.get(f"{base}/events/{data.safety}")
    wait_text(browser, "#ed-title", "金沙村砂石厂塌方一人受伤")
    browser.find_element(By.XPATH, "//*[contains(@class,'tab') and normalize-space()='回应']").click()
    browser.find_element(By.ID, "ed-respond-submit").click()
    wait_text(browser, "#ed-respond-msg", "请填写发布渠道")


def test_office_user_cannot_open_another_offices_event(live, browser):
    base, data = live
    log_in(browser, base, "msfw")
    nav = browser.find_element(By.CSS_SELECTOR, ".nav").text
    assert "值班总览" in nav and "用户" not in nav and "趋势" not in nav
    browser.get(f"{base}/events/{data.safety}")
    wait_text(browser, "#_pages_content", "事件不存在或无权查看")
    assert "金沙村砂石厂" not in browser.find_element(By.TAG_NAME, "body").text
    browser.get(f"{base}/events/{data.medical}")
    wait_text(browser, "#ed-title", "东园村卫生院夜间无人值班")
    assert browser.find_elements(By.ID, "ed-assess-submit") == []  # offices answer; they do not assess


def test_crawled_markup_stays_inert_text(live, browser):
    base, data = live
    log_in(browser, base, "duty")
    wait_text(browser, "#ov-urgent-table", XSS_TITLE)
    browser.get(f"{base}/events/{data.xss}")
    wait_text(browser, "#ed-title", XSS_TITLE)
    wait_text(browser, "#ed-timeline", XSS_CONTENT)
    browser.find_element(By.XPATH, "//button[normalize-space()='查看证据']").click()
    wait_text(browser, "#ed-evidence-text", "<script>alert('snap')</script>")
    assert "13812345678" not in browser.find_element(By.ID, "ed-evidence-text").text
    browser.get(f"{base}/events")
    wait_text(browser, "#ev-grid", XSS_TITLE)
    time.sleep(1)
    assert_no_alert(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    assert not browser.execute_script("return Array.from(document.scripts).some(s => s.text.includes('alert('))")


def test_refresh_keeps_an_open_dialog_and_filters(live, browser):
    base, data = live
    log_in(browser, base, "duty")
    wait_text(browser, "#ov-mentions", "东园村卫生院夜间无人值班")
    wait_text(browser, "#ov-events", XSS_TITLE)
    browser.find_element(By.CSS_SELECTOR, "#ov-levels input[value='3']").click()  # hide level 3
    until(browser, lambda d: XSS_TITLE not in d.find_element(By.ID, "ov-events").text)
    time.sleep(0.5)  # let the refresh that the filter started finish replacing the lists
    browser.find_element(By.XPATH, "//button[normalize-space()='东园村卫生院夜间无人值班']").click()
    dialog = browser.find_element(By.ID, "ov-dialog")
    until(browser, lambda d: dialog.is_displayed())
    before = browser.find_element(By.ID, "ov-updated").text
    try:
        until(browser, lambda d: d.find_element(By.ID, "ov-updated").text != before, 12)
    except TimeoutException:  # pragma: no cover - the tick is every 5 s
        pytest.fail("总览没有自动刷新")
    assert dialog.is_displayed()
    assert not browser.find_element(By.CSS_SELECTOR, "#ov-levels input[value='3']").is_selected()
    assert XSS_TITLE not in browser.find_element(By.ID, "ov-events").text


def test_event_grid_lists_rows_and_a_click_opens_the_event(live, browser):
    base, data = live
    log_in(browser, base, "duty")
    browser.get(f"{base}/events")
    wait_text(browser, "#ev-grid", "金沙村砂石厂塌方一人受伤")
    wait_text(browser, "#ev-count", "共 3 起")
    rows = browser.find_elements(By.CSS_SELECTOR, "#ev-grid .ag-center-cols-container .ag-row")
    assert len(rows) == 3
    browser.find_element(By.XPATH, "//div[@col-id='title' and normalize-space()='金沙村砂石厂塌方一人受伤']").click()
    wait_text(browser, "#ed-title", "金沙村砂石厂塌方一人受伤")
    assert browser.current_url.endswith(f"/events/{data.safety}")
    problems = [entry["message"] for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert not [p for p in problems if "getRowId" in p or "Duplicate node id" in p], problems


def test_duty_queue_bulk_assesses_the_selected_level_3_and_4_events(live, browser, seeded_app):
    base, data = live
    app = seeded_app[0]
    from dash_support import add_event as seed_event

    from yuqing.timeutil import utcnow

    with app.db.write() as session:
        lamp = seed_event(session, app.settings, title="柔新村路灯又坏了", topic="urban", level=4, detected=utcnow())
        lamp_id = lamp.id
    log_in(browser, base, "duty")
    browser.find_element(By.LINK_TEXT, "待研判").click()
    wait_text(browser, "#q-grid", "柔新村路灯又坏了")
    wait_text(browser, "#q-count", "共 3 起")
    titles = [
        cell.text
        for cell in browser.find_elements(By.CSS_SELECTOR, "#q-grid .ag-center-cols-container div[col-id='title']")
    ]
    assert titles[0] == "东园村卫生院夜间无人值班"  # the nearest 研判 deadline first
    browser.find_element(By.CSS_SELECTOR, "#q-grid .ag-header-select-all input").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#q-grid .ag-center-cols-container .ag-row-selected")) == 2
    )
    browser.find_element(By.ID, "q-assess").click()
    wait_text(browser, "#q-msg", "按建议研判:已处理 2 起")
    wait_text(browser, "#q-count", "共 1 起")
    with app.db.read() as session:
        from yuqing.db.models import Event

        assert {session.get(Event, i).status for i in (lamp_id, data.xss)} == {"assessed"}
        assert session.get(Event, data.medical).status == "detected"  # level 1: one by one, never in bulk


def test_deadline_at_80_percent_raises_the_banner_and_the_sound(live, browser, seeded_app):
    base, data = live
    app = seeded_app[0]
    log_in(browser, base, "duty")
    wait_text(browser, "#ov-counts-table", "待研判")
    time.sleep(6)  # the first look has been taken: what comes now is announced
    assert "时限提醒" not in browser.find_element(By.ID, "alert-banner").text
    from datetime import timedelta

    from sqlalchemy import update

    from yuqing.db.models import Deadline
    from yuqing.timeutil import utcnow

    with app.db.write() as session:  # the medical event's 研判: 25 of its 30 minutes used
        session.execute(
            update(Deadline)
            .where(Deadline.event_id == data.medical, Deadline.stage == "assess")
            .values(starts_at=utcnow() - timedelta(minutes=25), due_at=utcnow() + timedelta(minutes=5))
        )
    wait_text(browser, "#alert-banner", "时限提醒:1 个已用去 80% 以上,0 个已超时", timeout=20)
    assert "东园村卫生院夜间无人值班" in browser.find_element(By.ID, "alert-banner").text
    WebDriverWait(browser, WAIT).until(
        lambda d: d.execute_script("return document.body.classList.contains('alert-flash')")
    )
    # the sound handler ran for this deadline (it writes the keys it played for)
    played = browser.execute_script("return document.getElementById('alert-dummy').textContent")
    assert played.startswith("d") and played.endswith(":warn")


def test_report_button_builds_this_months_report_and_lists_its_files(live, browser):
    base, _ = live
    log_in(browser, base, "leader")
    browser.find_element(By.LINK_TEXT, "报告").click()
    wait_text(browser, "#_pages_content", "尚未生成报告")
    browser.find_element(By.ID, "rp-build").click()
    wait_text(browser, "#rp-build-msg", "已生成《东园镇", timeout=60)
    wait_text(browser, "#rp-table", "本期未结束")
    files = [button.text for button in browser.find_elements(By.CSS_SELECTOR, "#rp-table button")]
    assert any(name.endswith(".docx") for name in files) and any(name.endswith(".xlsx") for name in files)


def test_duty_officer_corrects_a_mention_from_the_event_page(live, browser, seeded_app):
    from sqlalchemy import select

    from yuqing.db.models import Label, Mention

    base, data = live
    app = seeded_app[0]
    with app.db.read() as session:
        first, repost = session.scalars(
            select(Mention.id).where(Mention.event_id == data.medical).order_by(Mention.id)
        ).all()
    log_in(browser, base, "duty")
    browser.get(f"{base}/events/{data.medical}")
    wait_text(browser, "#ed-timeline", "东园村卫生院夜间无人值班(转帖)")
    wait_text(browser, "#ed-timeline", "领域:就医")
    # the mention's 纠正 button fills the correction form and shows it
    browser.find_element(
        By.XPATH, f"//li[.//span[@class='mention-id' and text()='#{first}']]//button[normalize-space()='纠正']"
    ).click()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "ed-correct-id").get_attribute("value") == f"#{first}"
    )
    browser.find_element(By.ID, "ed-correct-topic").click()
    browser.find_element(By.XPATH, "//*[@role='option' and contains(normalize-space(), '社会保障与救助')]").click()
    browser.find_element(By.ID, "ed-correct-comment").send_keys("浏览器测试:说的是低保")
    browser.find_element(By.ID, "ed-correct-submit").click()
    wait_text(browser, "#ed-correct-msg", "已纠正该信息")
    wait_text(browser, "#ed-audit", "浏览器测试:说的是低保")
    audit = browser.find_element(By.ID, "ed-audit").text
    assert "纠正信息" in audit and "就医 → 社会保障与救助" in audit
    wait_text(browser, "#ed-timeline", "领域:社会保障与救助")
    # the repost is not about this matter at all: out of the event
    browser.find_element(
        By.XPATH, f"//li[.//span[@class='mention-id' and text()='#{repost}']]//button[normalize-space()='纠正']"
    ).click()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "ed-correct-id").get_attribute("value") == f"#{repost}"
    )
    browser.find_element(By.CSS_SELECTOR, "#ed-correct-kind input[value='not_relevant']").click()
    browser.find_element(By.ID, "ed-correct-submit").click()
    try:
        wait_text(browser, "#ed-audit", "移出信息")
    except TimeoutException:  # pragma: no cover - say what the form said
        pytest.fail(browser.find_element(By.ID, "ed-correct-msg").text)
    until(browser, lambda d: "(转帖)" not in d.find_element(By.ID, "ed-timeline").text)
    with app.db.read() as session:
        rows = set(session.execute(select(Label.mention_id, Label.field, Label.after).where(Label.target == "mention")))
        assert rows == {(first, "topic", "social_security"), (repost, "relevant", "False")}


def test_office_clerk_reads_the_inbox_and_marks_an_alert_read(live, browser, seeded_app):
    from yuqing.mail.outbox import enqueue

    base, _ = live
    app = seeded_app[0]
    with app.db.write() as session:
        enqueue(session, kind="alert", recipients=["msfw@example.gov.cn"], subject="浏览器测试提醒", body_text="请核实")
    log_in(browser, base, "msfw")
    browser.find_element(By.LINK_TEXT, "收件箱").click()
    wait_text(browser, "#ib-list", "浏览器测试提醒")
    item = "//li[.//b[normalize-space()='浏览器测试提醒']]"
    assert browser.find_element(By.XPATH, item).text.startswith("未读")
    before = browser.find_element(By.ID, "ib-count").text
    browser.find_element(By.XPATH, item + "//button[normalize-space()='标记已读']").click()
    wait_text(browser, "#ib-msg", "已将 1 条标记为已读")
    until(browser, lambda d: d.find_element(By.XPATH, item).text.startswith("已读"))
    assert browser.find_element(By.ID, "ib-count").text != before
    first = browser.find_element(By.CSS_SELECTOR, "#ib-items > li").text
    assert first.startswith("未读") or "浏览器测试提醒" in first  # unread first


def test_admin_previews_a_monitoring_scheme_then_saves_it(live, browser, seeded_app):
    base, _ = live
    log_in(browser, base, "admin")
    browser.get(base + "/schemes")
    wait_text(browser, "#sc-table", "东园镇")
    save = browser.find_element(By.ID, "sc-save")
    browser.find_element(By.ID, "sc-name").send_keys("供水")
    event = browser.find_element(By.ID, "sc-event")
    event.send_keys("自来水|(停水")
    browser.find_element(By.ID, "sc-preview").click()
    wait_text(browser, "#sc-errors", "事件词")
    assert "第 5 个字符" in browser.find_element(By.ID, "sc-errors").text
    assert browser.find_element(By.CSS_SELECTOR, "#sc-errors mark.sc-error-at").text == "("
    assert not save.is_enabled()
    event.send_keys(")")
    browser.find_element(By.ID, "sc-preview").click()
    wait_text(browser, "#sc-preview-result", "该方案命中 2 条")
    wait_text(browser, "#sc-preview-result", XSS_TITLE)  # the crawled title shown as text
    assert browser.find_elements(By.CSS_SELECTOR, "#sc-preview-result script") == []
    assert_no_alert(browser)
    until(browser, lambda d: d.find_element(By.ID, "sc-save").is_enabled())
    browser.find_element(By.ID, "sc-comment").send_keys("供水专项")
    save.click()
    wait_text(browser, "#sc-save-msg", "已保存监测方案“供水”(第 1 版)")
    wait_text(browser, "#sc-table", "页面新建")
    wait_text(browser, "#sc-history", "新建")
    assert "供水专项" in browser.find_element(By.ID, "sc-history").text
    assert "供水" in [scheme.name for scheme in seeded_app[0].settings.schemes]  # in force without restart
    # An edit needs a new preview before it can be saved.
    until(browser, lambda d: d.find_element(By.ID, "sc-event").get_attribute("value"))
    browser.find_element(By.ID, "sc-event").send_keys("|断水")
    until(browser, lambda d: not d.find_element(By.ID, "sc-save").is_enabled())
    browser.find_element(By.ID, "sc-toggle").click()
    wait_text(browser, "#sc-toggle-msg", "已停用监测方案“供水”(第 2 版)")
    wait_text(browser, "#sc-table", "停用")


def test_a_user_saves_a_filter_picks_it_makes_it_default_and_deletes_it(live, browser, seeded_app):
    from selenium.webdriver.common.keys import Keys
    from sqlalchemy import select

    from yuqing.db.models import SavedFilter

    base, _ = live
    log_in(browser, base, "duty")
    browser.get(f"{base}/events")
    wait_text(browser, "#ev-count", "共 3 起")
    search = browser.find_element(By.ID, "ev-text")
    search.send_keys("卫生院", Keys.ENTER)
    wait_text(browser, "#ev-count", "共 1 起")
    browser.find_element(By.ID, "ev-save-name").send_keys("卫生院的事")
    browser.find_element(By.ID, "ev-save").click()
    wait_text(browser, "#ev-saved-msg", "已保存筛选“卫生院的事”")
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(Keys.BACK_SPACE, Keys.ENTER)
    wait_text(browser, "#ev-count", "共 3 起")
    browser.find_element(By.ID, "ev-saved").click()  # pick it again from 我的筛选
    WebDriverWait(browser, WAIT).until(
        EC.element_to_be_clickable((By.XPATH, "//*[@role='option' and normalize-space()='卫生院的事']"))
    ).click()
    wait_text(browser, "#ev-count", "共 1 起")
    assert browser.find_element(By.ID, "ev-text").get_attribute("value") == "卫生院"
    browser.find_element(By.ID, "ev-default").click()
    wait_text(browser, "#ev-saved-msg", "已将“卫生院的事”设为默认筛选")
    browser.execute_script("window.sessionStorage.clear()")  # a new day: nothing kept from this session
    browser.get(f"{base}/events")
    wait_text(browser, "#ev-count", "共 1 起")  # the default applies on opening
    assert browser.find_element(By.ID, "ev-text").get_attribute("value") == "卫生院"
    wait_text(browser, "#ev-saved", "卫生院的事(默认)")
    app = seeded_app[0]
    with app.db.read() as session:
        rows = session.scalars(select(SavedFilter)).all()
        assert [(row.name, row.is_default, row.criteria["text"]) for row in rows] == [("卫生院的事", True, "卫生院")]
    browser.find_element(By.ID, "ev-delete").click()
    wait_text(browser, "#ev-saved-msg", "已删除筛选“卫生院的事”")
    with app.db.read() as session:
        assert session.scalars(select(SavedFilter)).all() == []
    log_in_again = browser.find_element(By.ID, "ev-saved").text
    assert "卫生院的事" not in log_in_again


def test_duty_officer_confirms_a_messages_topic_in_the_review_queue(live, browser, seeded_app):
    base, _ = live
    app = seeded_app[0]
    log_in(browser, base, "duty")
    browser.find_element(By.LINK_TEXT, "分类复核").click()
    wait_text(browser, "#rv-basis", "随机抽样")
    wait_text(browser, "#rv-count", "列出最值得复核的")
    before = browser.find_element(By.ID, "rv-count").text
    rows = browser.find_elements(By.CSS_SELECTOR, "#rv-grid .ag-center-cols-container .ag-row")
    first_id = int(rows[0].get_attribute("row-id"))
    rows[0].find_element(By.CSS_SELECTOR, "input[type='checkbox']").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rv-grid .ag-center-cols-container .ag-row-selected")) == 1
    )
    browser.find_element(By.ID, "rv-confirm").click()
    wait_text(browser, "#rv-msg", "已确认原领域 1 条")
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "rv-count").text != before)
    from sqlalchemy import select

    from yuqing.db.models import Label, Mention

    with app.db.read() as session:
        topic = session.get(Mention, first_id).topic
        label = session.execute(select(Label.before, Label.after).where(Label.mention_id == first_id)).one()
    assert tuple(label) == (topic, topic)
    assert not browser.find_elements(By.CSS_SELECTOR, f"#rv-grid .ag-row[row-id='{first_id}']")
