"""The 专题报告 panel of the event page in headless Chromium: the Word and print downloads, and a bad cut-off."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from browser_support import WAIT, assert_no_alert, log_in, start_browser, wait_text
from docx import Document
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser


@pytest.fixture
def downloads(tmp_path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads):
    """Headless Chromium that saves downloads into `downloads` without asking."""
    driver = start_browser(downloads, height=900)
    yield driver
    driver.quit()


def wait_file(folder: Path, suffix: str, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if found:
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"no {suffix} downloaded: {list(folder.iterdir())}")


def open_topic_panel(browser, base, user: str, event_id: int, title: str) -> None:
    """Log in, open the event page and scroll its 专题报告 panel into view."""
    log_in(browser, base, user)
    browser.get(f"{base}/events/{event_id}")
    wait_text(browser, "#ed-title", title)
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "ed-topic"))


def test_duty_officer_downloads_the_topic_report_from_the_event_page(live, browser, downloads):
    base, data = live
    open_topic_panel(browser, base, "duty", data.safety, "金沙村砂石厂塌方一人受伤")
    browser.find_element(By.ID, "ed-topic-docx").click()
    wait_text(browser, "#ed-topic-msg", "已生成《关于“金沙村砂石厂塌方一人受伤”的专题报告》", timeout=WAIT * 4)
    docx = wait_file(downloads, ".docx")
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "金沙村砂石厂塌方一人受伤" in text and "二、溯源" in text and "七、研判建议" in text
    browser.find_element(By.ID, "ed-topic-html").click()
    page = wait_file(downloads, ".html").read_text(encoding="utf-8")
    assert "<h2>三、传播脉络</h2>" in page and "@page" in page


def test_office_user_sees_the_panel_on_its_own_event_and_a_bad_cutoff_is_explained(live, browser, downloads):
    base, data = live
    open_topic_panel(browser, base, "msfw", data.medical, "东园村卫生院夜间无人值班")
    field = browser.find_element(By.ID, "ed-topic-until")
    field.send_keys("2026/12/01")
    browser.find_element(By.ID, "ed-topic-docx").click()
    wait_text(browser, "#ed-topic-msg", "统计截止时间格式应为 YYYY-MM-DD HH:MM", timeout=WAIT * 4)
    assert not list(downloads.iterdir())
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)  # empty: as of now
    browser.find_element(By.ID, "ed-topic-docx").click()
    wait_text(browser, "#ed-topic-msg", "可在“报告”页再次下载", timeout=WAIT * 4)
    wait_file(downloads, ".docx")
    # The office finds it on 报告, which shows it only its own events' topic reports.
    browser.find_element(By.LINK_TEXT, "报告").click()
    wait_text(browser, "#rp-table", "东园村卫生院夜间无人值班")
    row = browser.find_element(By.CSS_SELECTOR, "#rp-table tr.rp-topic-row")
    assert "截至 " in row.text and "msfw用户" in row.text
    assert not browser.find_elements(By.ID, "rp-build")  # the town's monthly report is not theirs to build


def test_leader_finds_the_topic_report_made_on_an_event_page_again_on_the_reports_page(
    live, browser, downloads, seeded_app
):
    from dash_support import XSS_TITLE
    from sqlalchemy import select

    from yuqing.db.models import AuditLog, Report

    app, _ = seeded_app
    base, data = live
    open_topic_panel(browser, base, "leader", data.xss, "郭滩村村民反映自来水浑浊")
    browser.find_element(By.ID, "ed-topic-docx").click()
    wait_text(browser, "#ed-topic-msg", "可在“报告”页再次下载", timeout=WAIT * 4)
    made_here = wait_file(downloads, ".docx")

    browser.get(f"{base}/reports")
    wait_text(browser, "#rp-table", "专题报告")
    row = browser.find_element(By.CSS_SELECTOR, "#rp-table tr.rp-topic-row")
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "专题报告" and cells[1] == XSS_TITLE  # the markup shown as text, not run
    assert cells[2].startswith("截至 ") and cells[3] == "leader用户"
    assert not row.find_elements(By.TAG_NAME, "script") and not row.find_elements(By.TAG_NAME, "img")
    assert_no_alert(browser)
    assert row.find_element(By.TAG_NAME, "a").get_attribute("href").endswith(f"/events/{data.xss}")

    kept = made_here.rename(downloads.parent / made_here.name)
    row.find_element(By.XPATH, ".//button[text()='下载 Word']").click()
    again = wait_file(downloads, ".docx")
    assert again.name == kept.name and again.read_bytes() == kept.read_bytes()
    # The print page was never made from the event page: it is written now, from the recorded cut-off.
    row.find_element(By.XPATH, ".//button[starts-with(text(), '打印版')]").click()
    page = wait_file(downloads, ".html").read_text(encoding="utf-8")
    assert "<h2>三、传播脉络</h2>" in page and "@page" in page

    with app.db.read() as session:
        (report,) = session.scalars(select(Report).where(Report.kind == "topic")).all()
        assert report.event_id == data.xss and report.created_by == "leader"
        assert sorted(path.rsplit(".", 1)[1] for path in report.files) == ["docx", "html"]
        actions = [
            (a.actor, a.action)
            for a in session.scalars(select(AuditLog).where(AuditLog.entity == "export").order_by(AuditLog.id))
        ]
    assert actions == [("leader", "topic_report"), ("leader", "report_download"), ("leader", "report_download")]
