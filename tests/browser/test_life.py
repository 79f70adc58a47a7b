"""The whole life of a commitment, each person in a browser context of their own."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def press(page: Page, action: str, comment: str | None = None) -> None:
    """Fill the comment of an action's form, if any, and press its button."""
    form = page.locator("form.event", has=page.get_by_role("button", name=action, exact=True))
    if comment is not None:
        form.locator("textarea").fill(comment)
    form.get_by_role("button", name=action, exact=True).click()
    page.wait_for_load_state()


def stage(page: Page) -> str:
    return page.locator("dl dd strong").first.inner_text()


def test_the_life_of_a_commitment(person, live_server, tmp_path):
    drafter = person("drafter@example.org")
    d = drafter.page
    d.goto("/")
    d.get_by_role("link", name="Draft a new commitment").first.click()
    d.fill("#f-title", "Open the mining licence register")
    d.get_by_role("button", name="Save the draft").click()
    expect(d.locator(".notice[role=status]")).to_contain_text("The draft is saved")
    # The blockers are shown before submitting, in words.
    expect(d.locator(".blockers").first).to_contain_text("The problem it addresses is empty")

    d.fill("#f-problem", "Licence holders are not known to the public.")
    d.fill("#f-description", "Publish every licence with its holder.")
    d.fill("#f-how_it_solves", "People can see who mines where.")
    d.fill("#f-lead_agency", "Mineral Resources Authority")
    d.fill("#f-expected_results", "A public register, updated weekly.")
    d.check("#ogp-access_to_information")
    # Milestones without JavaScript: add two, fill them, swap them, remove one, add it back.
    d.get_by_role("button", name="Add a milestone").click()
    d.fill("#milestones-0-description", "Second: open data portal")
    d.get_by_role("button", name="Add a milestone").click()
    d.fill("#milestones-1-description", "First: legal basis")
    d.fill("#milestones-1-start_date", "2025-01-01")
    d.fill("#milestones-1-end_date", "2025-03-31")
    d.locator("#milestone-2").get_by_role("button", name=re.compile("Move up")).click()
    expect(d.locator("#milestones-0-description")).to_have_value("First: legal basis")
    expect(d.locator("#f-problem")).to_have_value("Licence holders are not known to the public.")
    d.fill("#milestones-1-start_date", "2025-03-01")
    d.fill("#milestones-1-end_date", "2025-02-01")  # ends before it starts: refused by the parser
    d.get_by_role("button", name="Save the draft").click()
    expect(d.locator("#milestones-1-end_date-error")).to_be_visible()
    expect(d.locator("#milestones-1-description")).to_have_value("Second: open data portal")
    d.fill("#milestones-1-end_date", "2025-12-31")
    d.get_by_role("button", name="Save the draft").click()
    expect(d.locator(".notice[role=status]")).to_contain_text("Saved")
    expect(d.locator(".blockers")).to_have_count(0)
    d.get_by_role("link", name=re.compile("Commitment \\d+")).click()
    url = d.url
    press(d, "Submit for review")
    assert stage(d) == "Civil-society review"

    cso = person("cso2@example.org").page
    cso.goto(url)
    cso.select_option("#comment-field", "problem")
    cso.fill("#comment-body", "Say which licences: exploration, mining, or both?")
    cso.get_by_role("button", name="Send the comment").click()
    expect(cso.locator(".notice[role=status]")).to_contain_text("Your comment is saved")
    press(cso, "Request changes", "Please answer the comment on the problem.")
    assert stage(cso) == "Draft"

    d.goto(url)
    d.get_by_role("link", name="Edit the draft and answer comments").click()
    comment = d.locator(".field-comment").first
    expect(comment).to_contain_text("exploration, mining, or both")
    d.fill("#f-problem", "Holders of exploration and mining licences are not known.")
    outcome = comment.locator("select")
    outcome.select_option("adopted")
    comment.locator("textarea").fill("Both kinds, now said in the problem.")
    d.get_by_role("button", name="Save the draft").click()
    expect(d.locator(".notice[role=status]")).to_contain_text("Saved")
    d.goto(url)
    expect(d.locator(".response")).to_contain_text("Both kinds")
    press(d, "Submit for review")

    cso.goto(url)
    cso.get_by_role("button", name="Compare").click()
    expect(cso.locator("ins").first).to_be_visible()
    cso.goto(url)
    press(cso, "Endorse")
    assert stage(cso) == "Forum vote (MSF approval)"

    voters = [
        ("msf-gov1@example.org", "Approve"),
        ("msf-gov2@example.org", "Approve"),
        ("msf-cso1@example.org", "Abstain"),
        ("msf-cso2@example.org", "Approve"),
    ]
    for i, (email, decision) in enumerate(voters):
        v = person(email).page
        v.goto("/my-work")
        v.get_by_role("link", name=re.compile("Open the mining licence register")).click()
        # Some members read the pages in Mongolian: find the form's parts by what they are.
        v.check(f"#vote-{decision.lower()}")
        v.fill("#vote-comment", f"{decision}: the register is overdue.")
        v.locator("form.vote button[type=submit]").click()
        expect(v.locator(".notice[role=status]")).to_be_visible()
        if i == 2:
            expect(v.locator(".needs")).to_contain_text(
                "One more approval from the civil society side"
            )
    assert stage(v) == "Government sign-off"
    expect(v.locator(".decided")).to_contain_text("approved by the forum")

    signatory = person("signatory@example.org").page
    signatory.goto(url)
    press(signatory, "Sign off")
    assert stage(signatory) == "Implementation"

    implementer = person("implementer@example.org").page
    implementer.goto(url)
    implementer.get_by_role("link", name="Write a progress report").click()
    implementer.fill("#r-period_label", "2025 Q1")
    implementer.fill("#r-period_start", "2025-01-01")
    implementer.fill("#r-period_end", "2025-03-31")
    implementer.locator("select[name$='-status']").first.select_option("completed")
    implementer.select_option("#r-completion", "complete")
    implementer.fill("#r-narrative", "The register is online.")
    implementer.fill("#r-links", "https://example.org/register")
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(PDF)
    implementer.set_input_files("#r-files", str(evidence))
    implementer.get_by_role("button", name="Save the report").click()
    expect(implementer.locator(".notice[role=status]")).to_contain_text("saved as a draft")
    expect(implementer.get_by_role("link", name="evidence.pdf")).to_be_visible()
    press(implementer, "Submit the report")

    poc = person("poc@example.org").page
    poc.goto(url)
    with poc.expect_download() as download:
        poc.get_by_role("link", name="evidence.pdf").click()
    assert download.value.suggested_filename == "evidence.pdf"
    press(poc, "Accept the report")
    press(poc, "Mark as completed")
    assert stage(poc) == "Completed"
