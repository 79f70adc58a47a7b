"""The commitment workflow: drafting, CSO review, MSF approval, sign-off, implementation."""

COMMITMENT = {
    "key": "commitment",
    "version": 1,
    "initial": "draft",
    "states": {
        "draft": {},
        "cso_review": {"duration_days": 21},
        "msf_approval": {"duration_days": 14, "gate": {"approve": "approve", "reject": "reject"}},
        "government_signoff": {"duration_days": 14},
        "implementation": {},
        "completed": {"terminal": True},
        "withdrawn": {"terminal": True},
    },
    "events": {
        "submit": {
            "source": "draft",
            "target": "cso_review",
            "roles": ["drafter", "poc"],
            "guards": ["commitment_complete", "milestones_dated"],
            "notify": ["cso_reviewer", "poc"],
            "notify_author": True,
        },
        "request_changes": {
            "source": "cso_review",
            "target": "draft",
            "roles": ["cso_reviewer"],
            "comment_required": True,
            "notify": ["drafter", "poc"],
            "notify_author": True,
        },
        "endorse": {
            "source": "cso_review",
            "target": "msf_approval",
            "roles": ["cso_reviewer"],
            "guards": ["comments_answered"],
            "notify": ["msf_member", "poc"],
            "notify_author": True,
        },
        "approve": {
            "source": "msf_approval",
            "target": "government_signoff",
            "gate": True,
            "notify": ["signatory", "poc", "msf_member"],
            "notify_author": True,
        },
        "reject": {
            "source": "msf_approval",
            "target": "draft",
            "gate": True,
            "notify": ["drafter", "poc", "msf_member"],
            "notify_author": True,
        },
        "sign_off": {
            "source": "government_signoff",
            "target": "implementation",
            "roles": ["signatory"],
            "notify": ["implementer", "poc"],
            "notify_author": True,
        },
        "send_back": {
            "source": "government_signoff",
            "target": "draft",
            "roles": ["signatory"],
            "comment_required": True,
            "notify": ["drafter", "poc", "msf_member"],
            "notify_author": True,
        },
        "complete": {
            "source": "implementation",
            "target": "completed",
            "roles": ["poc"],
            "guards": ["completion_reported"],
            "notify": ["implementer", "msf_member"],
            "notify_author": True,
        },
        "withdraw": {
            "source": "*",
            "target": "withdrawn",
            "roles": ["poc"],
            "comment_required": True,
            "notify": ["msf_member", "cso_reviewer", "implementer"],
            "notify_author": True,
        },
    },
}

STATES = tuple(COMMITMENT["states"])

# The states other rules refer to by meaning: text changes, comments, the vote, reporting.
EDITABLE_STATE = "draft"
REVIEW_STATE = "cso_review"
DRAFTING_STATES = (EDITABLE_STATE, REVIEW_STATE)
VOTING_STATE = "msf_approval"
IMPLEMENTATION_STATE = "implementation"
