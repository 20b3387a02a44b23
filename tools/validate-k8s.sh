#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests in deploy/k8s (no cluster, no
# kubectl): every file against the Kubernetes API schemas of 1.29 (the oldest
# release with everything the scan Job uses on by default) and of 1.37, strictly
# (no unknown fields); then what a schema cannot say: the shard count agrees with
# completions, the grace period outlasts mtascan's drain, pods run as non-root,
# names and the image agree across files; and the Jobs' shell scripts are run
# with a stand-in mtascan to check the commands they build.
# Ends with "k8s manifests: N passed, M failed"; exits non-zero on a failure.
#
# Needs python3 and python3-venv (installed from Debian when missing, as
# tools/setup.sh does) and, the first time only, PyPI for the pinned packages of
# tools/k8s-requirements.txt, kept in .build/k8s-venv.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3 python3-venv)
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "validate-k8s: installing ${missing[*]}" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv=.build/k8s-venv
requirements=tools/k8s-requirements.txt
# Reused while it holds exactly the pinned set (a copy of the list is its stamp).
if ! { [[ -x $venv/bin/kubernetes-validate ]] && cmp -s "$requirements" "$venv/requirements.txt"; }; then
    echo "validate-k8s: creating $venv from $requirements" >&2
    rm -rf "$venv"
    mkdir -p .build
    /usr/bin/python3 -m venv "$venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install --quiet --no-input -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi

exec "$venv/bin/python" tools/validate-k8s.py --validator "$venv/bin/kubernetes-validate" \
    --kubernetes-version 1.29.0 --kubernetes-version 1.37.0 deploy/k8s
