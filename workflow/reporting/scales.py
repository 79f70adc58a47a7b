"""The scales OGP and its Independent Reporting Mechanism use, as they are.

OGP renamed scales over the years (specificity became verifiability, potential impact became
potential for results), so a rating records which scale it was made on.
"""

VERIFIABILITY = ("verifiable", "not_verifiable")
POTENTIAL_FOR_RESULTS = ("unclear", "modest", "substantial")
POTENTIAL_IMPACT_LEGACY = ("none", "minor", "moderate", "transformative")
# The IRM adds "no evidence available"; self-assessments and progress reports use the last four.
COMPLETION_IRM = ("no_evidence_available", "not_started", "limited", "substantial", "complete")
COMPLETION = ("not_started", "limited", "substantial", "complete")
EARLY_RESULTS = ("worsened", "did_not_change", "marginal", "major", "outstanding")
