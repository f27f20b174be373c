"""Browser tests: Debian's Chromium driven by Playwright against the real server binary and a
real FerretDB, both started through tests/harness.py.

Each test module gets its own database and server (tests that stop the database start their
own), and each test a fresh browser context (its own localStorage).
"""

import os

import pytest
from playwright.sync_api import sync_playwright

import harness
from e2e_support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, SCREENSHOTS, Stack


@pytest.fixture(scope="session", autouse=True)
def _prerequisites():
    binary = harness.server_binary()
    if not os.access(binary, os.X_OK):
        pytest.exit(f"{binary} is missing: run `make build` first", returncode=2)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.exit(f"{CHROMIUM} is missing: run `scripts/deps.sh browser`", returncode=2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def stack(request):
    s = Stack("e2e_" + request.module.__name__.replace(".", "_"))
    yield s
    s.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report shows what its pages' browser saw go wrong: console errors,
    uncaught exceptions and failed requests (a module that never loaded says
    net::ERR_NETWORK_CHANGED or ERR_CONNECTION_RESET there, where a timeout says nothing)."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    lines = []
    for page in getattr(item, "pacman_pages", []):
        problems = page.console_errors + [f"request failed: {r}" for r in page.failed_requests]
        if problems:
            lines.append(f"{page.url}\n  " + "\n  ".join(problems))
    if lines:
        report.sections.append(("what the browser saw go wrong", "\n".join(lines)))


@pytest.fixture
def make_page(browser, request):
    """Opens pages in fresh contexts; collects console errors, uncaught exceptions and failed
    requests (shown when the test fails)."""
    contexts = []
    request.node.pacman_pages = []

    def open_page(url: str, before=None, **context_options):
        """`before(context)`, when given, runs before the page loads (to route requests)."""
        options = {"viewport": DESKTOP, **context_options}
        context = browser.new_context(**options)
        if before:
            before(context)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.failed_requests = []
        page.alerts = []
        request.node.pacman_pages.append(page)
        page.on("requestfailed", lambda r: page.failed_requests.append(f"{r.method} {r.url}: {r.failure}"))
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(f"uncaught: {e}"))

        def on_dialog(d):
            page.alerts.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url)
        page.wait_for_function("() => document.getElementById('pod-host').textContent !== '…'")
        return page

    yield open_page
    for c in contexts:
        c.close()
