"""Placeholder template texts for the demo's nine NAP V commitments, keyed by OGP id.

Titles, lead institutions and OGP ids come from the packaged CSV (OGP's commitment pages). The
texts below are written for trying Cocreate out: general, and making no claims about what the
plan's official text says, who wrote it or how far it has got.
"""

from __future__ import annotations

from typing import Any

DEMO_NOTE = (
    "Demo text: written to try Cocreate out, not the plan's official wording; the workflow "
    "state shown is demo data too."
)

# When the source is silent (the CSV has no page for MN0063), the demo says so in the title.
FALLBACK_TITLES = {"MN0063": "Promote Open Data (title to be confirmed)"}

TEXTS: dict[str, dict[str, Any]] = {
    "MN0057": {
        "problem": (
            "Information on licences, contracts, payments and environmental obligations in the "
            "extractive sector is spread over several agencies and is hard for citizens to use."
        ),
        "description": (
            "Publish extractive-sector data in one place, in open formats, and involve local "
            "communities in following how licence obligations are met."
        ),
        "how_it_solves": (
            "One public source, updated on a schedule, lets citizens and journalists compare "
            "licences, payments and obligations without filing separate requests."
        ),
        "ogp_values": ["access_to_information", "public_accountability"],
        "other_actors_government": "Agencies that issue licences and collect revenue.",
        "other_actors_civil_society": "Civil-society groups monitoring the extractive sector.",
        "expected_results": (
            "Extractive-sector data published as open data and used in local monitoring."
        ),
        "milestones": [
            ("Agree the data to publish and its formats", "2024-01-15", "2024-06-30"),
            ("Publish the first open dataset and invite feedback", "2024-07-01", "2024-12-20"),
        ],
    },
    "MN0058": {
        "problem": (
            "Citizens find it hard to get clear, current information on the safety of medicines "
            "and on the decisions taken about them."
        ),
        "description": (
            "Publish information on registered medicines, safety notices and related decisions, "
            "and answer requests for such information on time."
        ),
        "how_it_solves": (
            "Proactive publication means people no longer depend on individual requests to "
            "learn whether a medicine is registered or under a safety notice."
        ),
        "ogp_values": ["access_to_information", "technology_and_innovation"],
        "other_actors_government": "The health authorities responsible for medicines.",
        "other_actors_civil_society": "Patient and consumer organisations.",
        "expected_results": "A public, searchable source of drug-safety information.",
        "milestones": [
            ("List the information to publish proactively", "2024-01-01", "2024-06-30"),
            ("Open the public information page", "2024-07-01", "2025-06-30"),
            ("Review use of the page with the public", "2025-07-01", "2025-12-31"),
        ],
    },
    "MN0059": {
        "problem": (
            "Civil-society organisations report that registration and reporting rules are "
            "complex, which can limit their work."
        ),
        "description": (
            "Review the rules that govern civil-society organisations together with them and "
            "propose simpler, clearer procedures."
        ),
        "how_it_solves": (
            "Procedures drafted with the organisations they affect are easier to follow and "
            "protect the freedom of association."
        ),
        "ogp_values": ["civic_participation"],
        "other_actors_government": "Registration authorities.",
        "other_actors_civil_society": "Civil-society networks and legal experts.",
        "expected_results": "Proposals for simpler procedures, discussed in public.",
        "milestones": [
            ("Consult organisations on current procedures", "2024-02-01", "2024-09-30"),
            ("Publish proposals for simpler procedures", "2024-10-01", "2025-06-30"),
        ],
    },
    "MN0060": {
        "problem": (
            "Journalists and citizens need clear legal protection to report and speak freely."
        ),
        "description": (
            "Review the legal framework for media freedom and freedom of expression with media "
            "organisations and propose improvements."
        ),
        "how_it_solves": (
            "A framework reviewed openly with the media gives clearer protection and fewer "
            "uncertainties for reporting in the public interest."
        ),
        "ogp_values": ["civic_participation", "public_accountability"],
        "other_actors_government": "Ministries and agencies involved in media regulation.",
        "other_actors_civil_society": "Media organisations and journalists' associations.",
        "expected_results": "Published recommendations for the legal framework.",
        "milestones": [
            ("Hold consultations with media organisations", "2024-03-01", "2024-12-31"),
            ("Publish recommendations", "2025-01-01", "2025-12-31"),
        ],
    },
    "MN0061": {
        "problem": (
            "Budget documents are long and technical, and citizens have few ways to take part in "
            "budget decisions."
        ),
        "description": (
            "Publish a citizens' budget and open a channel for public proposals during budget "
            "preparation."
        ),
        "how_it_solves": (
            "A plain-language budget and a proposal channel let citizens understand spending and "
            "influence it before decisions are made."
        ),
        "ogp_values": ["access_to_information", "civic_participation", "public_accountability"],
        "other_actors_government": "Budget entities at national and local level.",
        "other_actors_civil_society": "Budget-monitoring organisations.",
        "expected_results": "A yearly citizens' budget and a record of public proposals.",
        "milestones": [
            ("Publish the first citizens' budget", "2024-06-01", "2024-12-31"),
            ("Open the public proposal channel", "2025-01-01", "2025-09-30"),
        ],
    },
    "MN0062": {
        "problem": (
            "Some social groups, such as people with disabilities or herders in remote areas, "
            "find government services hard to reach."
        ),
        "description": (
            "Identify barriers to services for different social groups with them and adapt "
            "service channels accordingly."
        ),
        "how_it_solves": (
            "Services designed with the people who use them remove barriers that are invisible "
            "from inside government."
        ),
        "ogp_values": ["civic_participation", "technology_and_innovation"],
        "other_actors_government": "Service-delivery agencies.",
        "other_actors_civil_society": "Organisations representing the groups concerned.",
        "expected_results": "An agreed list of barriers and the changes made to remove them.",
        "milestones": [
            ("Map barriers with user groups", "2024-04-01", "2024-12-31"),
            ("Adapt the service channels", "2025-01-01", "2026-06-30"),
        ],
    },
    "MN0063": {
        "problem": (
            "Government data that could be reused is often published in formats that are hard "
            "to process."
        ),
        "description": (
            "The theme 'promote open data' is listed for NAP V; the commitment's own page was not "
            "available, so its text and lead institution are still to be filled in."
        ),
        "how_it_solves": "",
        "ogp_values": ["access_to_information", "technology_and_innovation"],
        "other_actors_government": "",
        "other_actors_civil_society": "",
        "expected_results": "",
        "milestones": [],
    },
    "MN0064": {
        "problem": (
            "There is little regular, comparable feedback from citizens on the quality of public "
            "services."
        ),
        "description": (
            "Run citizens' satisfaction surveys on public services and publish the results with "
            "the responses of the organisations surveyed."
        ),
        "how_it_solves": (
            "Published results, with each organisation's response, create a regular basis for "
            "improvement and for holding services to account."
        ),
        "ogp_values": ["civic_participation", "public_accountability"],
        "other_actors_government": "Public-service organisations.",
        "other_actors_civil_society": "Organisations experienced in surveys and evaluation.",
        "expected_results": "Survey results and responses published each year.",
        "milestones": [
            ("Agree the survey method with civil society", "2024-03-01", "2024-09-30"),
            ("Run and publish the first survey", "2024-10-01", "2025-06-30"),
        ],
    },
    "MN0065": {
        "problem": (
            "How open government organisations are varies widely, and there is no shared way of "
            "assessing it."
        ),
        "description": (
            "Agree indicators of openness for government organisations, assess them together "
            "with civil society and publish the results."
        ),
        "how_it_solves": (
            "Shared indicators and published assessments show where each organisation stands and "
            "what it should improve."
        ),
        "ogp_values": ["access_to_information", "public_accountability"],
        "other_actors_government": "Government administrative organisations.",
        "other_actors_civil_society": "Civil-society organisations taking part in assessments.",
        "expected_results": "Openness indicators agreed and a first published assessment.",
        "milestones": [
            ("Agree the openness indicators", "2024-03-01", "2024-12-31"),
            ("Publish the first assessment", "2025-01-01", "2025-12-31"),
        ],
    },
}
