#!/bin/sh
# The build steps of the aigrip image, as one script: deploy/Dockerfile runs it, and so does
# tests/test_deploy.py (into a scratch folder), so what the image gets is what the tests check.
#   deploy/install.sh PREFIX [SOURCE]
# installs aigrip (non-editable) with the server extras into a venv at PREFIX, from requirements.lock.
# AIGRIP_EXTRAS picks the extras (default "deploy"; the image adds "k8s" for the cluster, deploy/helm/).
set -eu
PREFIX=${1:?usage: deploy/install.sh PREFIX [SOURCE]}
SRC=${2:-$(cd "$(dirname "$0")/.." && pwd)}
PY=${PY:-python3}
EXTRAS=${AIGRIP_EXTRAS:-deploy}
"$PY" -m venv "$PREFIX"
"$PREFIX/bin/pip" install --quiet --disable-pip-version-check -c "$SRC/requirements.lock" "$SRC[$EXTRAS]"
# smoke check: the CLI starts and finds its packaged data (templates, rules, vocabularies)
"$PREFIX/bin/aigrip" --help >/dev/null
"$PREFIX/bin/python" - <<'PYEOF'
from importlib import resources
for package, name in [("transforms", "templates"), ("transforms", "rules"), ("transforms", "vocab"),
                      ("warehouse", "migrations"), ("review", "templates")]:
    folder = resources.files(package) / name
    assert any(folder.iterdir()), f"{package}/{name} missing from the installed package"
PYEOF
echo "aigrip installed in $PREFIX"
