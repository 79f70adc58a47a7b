"""The point of contact's pages on a phone and a desktop: no sideways scroll, no serious
accessibility problem, screenshots for review."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import DESKTOP, PHONE

SERIOUS = {"serious", "critical"}
PAGES = {
    "pipeline": "/pipeline",
    "board": "/plans/mongolia-nap5/board",
    "board-filtered": "/plans/mongolia-nap5/board?overdue=1",
    "figures": "/plans/mongolia-nap5/figures",
    "compare": "/figures?plan=mongolia-nap5&plan=mongolia-action-plan-2021-2023",
    "print": "/plans/mongolia-nap5/print",
    "import": "/import",
}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_monitor_pages_fit_and_are_accessible(person, output_dir, viewport):
    size = PHONE if viewport == "phone" else DESKTOP
    page = person("poc@example.org", viewport=size).page
    axe = Axe()
    problems = []
    for name, url in PAGES.items():
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > size["width"]:
            problems.append(f"{url} is {wide}px wide at {size['width']}px")
        page.screenshot(path=str(output_dir / f"monitor-{name}-{viewport}.png"), full_page=True)
        if viewport == "desktop":
            continue
        for v in axe.run(page).response["violations"]:
            if v["impact"] in SERIOUS:
                nodes = [n["target"] for n in v["nodes"][:3]]
                problems.append(f"{url}: {v['id']} ({v['impact']}) {v['help']} at {nodes}")
    assert not problems, "\n".join(problems)
