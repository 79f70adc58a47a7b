"""Main pages on a phone and a desktop: no sideways scroll, no serious accessibility problem,
screenshots for review, and the drafting pages in Mongolian."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import DESKTOP, PHONE

SERIOUS = {"serious", "critical"}
CYRILLIC = re.compile("[\u0400-\u04ff]")


def main_pages(page) -> dict[str, str]:
    """Return the main pages a signed-in drafter sees, by name (commitments found on the index)."""
    page.goto("/")
    links = page.locator("a[href^='/commitments/']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    ids = sorted({int(re.search(r"\d+", href).group()) for href in links})
    draft = page.locator("tr", has_text="Draft").locator("a[href^='/commitments/']").first
    draft_id = int(re.search(r"\d+", draft.get_attribute("href")).group())
    return {
        "index": "/",
        "my-work": "/my-work",
        "commitment-completed": f"/commitments/{ids[0]}",
        "commitment-implementation": f"/commitments/{ids[1]}",
        "commitment-draft": f"/commitments/{draft_id}",
        "edit-draft": f"/commitments/{draft_id}/edit",
        "new-commitment": "/plans/1/commitments/new",
        "compare": f"/commitments/{ids[0]}/compare",
    }


@pytest.fixture(scope="module")
def pages(chromium, live_server):
    from .conftest import Person

    drafter = Person(chromium, live_server, "drafter@example.org")
    found = main_pages(drafter.page)
    drafter.close()
    return found


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_main_pages_fit_are_accessible_and_are_photographed(person, pages, output_dir, viewport):
    size = PHONE if viewport == "phone" else DESKTOP
    page = person("drafter@example.org", viewport=size).page
    axe = Axe()
    problems = []
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > size["width"]:
            problems.append(f"{url} is {wide}px wide at {size['width']}px")
        page.screenshot(path=str(output_dir / f"{name}-{viewport}.png"), full_page=True)
        if viewport == "desktop":
            continue
        for v in axe.run(page).response["violations"]:
            if v["impact"] in SERIOUS:
                nodes = [n["target"] for n in v["nodes"][:3]]
                problems.append(f"{url}: {v['id']} ({v['impact']}) {v['help']} at {nodes}")
    assert not problems, "\n".join(problems)


def test_drafting_pages_speak_mongolian(person, pages):
    page = person("drafter@example.org", locale="mn-MN").page
    page.goto("/")
    page.locator(".language-switch button[value=mn]").click()  # remembered for the account
    page.wait_for_load_state()
    page.goto(pages["new-commitment"])
    assert page.locator("html").get_attribute("lang") == "mn"
    heading = page.locator("h1").inner_text()
    assert heading and heading != "New commitment"
    assert CYRILLIC.search(heading), heading
    page.goto(pages["edit-draft"])
    save = page.locator("button[value=save]").inner_text()
    assert save != "Save the draft" and CYRILLIC.search(save), save
    # The guard reasons are in Mongolian too.
    blockers = page.locator(".blockers li")
    if blockers.count():
        assert CYRILLIC.search(blockers.first.inner_text())
    page.locator(".language-switch button[value=en]").click()  # leave the account as it was
    page.wait_for_load_state()
