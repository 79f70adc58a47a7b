"""The progress report workflow: an implementer reports, the point of contact accepts."""

PROGRESS_REPORT = {
    "key": "progress_report",
    "version": 1,
    "initial": "draft",
    "states": {
        "draft": {"duration_days": 30},
        "submitted": {"duration_days": 14},
        "accepted": {"terminal": True},
    },
    "events": {
        "submit": {
            "source": "draft",
            "target": "submitted",
            "roles": ["implementer"],
            "guards": ["report_complete", "commitment_in_implementation"],
            "notify": ["poc"],
        },
        "accept": {
            "source": "submitted",
            "target": "accepted",
            "roles": ["poc"],
            "guards": ["commitment_in_implementation"],
            "notify": ["implementer"],
            "notify_author": True,
        },
        "send_back": {
            "source": "submitted",
            "target": "draft",
            "roles": ["poc"],
            "guards": ["commitment_in_implementation"],
            "comment_required": True,
            "notify": ["implementer"],
            "notify_author": True,
        },
    },
}

STATES = tuple(PROGRESS_REPORT["states"])

# The states other rules refer to by meaning: editing, and the report that counts.
EDITABLE_STATE = "draft"
ACCEPTED_STATE = "accepted"
