"""Register decisions from the terminal: field edits by their standard 1.0 key, supplier templates,
and the publication steps (``aigrip review decide``); used by pipelines/cli.py."""

from __future__ import annotations

from pipelines.config import AigripConfig
from review.queue import ReviewError, decide
from review.register import edit_decision, parse_edits, step_decision, template_decision
from transforms.publish.fields import EDITOR_FIELDS, standard_key

__all__ = ["register_decide", "REGISTER_STEPS"]

REGISTER_STEPS = ("release", "publish", "withdraw")
# Internal (never published) fields a reviewer may also set with --field.
_INTERNAL = ("owner", "department", "dpia_status", "iama_status", "next_review", "kind", "dpia_date", "dpia_link",
             "iama_date", "iama_link", "status_register")


def _org(cfg: AigripConfig) -> dict:
    o = cfg.organisation
    return {"name": o.name, "code": o.code, "contact_email": o.contact_email}


def _reviewers(cfg: AigripConfig) -> list[dict]:
    return [r.model_dump() for r in cfg.reviewers]


def register_decide(cfg: AigripConfig, system_id: str, action: str, reviewer: str, *, fields: dict[str, str],
                    reason: str | None, template: str | None, into: str | None,
                    source_keys: list[str] | None) -> dict:
    """One decision from ``aigrip review decide``: register keys are parsed and checked like the editor
    does; release/publish/withdraw check roles and the entry; other actions go to review.queue.decide."""
    if action in REGISTER_STEPS:
        return step_decision(cfg.data_dir, system_id, action, reviewer, _reviewers(cfg), _org(cfg), reason=reason)
    if template:
        if action != "edit":
            raise ReviewError("--template hoort bij --action edit")
        return template_decision(cfg.data_dir, system_id, reviewer, template, _org(cfg))
    register = {k: v for k, v in fields.items() if standard_key(k) in EDITOR_FIELDS and k not in _INTERNAL}
    other = {k: v for k, v in fields.items() if k not in register}
    if action == "edit" and register and not other:
        return edit_decision(cfg.data_dir, system_id, reviewer, register, reason=reason)
    parsed, problems = parse_edits(register)
    if problems:
        raise ReviewError("; ".join(problems))
    return decide(cfg.data_dir, system_id, action, reviewer, reason=reason, into=into,
                  fields={**other, **parsed} or None, source_keys=source_keys)
