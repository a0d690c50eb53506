"""The 来源 page's onboarding panel in headless Chromium: write a source, 试采 it against the demo sites, save it,
then pick it again, change it, 试采 and save the change."""

from __future__ import annotations

import pytest
from browser_support import WAIT, log_in, until, wait_text
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from yuqing.db.models import AddedSource, AuditLog
from yuqing.demo.sites import start_sites
from yuqing.source_registry import TEMPLATE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sites():
    with start_sites(port=0) as handle:
        yield handle


def _type_source(driver, text: str) -> None:
    box = driver.find_element(By.ID, "so-new-text")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def _save_enabled(driver) -> bool:
    return driver.find_element(By.ID, "so-save").is_enabled()


def test_admin_tries_saves_and_then_edits_a_source(live, browser, sites, seeded_app):
    base, _ = live
    app = seeded_app[0]
    log_in(browser, base, "admin")
    browser.get(base + "/sources")
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "so-new-text")))
    text = TEMPLATE.replace("http://127.0.0.1:8901", sites.base_url).replace('"new-source"', '"web-forum"')
    _type_source(browser, text)
    assert not _save_enabled(browser)  # nothing tried yet
    browser.find_element(By.ID, "so-try").click()
    wait_text(browser, "#so-try-result", "试采成功", timeout=90)
    assert "gb18030" in browser.find_element(By.ID, "so-try-result").text
    until(browser, lambda d: _save_enabled(d))
    browser.find_element(By.ID, "so-save").click()
    wait_text(browser, "#so-save-result", "已保存来源")

    # Picked again after a reload: its text is in the editor; a changed interval needs a new 试采 before 保存.
    browser.get(base + "/sources")
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "so-edit-pick")))
    browser.find_element(By.ID, "so-edit-pick").click()  # Dash 4: a button opening a listbox
    WebDriverWait(browser, WAIT).until(
        EC.element_to_be_clickable((By.XPATH, "//*[@role='option'][contains(., 'web-forum')]"))
    ).click()
    wait_text(browser, "#so-try-result", "正在修改来源 web-forum")
    box = browser.find_element(By.ID, "so-new-text")
    until(browser, lambda d: '"web-forum"' in box.get_attribute("value"))
    _type_source(browser, box.get_attribute("value").replace("interval = 300", "interval = 900"))
    assert not _save_enabled(browser)
    browser.find_element(By.ID, "so-try").click()
    wait_text(browser, "#so-try-result", "试采成功", timeout=90)
    until(browser, lambda d: _save_enabled(d))
    browser.find_element(By.ID, "so-save").click()
    wait_text(browser, "#so-save-result", "已保存对来源")
    assert app.settings.source("web-forum").interval == 900
    with app.db.read() as session:
        assert "interval = 900" in session.scalar(select(AddedSource.spec_text).where(AddedSource.name == "web-forum"))
        assert session.scalar(select(AuditLog.actor).where(AuditLog.action == "source_changed")) == "admin"
