"""Config keys of the obligations stage and the digest (``obligations:`` and ``digest:`` in aigrip.yaml).

```yaml
obligations:
  ai_act_role: gebruiksverantwoordelijke     # or aanbieder (a municipality that builds its own systems)
  review_intervals: {high_risk: 6, impactful: 12, other: 24}   # months between periodic reviews
  assessment_max_age_years: 3                  # a DPIA/IAMA/FRIA older than this is flagged
digest:
  enabled: true
  smtp: {host: smtp.voorbeeldstad.nl, port: 587, starttls: true, username: aigrip, password_env: AIGRIP_SMTP_PASSWORD}
  sender: aigrip@voorbeeldstad.nl
  horizon_days: 90                             # deadlines within this many days
  recipients:                                  # staff contacts: internal, never in public outputs
    - {name: Privacy officer, email: privacy@voorbeeldstad.nl, role: reviewer}
    - {name: Team Werk en Inkomen, email: wi@voorbeeldstad.nl, role: owner, departments: [Werk en Inkomen]}
```
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ObligationSettings", "DigestSettings", "SmtpSettings", "DigestRecipient"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewIntervals(_Strict):
    high_risk: int = Field(default=6, ge=1, le=120)
    impactful: int = Field(default=12, ge=1, le=120)
    other: int = Field(default=24, ge=1, le=120)


class ObligationSettings(_Strict):
    ai_act_role: Literal["gebruiksverantwoordelijke", "aanbieder"] = "gebruiksverantwoordelijke"
    review_intervals: ReviewIntervals = Field(default_factory=ReviewIntervals)
    assessment_max_age_years: int = Field(default=3, ge=1, le=20)


class SmtpSettings(_Strict):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None   # the password is read from this environment variable, never from the file
    timeout: float = Field(default=30, gt=0)


class DigestRecipient(_Strict):
    name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Literal["reviewer", "owner"] = "reviewer"
    departments: list[str] = Field(default_factory=list)   # owners: only these departments' systems


class DigestSettings(_Strict):
    enabled: bool = False
    smtp: SmtpSettings | None = None
    sender: str | None = None
    horizon_days: int = Field(default=90, ge=1, le=365)
    recipients: list[DigestRecipient] = Field(default_factory=list)
