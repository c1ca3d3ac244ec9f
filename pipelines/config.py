"""Loading and validating ``aigrip.yaml`` (docs/contracts.md §6).

Relative paths resolve against the config file's folder. Every problem becomes one
:class:`~transforms.errors.ConfigError` line naming the file, the source id and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors import PEER_TYPES, SOURCE_TYPES, SourceSpec
from pipelines.alerts import AlertSettings
from pipelines.obligations_config import DigestSettings, ObligationSettings
from transforms.errors import ConfigError
from transforms.monitor.literacy import DEFAULT_COURSES
from transforms.yamlsafe import TooManyAliases, safe_yaml

__all__ = ["AigripConfig", "Organisation", "SourceConfig", "Reviewer", "load_config", "read_yaml", "DEFAULT_CONFIG"]

DEFAULT_CONFIG = "aigrip.yaml"
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_NEEDS_URL_OR_PATH = set(SOURCE_TYPES)
# Keys of a source block other than id/type/path/url/columns/enabled: passed to the connector as options.
_OPTION_KEYS = (
    "buyer", "auth_env", "sheet", "date_from", "date_to", "language", "page_size", "dump",
    "encoding", "separator", "timeout", "max_pages", "cpv_codes", "query", "organisation",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def check_email(value: str) -> str:
    if not _EMAIL.match(value.strip()):
        raise ValueError(f"'{value}' is not an e-mail address (name@example.nl)")
    return value.strip()


class Organisation(_Strict):
    name: str
    code: str = Field(pattern=r"^(?i:gm)\d{4}$|^[a-z0-9_-]+$")
    contact_email: str
    inhabitants: int | None = None
    website: str | None = None

    @field_validator("code")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()

    @field_validator("contact_email")
    @classmethod
    def _email(cls, v: str) -> str:
        return check_email(v)


class LimitsConfig(_Strict):
    """Per-source limits (connectors.limits; docs/security.md): global under ``limits:``, and per
    source to override. Unset keys keep the defaults."""

    deadline_minutes: float | None = Field(default=None, gt=0, le=24 * 60)
    max_file_mb: float | None = Field(default=None, gt=0)
    max_rows: int | None = Field(default=None, gt=0)
    max_cell_kb: float | None = Field(default=None, gt=0, le=1024 * 1024)
    max_unzipped_mb: float | None = Field(default=None, gt=0)


class SourceConfig(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    type: Literal[SOURCE_TYPES]  # type: ignore[valid-type]
    path: Path | None = None
    url: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    buyer: str | None = None
    auth_env: str | None = None
    sheet: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    language: str | None = None
    page_size: int | None = None
    dump: bool | None = None
    encoding: str | None = None
    separator: str | None = None
    timeout: float | None = None
    max_pages: int | None = None
    cpv_codes: list[str] | None = None
    query: str | None = None
    organisation: str | None = None
    limits: LimitsConfig | None = None

    @model_validator(mode="after")
    def _path_or_url(self) -> "SourceConfig":
        if self.path is None and self.url is None:
            raise ValueError("give a 'path:' (a file) or a 'url:' (an API)")
        if self.url is not None and not _URL.match(self.url):
            raise ValueError(f"'{self.url}' is not an http(s) URL")
        return self

    def to_spec(self) -> SourceSpec:
        options: dict[str, Any] = {k: getattr(self, k) for k in _OPTION_KEYS if getattr(self, k) is not None}
        return SourceSpec(id=self.id, type=self.type, path=self.path, url=self.url,
                          columns=dict(self.columns), options=options)

    @property
    def is_peer(self) -> bool:
        return self.type in PEER_TYPES


class Reviewer(_Strict):
    username: str = Field(pattern=r"^[A-Za-z0-9_.@-]{2,64}$")
    name: str
    password_hash: str
    role: str | None = None
    roles: list[Literal["editor", "approver"]] = Field(default_factory=list)  # register: release / publish


class DetectionSettings(_Strict):
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)


class ReconcileSettings(_Strict):
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)  # None: the shipped model's default
    model: Path | None = None


class NationalSettings(_Strict):
    """The national picture (docs/national.md): the Splink backend and match threshold."""
    backend: Literal["duckdb", "spark"] = "duckdb"
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)  # None: settings.NATIONAL_THRESHOLD
    spark_cores: int = Field(default=2, ge=1, le=256)
    spark_memory: str = "1g"


class ReviewSettingsConfig(_Strict):
    secret_key_env: str = "AIGRIP_SECRET_KEY"
    session_minutes: int = Field(default=60, ge=5, le=24 * 60)
    https_only: bool = False
    trusted_proxies: list[str] = Field(default_factory=list)  # reverse proxies whose X-Forwarded-For is believed

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        import ipaddress

        for entry in v:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(f"'{entry}' is not an IP address or range (e.g. 10.0.0.5 or 10.0.0.0/24)") from None
        return v


class NationalDelivery(_Strict):
    """Delivery to the national register's aanleverapi v1_0 (``aigrip publish --target national``)."""

    url: str
    organisation_id: str = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not _URL.match(v):
            raise ValueError(f"'{v}' is not an http(s) URL; give the aanleverapi base, e.g. https://…/aanleverapi/v1_0")
        return v


class PublishSettings(_Strict):
    peers: list[str] = Field(default_factory=lambda: ["gm0772", "gm0363"])
    site_title: str | None = None
    site_url: str | None = Field(default=None, pattern=r"^https?://\S+$")  # public address of the site (absolute feed links)
    national: NationalDelivery | None = None
    inhabitants_file: Path | None = None  # CSV gm_code/name + inhabitants, for "similar municipalities"


class PrivacySettings(_Strict):
    quarantine_retention_days: int = Field(default=90, ge=1, le=3650)  # raw text of quarantined rows, then dropped


class LiteracySettings(_Strict):
    """AI literacy (AI Act Art. 4): which courses count, which roles must be trained, the headcount."""

    courses: list[str] = Field(default_factory=lambda: list(DEFAULT_COURSES))
    required_roles: list[str] = Field(default_factory=list)
    headcount: dict[str, int] = Field(default_factory=dict)  # department -> staff to train, without a headcount source


class AigripConfig(_Strict):
    organisation: Organisation
    data_dir: Path
    sources: list[SourceConfig] = Field(default_factory=list)
    review_seed: Path | None = None
    reviewers: list[Reviewer] = Field(default_factory=list)
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    reconcile: ReconcileSettings = Field(default_factory=ReconcileSettings)
    review: ReviewSettingsConfig = Field(default_factory=ReviewSettingsConfig)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    obligations: ObligationSettings = Field(default_factory=ObligationSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    literacy: LiteracySettings = Field(default_factory=LiteracySettings)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    national: NationalSettings = Field(default_factory=NationalSettings)
    config_path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_ids(self) -> "AigripConfig":
        seen: set[str] = set()
        for s in self.sources:
            if s.id in seen:
                raise ValueError(f"source id '{s.id}' is used twice; give each source its own id")
            seen.add(s.id)
        return self

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def enabled_sources(self) -> list[SourceConfig]:
        return [s for s in self.sources if s.enabled]

    def source(self, source_id: str) -> SourceConfig:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise ConfigError(f"no source '{source_id}' in {self.config_path}")


def _where(loc: tuple, raw: dict) -> str:
    parts = []
    for i, p in enumerate(loc):
        if isinstance(p, int) and i > 0 and loc[i - 1] == "sources":
            sid = None
            try:
                sid = raw["sources"][p].get("id")
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
            parts.append(f"[{p}]" + (f" (id '{sid}')" if sid else ""))
        elif isinstance(p, str) and p not in {"function-after"} and not p.startswith("literal"):
            parts.append(("." if parts else "") + p)
    return "".join(parts) or "top level"


def _format_error(path: Path, exc: ValidationError, raw: dict) -> str:
    err = exc.errors()[0]
    where = _where(tuple(err.get("loc", ())), raw)
    msg = err.get("msg", "invalid value").removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        msg = "unknown key; remove it or check its spelling"
    elif err.get("type") == "missing":
        msg = "required key is missing"
    elif err.get("type") == "literal_error" and "type" in str(err.get("loc")):
        msg = f"unknown source type; use one of {', '.join(SOURCE_TYPES)}"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{path}: {where}: {msg}{more}"


def read_yaml(path: Path) -> Any:
    """A YAML file parsed safely (aliases capped); ConfigError with one line naming the file on a problem."""
    try:
        return safe_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    except TooManyAliases as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None


def load_config(path: str | Path | None = None, *, check_files: bool = True) -> AigripConfig:
    """Read and validate a config file; raises ConfigError with one readable line."""
    path = Path(path or DEFAULT_CONFIG)
    if not path.exists():
        raise ConfigError(
            f"no config file at {path}: pass --config PATH or create aigrip.yaml (see README, 'Configuring your municipality')"
        )
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with organisation, data_dir and sources")
    try:
        cfg = AigripConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_error(path, exc, raw)) from None
    base = path.resolve().parent
    cfg.config_path = path.resolve()
    cfg.data_dir = (base / cfg.data_dir).resolve()
    if cfg.review_seed is not None:
        cfg.review_seed = (base / cfg.review_seed).resolve()
    if cfg.reconcile.model is not None:
        cfg.reconcile.model = (base / cfg.reconcile.model).resolve()
    for s in cfg.sources:
        if s.path is not None:
            s.path = (base / s.path).resolve()
            if check_files and s.enabled and not s.path.exists():
                raise ConfigError(
                    f"{path}: source '{s.id}': file {s.path} does not exist; fix 'path:' or set 'enabled: false'"
                )
    if cfg.publish.inhabitants_file is not None:
        cfg.publish.inhabitants_file = (base / cfg.publish.inhabitants_file).resolve()
        if check_files and not cfg.publish.inhabitants_file.exists():
            raise ConfigError(f"{path}: publish.inhabitants_file {cfg.publish.inhabitants_file} does not exist; "
                              "fix the path or remove the key")
    if check_files and cfg.review_seed is not None and not cfg.review_seed.exists():
        raise ConfigError(f"{path}: review_seed file {cfg.review_seed} does not exist; fix or remove 'review_seed:'")
    return cfg
