#!/usr/bin/env bash
# Installs what mtascan needs from Debian and nothing else; safe to run again.
# Needs root (or sudo) only when something is missing.
#
#   tools/setup.sh           build dependencies (C libraries, Public Suffix List)
#   tools/setup.sh testnet   also the servers of the local test internet
set -euo pipefail

build_packages=(libuv1-dev libldns-dev libssl-dev libsqlite3-dev libjemalloc-dev pkg-config publicsuffix)
testnet_packages=(nsd unbound dnsperf nginx-light postfix sasl2-bin libsasl2-modules openssl bind9-dnsutils iproute2 python3 python3-jsonschema munge slurmctld slurmd slurm-client ldnsutils)

wanted=("${build_packages[@]}")
if [[ "${1:-}" == "testnet" ]]; then
    wanted+=("${testnet_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    # The test internet runs its own private instances; keep the packages'
    # system services from starting on install (and from taking port 53 or 25).
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null
        $sudo chmod +x $policy
        created_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    ((created_policy)) && $sudo rm -f $policy
fi

if ! command -v swift >/dev/null 2>&1; then
    if [[ -x /opt/swift/usr/bin/swift ]]; then
        echo "setup: add /opt/swift/usr/bin to PATH" >&2
    else
        echo "setup: the Swift 6 toolchain is required (https://swift.org/install)" >&2
    fi
    exit 1
fi
