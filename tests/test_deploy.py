"""The deployment files, checked as far as this machine allows (no container engine, no systemd as PID 1):
the image's build steps run as a script, the systemd units verified, the compose file against the Compose
schema, and every service started with the deployment's own commands as plain processes (Debian's Postgres and
Caddy), signing in to the review app through Caddy."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml

from tests.conftest import ROOT
from tests.netutil import free_port, wait_for_port

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def test_compose_file_follows_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "fixtures" / "deploy" / "compose_spec.json").read_text())
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    jsonschema.validate(compose, schema)
    assert set(compose["services"]) == {"postgres", "webserver", "daemon", "review", "caddy"}
    bad = dict(compose, services={"web": {"image": "x", "restart_policy": "always"}})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    env_file = tmp_path / "aigrip.env"
    env_file.write_text("AIGRIP_CONFIG=/dev/null\n")
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        text = unit.read_text().replace("/opt/aigrip/bin", str(BIN)).replace("/etc/aigrip/aigrip.env", str(env_file))
        target = tmp_path / unit.name
        target.write_text(text)
        units.append(str(target))
    assert len(units) == 3
    proc = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    broken = tmp_path / "broken.service"
    broken.write_text("[Service]\nExecStart=dagster-webserver --nope\nRestart=sometimes\n")
    assert subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, timeout=120).returncode != 0


@pytest.mark.timeout(900)
def test_the_image_build_steps_make_a_working_install(tmp_path, demo_config):
    prefix = tmp_path / "opt-aigrip"
    proc = subprocess.run(["sh", str(DEPLOY / "install.sh"), str(prefix), str(ROOT)], capture_output=True, text=True,
                          timeout=850, env=dict(os.environ, PY=sys.executable))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    # the installed (non-editable) package runs a municipality from another folder
    cfg = yaml.safe_load(demo_config.read_text())
    cfg["sources"] = [s for s in cfg["sources"] if s["id"] in ("crediteuren_2025", "portfolio", "landelijk_register")]
    demo_config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    run = subprocess.run([str(prefix / "bin" / "aigrip"), "run", "--config", str(demo_config), "--as-of", "2026-11-15"],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (demo_config.parent / "var" / "site" / "index.html").exists()


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture
def postgres():
    if not (PG_BIN / "initdb").exists():
        pytest.skip("Debian's postgresql is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="aigrip-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust"]),
                   check=True, capture_output=True, timeout=120)
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
                                 f"-h 127.0.0.1 -p {port} -k {folder}", "start"]), check=True, capture_output=True,
                   timeout=120)
    try:
        yield port
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def _exec_start(unit: str) -> list[str]:
    line = next(ln for ln in (DEPLOY / "systemd" / unit).read_text().splitlines() if ln.startswith("ExecStart="))
    return line.removeprefix("ExecStart=").replace("/opt/aigrip/bin/", str(BIN) + "/").split()


@pytest.mark.timeout(600)
@pytest.mark.skipif(shutil.which("caddy") is None, reason="Debian's caddy is not installed (apt-get install caddy)")
def test_every_service_starts_with_the_deployment_commands_behind_caddy(tmp_path, demo_run, postgres):
    from tests.conftest import DEMO_REVIEWER_HASH  # noqa: F401  (demo_run's reviewers use this password)

    srv = tmp_path / "srv"
    home = srv / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    shutil.copy(ROOT / "workspace.yaml", srv / "workspace.yaml")
    web_port, review_port, caddy_port, admin_port = (free_port() for _ in range(4))
    env = dict(os.environ, DAGSTER_HOME=str(home), AIGRIP_CONFIG=str(demo_run), DAGSTER_PG_USER="dagster",
               DAGSTER_PG_PASSWORD="", DAGSTER_PG_HOST="127.0.0.1", DAGSTER_PG_DB="postgres",
               DAGSTER_PG_PORT=str(postgres), AIGRIP_SECRET_KEY="0" * 64, HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "xdg-data"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"))

    def cmd(unit: str, port: int) -> list[str]:
        args = _exec_start(unit)
        args = [a.replace("/srv/aigrip", str(srv)).replace("/etc/aigrip/aigrip.yaml", str(demo_run)) for a in args]
        return [str(port) if a in ("3000", "8321") else a for a in args]

    password = "datateam-wachtwoord"
    hashed = subprocess.run(["caddy", "hash-password", "--plaintext", password], capture_output=True, text=True,
                            check=True, timeout=60).stdout.strip()
    caddy_env = dict(env, AIGRIP_HOST=f"http://127.0.0.1:{caddy_port}", AIGRIP_CADDY_ADMIN=f"127.0.0.1:{admin_port}",
                     AIGRIP_DAGSTER_UPSTREAM=f"127.0.0.1:{web_port}", AIGRIP_REVIEW_UPSTREAM=f"127.0.0.1:{review_port}",
                     AIGRIP_DAGSTER_PASSWORD_HASH=hashed)
    logs = tmp_path / "logs"
    logs.mkdir()
    specs = [("webserver", cmd("aigrip-webserver.service", web_port), env),
             ("daemon", cmd("aigrip-daemon.service", 0), env),
             ("review", cmd("aigrip-review.service", review_port), env),
             ("caddy", ["caddy", "run", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"], caddy_env)]
    procs = [subprocess.Popen(args, env=e, cwd=srv, start_new_session=True, stdout=(logs / f"{n}.log").open("w"),
                              stderr=subprocess.STDOUT) for n, args, e in specs]
    try:
        for port in (review_port, caddy_port, web_port):
            wait_for_port(port, procs)
        base = f"http://127.0.0.1:{caddy_port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/login")
            assert page.status_code == 200 and "Inloggen" in page.text or "inloggen" in page.text.lower()
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            signed = client.post("/login", data={"username": "privacy", "password": "voorbeeldstad-demo",
                                                 "csrf_token": token, "next": "/"}, follow_redirects=False)
            assert signed.status_code == 303, signed.text[:500]
            queue = client.get("/")
            assert queue.status_code == 200 and "Te beoordelen" in queue.text
            assert client.get("/dagster/").status_code == 401
            auth = "Basic " + base64.b64encode(f"datateam:{password}".encode()).decode()
            deadline = time.monotonic() + 120
            while True:
                ui = client.post("/dagster/graphql", headers={"Authorization": auth},
                                 json={"query": "{ version }"})
                if ui.status_code == 200 or time.monotonic() > deadline:
                    break
                time.sleep(2)
            assert ui.status_code == 200 and ui.json()["data"]["version"]
        # the webserver keeps its runs in Postgres, as deploy/dagster.yaml says
        tables = subprocess.run(_as_postgres([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(postgres), "-U",
                                              "dagster", "-d", "postgres", "-Atc", "select tablename from pg_tables"]),
                                capture_output=True, text=True, timeout=60).stdout.split()
        assert "runs" in tables and "event_logs" in tables
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, 15)
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
