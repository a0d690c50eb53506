"""Headless Chromium for the dashboard's browser tests: the driver, waiting, logging in. A test module importing
this is skipped when chromium, chromedriver or selenium is missing; the `live` and `browser` fixtures are in
conftest.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dash_support import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("需要 chromium 与 chromedriver(apt-get install chromium chromium-driver)", allow_module_level=True)
pytest.importorskip("selenium", reason="需要 selenium(pip install -e '.[test]')")

from selenium import webdriver  # noqa: E402 - only when the browser is there
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT = 15


def start_browser(downloads: Path | None = None, height: int = 768):
    """Headless Chromium at the office screen size; with `downloads`, files are saved there without asking."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size=1366,{height}",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    if downloads is not None:
        options.add_experimental_option(
            "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
        )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    if downloads is not None:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(30)
    return driver


def until(driver, condition, timeout: float = WAIT):
    """Wait for `condition(driver)`; an element Dash re-renders between finding and reading it is looked for again
    (a stale reference is a moment of the page, not a failure)."""
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def wait_text(driver, css: str, text: str, timeout: float = WAIT) -> None:
    WebDriverWait(driver, timeout).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def log_in(driver, base: str, username: str) -> None:
    driver.get(base + "/")
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "username")))
    assert "/login" in driver.current_url
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-button").click()
    wait_text(driver, "#current-user", username)


def assert_no_alert(driver) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - touching the alert is the check
