"""Tenants: several municipalities on one platform (``tenants.yaml``; docs/tenants.md).

A regional ICT service or shared-service organisation runs aigrip for many municipalities. Each one
keeps its own ``aigrip.yaml`` (its sources, reviewers, ``data_dir`` with warehouse, decision log and
pseudonym key); ``tenants.yaml`` lists them and names the platform's own folder::

    platform:
      name: Regionale ICT-dienst Voorbeeldregio
      data_dir: platform              # the platform's Dagster home and the shared warehouse
      max_concurrent_runs: 2          # tenant runs at once (Dagster's queued run coordinator)
    tenants:
      - config: gemeenten/gm0363/aigrip.yaml
      - config: gemeenten/*/aigrip.yaml   # a glob: a folder of aigrip.yaml files

A tenant's id is its organisation code (``gm0363``), the Dagster partition key of its runs. A single
``aigrip.yaml`` is a platform of one tenant (:func:`platform_from_config`), so everything that worked
before keeps working. Peer sources (the national register, other organisations' registers) are
shared: the union of the tenants' peer sources, one per id, computed once for all tenants.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.config import AigripConfig, SourceConfig, load_config, read_yaml
from transforms.errors import ConfigError
from transforms.yamlsafe import TooManyAliases, safe_yaml

__all__ = ["Tenant", "Platform", "load_platform", "platform_from_config", "load_platform_or_config", "is_tenants_file",
           "SHARED_CODE"]

SHARED_CODE = "platform"  # the organisation code of the platform's own (shared) runs; never a tenant's code


@dataclass(frozen=True)
class Tenant:
    """One municipality on the platform: its id (organisation code) and its validated config."""

    id: str
    config: AigripConfig

    @property
    def config_path(self) -> Path:
        assert self.config.config_path is not None
        return self.config.config_path

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir


@dataclass
class Platform:
    """The tenants and what they share. ``path`` is None for a single ``aigrip.yaml``."""

    name: str
    data_dir: Path
    tenants: list[Tenant]
    shared_sources: list[SourceConfig] = field(default_factory=list)
    max_concurrent_runs: int = 1
    path: Path | None = None

    @property
    def is_single(self) -> bool:
        return self.path is None

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def shared_warehouse_path(self) -> Path:
        """The shared warehouse (peer registers, knowledge base). A single config keeps its own."""
        return self.tenants[0].config.warehouse_path if self.is_single else self.data_dir / "shared.duckdb"

    @property
    def tenant_ids(self) -> list[str]:
        return [t.id for t in self.tenants]

    @property
    def shared_snapshot_path(self) -> Path:
        """The read-only copy of the shared warehouse that tenant runs read (published after the shared run)."""
        return self.data_dir / "snapshot.duckdb"

    def shared_config(self) -> AigripConfig:
        """The platform's own runs as a config: the shared peer sources, the platform's data_dir, the first
        tenant's limits. Its organisation matches no tenant, so the shared knowledge base keeps every entry."""
        first = self.tenants[0].config
        cfg = first.model_copy(update={
            "organisation": first.organisation.model_copy(update={"name": self.name, "code": SHARED_CODE}),
            "data_dir": self.data_dir, "sources": list(self.shared_sources), "reviewers": [], "review_seed": None})
        cfg.config_path = self.path or first.config_path
        return cfg

    def union_config(self) -> AigripConfig:
        """One config whose sources are the union of every tenant's (first definition of an id wins);
        the asset graph of a platform is built from it (one ``raw_<source_id>`` per id)."""
        sources: dict[str, SourceConfig] = {s.id: s for s in self.shared_sources}
        for t in self.tenants:
            for s in t.config.enabled_sources:
                sources.setdefault(s.id, s)
        cfg = self.tenants[0].config.model_copy(update={"sources": list(sources.values())})
        cfg.config_path = self.tenants[0].config.config_path
        return cfg

    def tenant(self, tenant_id: str) -> Tenant:
        key = tenant_id.strip().lower()
        for t in self.tenants:
            if t.id == key:
                return t
        known = ", ".join(self.tenant_ids)
        raise ConfigError(f"{self.path or self.tenants[0].config_path}: no tenant '{tenant_id}'; known tenants: {known}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _PlatformBlock(_Strict):
    name: str = "aigrip-platform"
    data_dir: Path
    max_concurrent_runs: int = Field(default=2, ge=1, le=256)


class _TenantEntry(_Strict):
    config: str


class _TenantsFile(_Strict):
    platform: _PlatformBlock
    tenants: list[_TenantEntry] = Field(min_length=1)


def is_tenants_file(path: str | Path) -> bool:
    """True when the YAML file has a top-level ``tenants:`` key (a tenants file, not an aigrip.yaml)."""
    try:
        raw = safe_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TooManyAliases):
        return False
    return isinstance(raw, dict) and "tenants" in raw


def _shared_sources(tenants: list[Tenant], where: Path) -> list[SourceConfig]:
    """The union of the tenants' peer sources, one per id; one id with two different specs is an error."""
    shared: dict[str, SourceConfig] = {}
    owner: dict[str, str] = {}
    for t in tenants:
        for s in t.config.enabled_sources:
            if not s.is_peer:
                continue
            seen = shared.get(s.id)
            if seen is None:
                shared[s.id], owner[s.id] = s, t.id
            elif seen.model_dump() != s.model_dump():
                raise ConfigError(
                    f"{where}: peer source '{s.id}' differs between tenants {owner[s.id]} and {t.id}; "
                    "a shared source must be configured the same everywhere (or give it another id)")
    return list(shared.values())


def _check_isolation(tenants: list[Tenant], platform_dir: Path, where: Path) -> None:
    """No two tenants share an id or a data_dir, and no data_dir lies inside another's or the platform's."""
    seen: dict[str, Tenant] = {}
    for t in tenants:
        if t.id in seen:
            raise ConfigError(f"{where}: tenant '{t.id}' is listed twice ({seen[t.id].config_path} and "
                              f"{t.config_path}); list each municipality once")
        seen[t.id] = t
    dirs = [(t.id, t.data_dir.resolve()) for t in tenants] + [("platform", platform_dir.resolve())]
    for i, (a, da) in enumerate(dirs):
        for b, db in dirs[i + 1:]:
            if da == db or da.is_relative_to(db) or db.is_relative_to(da):
                raise ConfigError(f"{where}: the data_dir of {a} ({da}) and of {b} ({db}) overlap; "
                                  "give every tenant and the platform its own folder")


def load_platform(path: str | Path, *, check_files: bool = True) -> Platform:
    """Read and validate ``tenants.yaml`` and every tenant's ``aigrip.yaml``; one ConfigError line on a problem."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"no tenants file at {path}: pass --tenants PATH (see docs/tenants.md)")
    raw = read_yaml(path)
    try:
        parsed = _TenantsFile.model_validate(raw if isinstance(raw, dict) else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ())) or "top level"
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown key; remove it or check its spelling"
        elif err.get("type") == "missing":
            msg = "required key is missing (see docs/tenants.md)"
        raise ConfigError(f"{path}: {loc}: {msg}") from None
    base = path.resolve().parent
    tenants: list[Tenant] = []
    for entry in parsed.tenants:
        pattern = str(base / entry.config)
        matches = sorted(glob.glob(pattern)) if glob.has_magic(entry.config) else [pattern]
        if not matches:
            raise ConfigError(f"{path}: tenants: '{entry.config}' matches no file; fix the path or pattern")
        for m in matches:
            cfg = load_config(m, check_files=check_files)
            tenants.append(Tenant(id=cfg.organisation.code, config=cfg))
    platform_dir = (base / parsed.platform.data_dir).resolve()
    _check_isolation(tenants, platform_dir, path)
    return Platform(name=parsed.platform.name, data_dir=platform_dir, tenants=tenants,
                    shared_sources=_shared_sources(tenants, path),
                    max_concurrent_runs=parsed.platform.max_concurrent_runs, path=path.resolve())


def platform_from_config(config: AigripConfig) -> Platform:
    """A single ``aigrip.yaml`` as a platform of one tenant (its own data_dir is the platform's)."""
    tenant = Tenant(id=config.organisation.code, config=config)
    return Platform(name=config.organisation.name, data_dir=config.data_dir, tenants=[tenant],
                    shared_sources=[s for s in config.enabled_sources if s.is_peer], max_concurrent_runs=1)


def load_platform_or_config(path: str | Path, *, check_files: bool = True) -> Platform:
    """A tenants file or a single aigrip.yaml, whichever ``path`` is."""
    if is_tenants_file(path):
        return load_platform(path, check_files=check_files)
    return platform_from_config(load_config(path, check_files=check_files))
