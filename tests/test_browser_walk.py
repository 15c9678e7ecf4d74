"""Every page a demo persona reaches from the menu, in Chromium on a desktop and a phone (issue 13).

Each persona of the demo county logs in, opens every menu entry and, from each of those pages, the
first link of every kind of page it offers (one person, one round, one unit …). On each page, at
1366×768 and at 390×844: no 4xx or 5xx answer, no console error, nothing wider than the screen, and
no English word or raw code in what the page shows. A screenshot of every page is kept in the folder
the run prints (``var/browser-walk`` unless FANGKONG_WALK_DIR says otherwise): look at them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from conftest import TODAY
from fangkong.core import clock
from fangkong.demo.builder import DEMO_PASSWORD, DemoBuilder
from fangkong.people.models import ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": (1366, 768), "phone": (390, 844)}
PAGES_PER_PERSONA = 32
# Links that change something, leave the app or download a file are not walked.
SKIP = re.compile(r"^/(logout|admin|api|static|media)/|\.(xlsx|csv|pdf|json|yaml)$|/export")
# A page kind: the path with its numbers and barcodes replaced.
KIND = re.compile(r"/[^/]*\d[^/]*(?=/)")
# Words a Chinese page may show in Latin letters: units, standard abbreviations, the product name.
ALLOWED = {
    "Fangkong",
    "ID",
    "Ct",
    "PCR",
    "QR",
    "Excel",
    "CSV",
    "xlsx",
    "csv",
    "API",
    "English",
    "Dorfman",
}
ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")
# Codes a person should never read: unit codes (T1V1G1), plan slugs, snake_case kinds.
RAW_CODE = re.compile(r"\b(?:[A-Z]+\d+[A-Z]+\d*[A-Z\d-]*|P\d\d-[a-z-]+|[a-z]+_[a-z_]+)\b")


def walk_folder() -> Path:
    folder = Path(os.environ.get("FANGKONG_WALK_DIR", settings.VAR_DIR / "browser-walk"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo_accounts(reference_data: None) -> Iterator[list[str]]:
    accounts = [account.username for account in DemoBuilder(people=200).build(TODAY.date())]
    # The live server reads the shared clock, as `fangkong demo` sets it: pages show the demo's day.
    clock.clock_set(TODAY)
    yield accounts
    clock.clock_set(None)


def _names_people_typed() -> set[str]:
    """Latin words people chose themselves: login names and the names of uploaded files."""
    typed = list(User.objects.values_list("username", flat=True))
    typed += ImportJob.objects.values_list("file_name", flat=True)
    return {word for text in typed for word in re.split(r"[^A-Za-z]+", text) if word}


def _page_problems(page, screen: str, typed: set[str]) -> list[str]:
    """What is wrong with the page shown: too wide for the screen, English or codes shown (words
    people typed themselves aside)."""
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > SCREENS[screen][0]:
        problems.append(f"{width} px wide")
    text = page.evaluate("document.body.innerText")
    english = sorted({w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED and w not in typed})
    if english:
        problems.append(f"English: {' '.join(english[:12])}")
    codes = sorted(set(RAW_CODE.findall(text)))
    if codes:
        problems.append(f"codes: {' '.join(codes[:12])}")
    return problems


def _walk(browser, base: str, username: str, folder: Path) -> list[str]:
    problems: list[str] = []
    contexts = {
        screen: browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
        for screen, (w, h) in SCREENS.items()
    }
    pages = {screen: context.new_page() for screen, context in contexts.items()}
    console: list[str] = []
    for screen, page in pages.items():
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda message, s=screen: (
                console.append(f"{s}: {message.text}") if message.type == "error" else None
            ),
        )
        page.goto(f"{base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
    typed = _names_people_typed()
    desktop = pages["desktop"]
    menu = desktop.eval_on_selector_all("nav a[href]", "links => links.map(a => a.pathname)")
    todo = ["/"] + [path for path in menu if not SKIP.search(path)]
    seen_kinds: set[str] = set()
    walked: list[str] = []
    while todo and len(walked) < PAGES_PER_PERSONA:
        path = todo.pop(0)
        kind = KIND.sub("/N", path)
        if path in walked or kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        walked.append(path)
        for screen, page in pages.items():
            console.clear()
            answer = page.goto(base + path)
            status = answer.status if answer else 0
            shot = folder / f"{username}{path.replace('/', '_')}-{screen}.png"
            where = f"{username} {screen} {path}"
            if status >= 400:
                page.screenshot(path=str(shot))
                problems.append(f"{where}: answered {status}")
                continue
            # Panels that fetch their data (the chain graph, the command map) say data-state
            # "loading" until drawn: the screenshot shows them drawn, and a failed one is a problem.
            page.wait_for_function("!document.querySelector('[data-state=loading]')")
            page.screenshot(path=str(shot))
            if page.query_selector("[data-state=failed]"):
                problems.append(f"{where}: a panel failed to load its data")
            problems += [f"{where}: {p}" for p in _page_problems(page, screen, typed)]
            problems += [f"{where}: console {c}" for c in console]
        # The links this page offers: one of each kind is walked after the menu's pages.
        for href in desktop.eval_on_selector_all(
            "main a[href], .container a[href]", "links => links.map(a => a.href)"
        ):
            parts = urlsplit(href)
            if parts.netloc == urlsplit(base).netloc and not SKIP.search(parts.path):
                todo.append(parts.path)
    for context in contexts.values():
        context.close()
    return problems


def test_every_page_of_every_persona_on_a_desktop_and_a_phone(browser, live_server, demo_accounts):
    # given the demo county and its personas
    folder = walk_folder()
    # when each of them walks every page the menu leads to, on a desktop and on a phone
    problems: list[str] = []
    for username in demo_accounts:
        problems += _walk(browser, live_server.url, username, folder)
    print(f"\nbrowser walk screenshots: {folder}")
    # then every page answers, fits the screen and speaks Chinese
    assert not problems, "\n".join(problems)
