"""Every admin page each demo role can reach, in a real browser: no English UI text, no parameter
keys, no true/false/None, no internal references. Screenshots go to test-results/crawler/."""

import io

import pytest
from django.core.management import call_command

from core.models import User
from devdata.registry import demo_password
from tests.e2e.conftest import login
from tests.e2e.pages import offending_text, reachable_pages

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["cun_dongping", "xiang_mingde", "xian_xifeng", "shi_tieling"]
# The parameter pages are county staff's settings: keys and sources are what they configure.
KEYS_ALLOWED = ("/admin/programs/parameter/", "/admin/programs/parameter/add/")


DOWNLOADS = ("/template/", "/download/", "/error-report/")


def keys_allowed(url: str) -> bool:
    tail = url.removeprefix("/admin/programs/parameter/")
    return url in KEYS_ALLOWED or (
        url.startswith("/admin/programs/parameter/") and tail.split("/")[0].isdigit()
    )


def test_every_page_each_demo_role_can_reach_is_chinese_only(browser, live_server, artifacts):
    call_command("load_demo", "--households", "80", stdout=io.StringIO())
    usernames = set(User.objects.values_list("username", flat=True))
    shots = artifacts / "crawler"
    shots.mkdir(exist_ok=True)
    problems, visited = [], 0
    for username in ROLES:
        user = User.objects.get(username=username)
        page = login(browser, live_server, username, demo_password(username))
        # Text is all the crawler reads: skip images and fonts.
        page.route("**/*.{png,jpg,gif,svg,woff,woff2,ttf}", lambda route: route.abort())
        for url in ["/admin/", *reachable_pages(user)]:
            if any(word in url for word in DOWNLOADS):
                continue
            response = page.goto(live_server.url + url, wait_until="domcontentloaded")
            visited += 1
            if response.status >= 500:
                problems.append(f"{username} {url}: HTTP {response.status}")
                continue
            text = page.inner_text("body") + "\n" + page.title()
            if keys_allowed(url):
                continue
            bad = offending_text(text, allowed=usernames)
            if bad:
                name = url.strip("/").replace("/", "_") or "home"
                page.screenshot(path=str(shots / f"{username}-{name}.png"), full_page=True)
                problems.append(f"{username} {url}: {', '.join(bad[:12])}")
        page.screenshot(path=str(shots / f"{username}-last.png"))
        page.context.close()
    assert visited > 100
    assert problems == []
