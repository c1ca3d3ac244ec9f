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


# --- the Kubernetes deployment: values for the official Dagster Helm chart (deploy/helm/) ----------
HELM = DEPLOY / "helm"
_SECRET_WORDS = re.compile(r"password|secret|token|passwd|api[_-]?key|private", re.I)


def _helm_values() -> dict:
    return yaml.safe_load((HELM / "values.yaml").read_text(encoding="utf-8"))


def _platform_manifests() -> dict[str, dict]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all((HELM / "platform.yaml").read_text(encoding="utf-8")) if doc}


def _k8s_run_launcher_instance_config(values: dict) -> dict:
    """The run_launcher.config the chart writes into dagster.yaml for a K8sRunLauncher (the chart's
    helpers/_instance.tpl, dagsterYaml.runLauncher.k8s): camelCase values to the launcher's keys."""
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    return {
        "dagster_home": values["global"]["dagsterHome"],
        "instance_config_map": "aigrip-dagster-instance",
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
        "service_account_name": values["global"]["serviceAccountName"],
        "job_namespace": k8s.get("jobNamespace") or "aigrip",
        "image_pull_policy": k8s["imagePullPolicy"],
        "load_incluster_config": k8s["loadInclusterConfig"],
        "env_config_maps": [c["name"] for c in k8s["envConfigMaps"]],
        "env_secrets": [s["name"] for s in k8s["envSecrets"]],
        "env_vars": k8s["envVars"],
        "volume_mounts": k8s["volumeMounts"],
        "volumes": k8s["volumes"],
        "labels": k8s["labels"],
        "fail_pod_on_run_failure": k8s["failPodOnRunFailure"],
        "resources": k8s["resources"],
    }


def _queued_coordinator_instance_config(values: dict) -> dict:
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    return {"max_concurrent_runs": queued["maxConcurrentRuns"],
            "tag_concurrency_limits": queued["tagConcurrencyLimits"]}


def _validate_config(config_type, value: dict) -> list[str]:
    from dagster._config import process_config, resolve_to_config_type

    result = process_config(resolve_to_config_type(config_type), value)
    return [e.message for e in result.errors or []]


def test_helm_values_use_the_kubernetes_run_launcher_with_a_valid_config():
    values = _helm_values()
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert not values["rabbitmq"]["enabled"] and not values["redis"]["enabled"]  # no Celery
    # the chart renders this type as module dagster_k8s, class K8sRunLauncher: the image must have it
    lock = (ROOT / "requirements.lock").read_text()
    assert re.search(r"^dagster-k8s==0\.29\.\d+$", lock, re.M)
    extras = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(r.startswith("dagster-k8s") for r in extras["k8s"])
    assert any(r.startswith("dagster-postgres") for r in extras["k8s"])
    dagster_k8s = pytest.importorskip("dagster_k8s", reason="the optional extra aigrip[k8s] is not installed")
    config = _k8s_run_launcher_instance_config(values)
    assert _validate_config(dagster_k8s.K8sRunLauncher.config_type(), config) == []
    # the check itself can fail: a misspelt key is refused
    assert _validate_config(dagster_k8s.K8sRunLauncher.config_type(), {**config, "image_pul_policy": "Always"})


def test_helm_values_queue_runs_with_one_run_per_tenant():
    from dagster._core.run_coordinator import QueuedRunCoordinator

    values = _helm_values()
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert values["dagsterDaemon"]["enabled"] and coordinator["enabled"]
    assert coordinator["type"] == "QueuedRunCoordinator"
    config = _queued_coordinator_instance_config(values)
    assert config["max_concurrent_runs"] >= 1
    # a tenant is a partition: at most one run per partition value at once (one DuckDB warehouse each)
    assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in \
        config["tag_concurrency_limits"]
    assert _validate_config(QueuedRunCoordinator.config_type(), config) == []
    assert _validate_config(QueuedRunCoordinator.config_type(), {**config, "max_concurrent_runs": "many"})


def test_helm_values_store_runs_in_an_external_postgres_with_the_password_from_a_secret():
    values = _helm_values()
    pg = values["postgresql"]
    assert pg["enabled"] is False and pg["postgresqlHost"] and pg["postgresqlDatabase"] and pg["postgresqlUsername"]
    assert pg["postgresqlPassword"] == "" and values["generatePostgresqlPasswordSecret"] is False
    assert values["global"]["postgresqlSecretName"]
    assert values["telemetry"]["enabled"] is False
    # the Dagster home is the image's own, writable folder (deploy/Dockerfile)
    assert f"DAGSTER_HOME={values['global']['dagsterHome']}" in (DEPLOY / "Dockerfile").read_text()


def test_helm_values_run_one_image_built_from_the_deploy_dockerfile():
    values = _helm_values()
    deployments = values["dagster-user-deployments"]["deployments"]
    assert values["dagster-user-deployments"]["enabled"] and len(deployments) == 1
    code = deployments[0]
    images = {(v["image"]["repository"], str(v["image"]["tag"]))
              for v in (values["dagsterWebserver"], values["dagsterDaemon"], code)}
    assert len(images) == 1, images
    (_, tag), = images
    assert tag and tag != "latest"
    # the code server loads the same module as workspace.yaml; the image carries the k8s extra
    module = code["dagsterApiGrpcArgs"][code["dagsterApiGrpcArgs"].index("--module-name") + 1]
    assert {"python_module": module} in yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    assert re.search(r"^ARG AIGRIP_EXTRAS=.*\bk8s\b", (DEPLOY / "Dockerfile").read_text(), re.M)
    # the chart version in the install command is the Dagster version aigrip runs on
    import dagster

    readme = (HELM / "README.md").read_text()
    versions = set(re.findall(r"--version (\S+)", readme + (HELM / "values.yaml").read_text()))
    assert versions == {dagster.__version__}


def test_helm_values_mount_the_tenants_and_their_data(tmp_path):
    from pipelines.tenants import load_platform

    code = _helm_values()["dagster-user-deployments"]["deployments"][0]
    assert code["includeConfigInLaunchedRuns"]["enabled"] is True  # run pods get the same mounts
    manifests = _platform_manifests()
    volumes = {v["name"]: v for v in code["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in code["volumeMounts"]}
    assert volumes["tenants"]["configMap"]["name"] == manifests["ConfigMap"]["metadata"]["name"]
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == manifests["PersistentVolumeClaim"]["metadata"]["name"]
    assert manifests["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteMany"]
    env = {e["name"]: e.get("value") for e in code["env"]}
    config_dir = Path(mounts["tenants"])
    assert Path(env["AIGRIP_CONFIG"]).parent == config_dir
    # the ConfigMap's files are a valid platform whose data_dirs lie on the data volume
    for name, text in manifests["ConfigMap"]["data"].items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    platform = load_platform(tmp_path / Path(env["AIGRIP_CONFIG"]).name, check_files=False)
    assert len(platform.tenants) == 2
    for tenant in platform.tenants:
        assert Path(mounts["data"]) in tenant.data_dir.parents


def test_helm_files_hold_no_secrets():
    values = _helm_values()
    code = values["dagster-user-deployments"]["deployments"][0]
    for part in (values["dagsterWebserver"], values["dagsterDaemon"], code):
        assert {"name": "aigrip-secrets"} in part["envSecrets"]

    def walk(node, path=""):
        if isinstance(node, dict):
            if "name" in node and "value" in node and _SECRET_WORDS.search(str(node["name"])):
                raise AssertionError(f"{path}: secret {node['name']} given inline")
            for k, v in node.items():
                if _SECRET_WORDS.search(str(k)) and isinstance(v, str | int) and not isinstance(v, bool) and v != "" and not str(k).endswith("SecretName"):
                    raise AssertionError(f"{path}.{k}: a secret value inline")
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    walk(values)
    for doc in _platform_manifests().values():
        assert doc["kind"] != "Secret"
        walk(doc)
    with pytest.raises(AssertionError):
        walk({"env": [{"name": "AIGRIP_SMTP_PASSWORD", "value": "hunter2"}]})
