"""The roles a user can hold on a plan, and the two sides of the forum."""

POC = "poc"
DRAFTER = "drafter"
CSO_REVIEWER = "cso_reviewer"
MSF_MEMBER = "msf_member"
SIGNATORY = "signatory"
IMPLEMENTER = "implementer"

PLAN_ROLES = (POC, DRAFTER, CSO_REVIEWER, MSF_MEMBER, SIGNATORY, IMPLEMENTER)

GOVERNMENT = "government"
CIVIL_SOCIETY = "civil_society"
SECTORS = (GOVERNMENT, CIVIL_SOCIETY)

LANGUAGES = ("en", "mn")
