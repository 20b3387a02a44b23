#!/usr/bin/env python3
"""The checks behind tools/validate-k8s.sh, run in its venv (PyYAML and
kubernetes-validate): every manifest under the given directory against the
Kubernetes schemas, strictly, then the invariants a schema cannot express, then
the Jobs' shell scripts against a stand-in mtascan. One line per file, then
"k8s manifests: N passed, M failed"; exit status 1 when any file failed."""

import argparse
import os
import re
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

# Kubernetes expands $(NAME) in command and args (and turns $$ into $): the
# Jobs' scripts are for the shell, so neither may appear in them.
KUBE_EXPANSION = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\$")
SCRIPT_VARIABLE = re.compile(r"\$\{(MTASCAN_[A-Z0-9_]+)")
# Set by the Job itself (env), not by the ConfigMap.
JOB_VARIABLES = {"MTASCAN_SHARD_COUNT", "MTASCAN_THREADS"}
# Seconds between the end of mtascan's drain and the kubelet's SIGKILL, for the
# final flush and the metadata write on a network volume.
GRACE_MARGIN = 10

STUB = """#!/bin/sh
# A stand-in mtascan: records its arguments (unit separator between them).
for argument; do printf '%s\\037' "$argument"; done >> "$MTASCAN_STUB_LOG"
printf '\\n' >> "$MTASCAN_STUB_LOG"
[ "$1" != report ] || echo "stub report"
[ "$1" != "${MTASCAN_STUB_FAIL:-}" ] || exit 1
exit 0
"""


class Manifest:
    def __init__(self, path, docs):
        self.path = path
        self.docs = docs
        self.problems = []
        self.checks = 0

    def check(self, condition, problem):
        self.checks += 1
        if not condition:
            # Long argument lists are cut: the first few hundred characters say enough.
            self.problems.append(problem if len(problem) <= 400 else problem[:400] + " ...")
        return condition


def pod_spec(doc):
    if doc.get("kind") == "Pod":
        return doc.get("spec") or {}
    if doc.get("kind") == "Job":
        return ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
    return None


def script_of(container):
    """The shell script of a container run as `/bin/sh -c SCRIPT`, else None."""
    if container.get("command") == ["/bin/sh", "-c"] and len(container.get("args") or []) == 1:
        return container["args"][0]
    return None


def env_value(container, name):
    for entry in container.get("env") or []:
        if entry.get("name") == name:
            return entry.get("value")
    return None


def schema(manifest, validator, versions):
    command = [validator, "--strict", "--quiet"]
    for version in versions:
        command += ["-k", version]
    result = subprocess.run(command + [str(manifest.path)], capture_output=True, text=True)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    # A kind it has no schema for is only a WARN to kubernetes-validate: here a failure.
    bad = [line for line in lines if line.split(" ", 1)[0] in ("ERROR", "WARN", "FATAL")]
    manifest.check(result.returncode == 0 and not bad,
                   "schema: " + ("; ".join(bad or lines) or f"kubernetes-validate exited {result.returncode}"))


def pod_invariants(manifest, doc, spec, known):
    name = f"{doc['kind']}/{doc.get('metadata', {}).get('name')}"
    security = spec.get("securityContext") or {}
    manifest.check(security.get("runAsNonRoot") is True, f"{name}: securityContext.runAsNonRoot must be true")
    manifest.check(isinstance(security.get("runAsUser"), int) and security["runAsUser"] > 0,
                   f"{name}: securityContext.runAsUser must be a non-root uid")
    manifest.check((security.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
                   f"{name}: seccompProfile RuntimeDefault")
    manifest.check(spec.get("automountServiceAccountToken") is False,
                   f"{name}: automountServiceAccountToken must be false (mtascan needs no API access)")
    for volume in spec.get("volumes") or []:
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if claim is not None:
            manifest.check(claim in known["pvcs"], f"{name}: claim {claim} is not a PersistentVolumeClaim in {known['dir']}")
    for container in spec.get("containers") or []:
        cname = f"{name} container {container.get('name')}"
        known["images"].setdefault(container.get("image"), []).append(manifest.path.name)
        csec = container.get("securityContext") or {}
        manifest.check(csec.get("allowPrivilegeEscalation") is False, f"{cname}: allowPrivilegeEscalation must be false")
        manifest.check(csec.get("readOnlyRootFilesystem") is True, f"{cname}: readOnlyRootFilesystem must be true")
        manifest.check("ALL" in ((csec.get("capabilities") or {}).get("drop") or []), f"{cname}: capabilities must drop ALL")
        manifest.check(not csec.get("privileged"), f"{cname}: must not be privileged")
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                manifest.check(resource in (resources.get(kind) or {}), f"{cname}: resources.{kind}.{resource} missing")
        for source in container.get("envFrom") or []:
            ref = (source.get("configMapRef") or {}).get("name")
            if ref is not None:
                manifest.check(ref in known["configmaps"], f"{cname}: ConfigMap {ref} is not in {known['dir']}")
        words = (container.get("command") or []) + (container.get("args") or [])
        for word in words:
            found = KUBE_EXPANSION.findall(word)
            manifest.check(not found, f"{cname}: Kubernetes would expand {', '.join(sorted(set(found)))} in command/args")
        script = script_of(container)
        if script is not None:
            for variable in sorted(set(SCRIPT_VARIABLE.findall(script)) - JOB_VARIABLES):
                manifest.check(variable in known["options"],
                               f"{cname}: the script reads {variable}, which ConfigMap mtascan-options does not define")


def scan_job_invariants(manifest, doc, known):
    spec = doc["spec"]
    pod = spec["template"]["spec"]
    completions = spec.get("completions")
    manifest.check(isinstance(completions, int) and completions >= 1, "completions must be a positive integer (N)")
    manifest.check(1 <= (spec.get("parallelism") or 0) <= (completions or 0), "parallelism must be 1..completions")
    manifest.check(isinstance(spec.get("backoffLimitPerIndex"), int), "backoffLimitPerIndex must be set")
    failed = spec.get("maxFailedIndexes")
    manifest.check(isinstance(failed, int) and 0 <= failed <= (completions or 0), "maxFailedIndexes must be 0..completions")
    manifest.check(pod.get("restartPolicy") == "Never", "restartPolicy must be Never (backoffLimitPerIndex and podFailurePolicy need it)")
    manifest.check(spec.get("podReplacementPolicy") == "Failed",
                   "podReplacementPolicy must be Failed: two pods of one shard must never append to one part file")
    rules = (spec.get("podFailurePolicy") or {}).get("rules") or []
    manifest.check(any(rule.get("action") == "Ignore" and
                       any(c.get("type") == "DisruptionTarget" for c in rule.get("onPodConditions") or [])
                       for rule in rules),
                   "podFailurePolicy must Ignore DisruptionTarget (evictions resume, they are not failures)")
    names = {c.get("name") for c in pod.get("containers") or []}
    for rule in rules:
        codes = rule.get("onExitCodes")
        if codes:
            manifest.check(codes.get("containerName") in names, f"podFailurePolicy names container {codes.get('containerName')}, not in the pod")
    containers = pod.get("containers") or []
    scan = containers[0] if containers else {}
    manifest.check(env_value(scan, "MTASCAN_SHARD_COUNT") == str(completions),
                   f"env MTASCAN_SHARD_COUNT ({env_value(scan, 'MTASCAN_SHARD_COUNT')!r}) must equal completions ({completions})")
    script = script_of(scan) or ""
    manifest.check("scan --shard auto --resume" in script, "the container must run `mtascan scan --shard auto --resume`")
    manifest.check("exec mtascan" in script, "the script must exec mtascan (PID 1 gets the SIGTERM)")
    drain = known["options"].get("MTASCAN_DRAIN_TIMEOUT", "10")
    grace = pod.get("terminationGracePeriodSeconds", 30)
    try:
        drain_seconds = float(drain)
    except ValueError:
        drain_seconds = None
    manifest.check(drain_seconds is not None and grace >= drain_seconds + GRACE_MARGIN,
                   f"terminationGracePeriodSeconds ({grace}) must exceed MTASCAN_DRAIN_TIMEOUT ({drain}) by {GRACE_MARGIN} s")


def run_script(script, env, workdir):
    log = workdir / "calls"
    log.write_text("")
    full = {"PATH": f"{workdir / 'bin'}:/usr/bin:/bin", "MTASCAN_STUB_LOG": str(log), "LC_ALL": "C"}
    full.update(env)
    result = subprocess.run(["/bin/sh", "-c", script], env=full, capture_output=True, text=True, timeout=60)
    calls = [line.split("\x1f")[:-1] for line in log.read_text().splitlines()]
    return result.returncode, calls, result.stderr.strip()


def workspace(root, name):
    workdir = Path(tempfile.mkdtemp(prefix=name + "-", dir=root))
    (workdir / "bin").mkdir()
    stub = workdir / "bin" / "mtascan"
    stub.write_text(STUB)
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    (workdir / "input").mkdir()
    (workdir / "input" / "domains.txt").write_text("example.com\nexample.net\n")
    return workdir


def base_env(known, workdir):
    env = {key: str(value) for key, value in known["options"].items()}
    env.update({
        "MTASCAN_INPUT": str(workdir / "input" / "domains.txt"),
        "MTASCAN_OUTPUT_DIR": str(workdir / "out"),
        "MTASCAN_RESOLVERS": "192.0.2.53 198.51.100.53:5353",
        "MTASCAN_THREADS": "2",
    })
    return env


def contains(words, sequence):
    return any(words[i:i + len(sequence)] == sequence for i in range(len(words) - len(sequence) + 1))


def scan_script(manifest, doc, known, root):
    container = doc["spec"]["template"]["spec"]["containers"][0]
    script = script_of(container)
    if not manifest.check(script is not None, "the scan container must be `/bin/sh -c SCRIPT`"):
        return
    count = env_value(container, "MTASCAN_SHARD_COUNT") or "1"
    last = str(int(count) - 1)

    def run(name, extra=None, index=last, prepare=None):
        workdir = workspace(root, name)
        env = base_env(known, workdir)
        env.update({"JOB_COMPLETION_INDEX": index, "MTASCAN_SHARD_COUNT": count})
        env.update(extra or {})
        if prepare:
            prepare(workdir)
        return (workdir, *run_script(script, env, workdir))

    workdir, status, calls, errors = run("scan-defaults")
    if manifest.check(status == 0 and len(calls) == 1, f"script, defaults: exit {status}, {len(calls)} mtascan runs: {errors}"):
        words = calls[0]
        manifest.check(words[:4] == ["scan", "--shard", "auto", "--resume"], f"script, defaults: starts {words[:4]}")
        manifest.check(contains(words, ["--resolver", "192.0.2.53"]) and contains(words, ["--resolver", "198.51.100.53:5353"]),
                       f"script, defaults: one --resolver per MTASCAN_RESOLVERS word: {words}")
        manifest.check(contains(words, ["--threads", "2"]), f"script, defaults: --threads from the CPU limit: {words}")
        manifest.check(contains(words, ["--drain-timeout", known["options"].get("MTASCAN_DRAIN_TIMEOUT", "")]),
                       f"script, defaults: --drain-timeout from the ConfigMap: {words}")
        manifest.check(words[-3:] == ["-o", str(workdir / "out" / f"part-{last}.ndjson"), str(workdir / "input" / "domains.txt")],
                       f"script, defaults: ends {words[-3:]}")
        manifest.check("" not in words and "--ehlo" not in words and "--qps" not in words,
                       f"script, defaults: an empty option must not become a flag: {words}")
        marker = workdir / "out" / "shard-count"
        manifest.check(marker.is_file() and marker.read_text().strip() == count, "script: out/shard-count must hold N")
        # The same pod again (a restart): the directory's shard count agrees.
        env = base_env(known, workdir)
        env.update({"JOB_COMPLETION_INDEX": "0", "MTASCAN_SHARD_COUNT": count})
        status, calls, errors = run_script(script, env, workdir)
        manifest.check(status == 0 and len(calls) == 1 and calls[0][-2].endswith("/part-0.ndjson"),
                       f"script, a second shard in the same directory: exit {status}: {errors}")

    _, status, calls, _ = run("scan-options", {
        "MTASCAN_EHLO": "scanner.example.net", "MTASCAN_SOURCE_IPS": "192.0.2.10 2001:db8::10",
        "MTASCAN_QPS": "20000", "MTASCAN_INPUT_FORMAT": "zone", "MTASCAN_ORIGIN": "com", "MTASCAN_PHASES": "dns,policy",
        "MTASCAN_EXTRA_ARGS": "--dane  --probe-all-mx *"})
    if manifest.check(status == 0 and len(calls) == 1, f"script, every option: exit {status}"):
        words = calls[0]
        for sequence in (["--ehlo", "scanner.example.net", "--ehlo-not-fcrdns"], ["--source-ip", "192.0.2.10"],
                         ["--source-ip", "2001:db8::10"], ["--qps", "20000"], ["--input-format", "zone"],
                         ["--origin", "com"], ["--phases", "dns,policy"], ["--dane", "--probe-all-mx", "*"]):
            manifest.check(contains(words, sequence), f"script, every option: {sequence} missing from {words}")

    refusals = {
        "no resolver": ({"MTASCAN_RESOLVERS": ""}, last, None),
        "index not below the shard count": ({}, count, None),
        "no shard count": ({"MTASCAN_SHARD_COUNT": ""}, last, None),
        "no input file": ({"MTASCAN_INPUT": "/nonexistent/domains.txt"}, last, None),
        "a directory begun with another shard count": (
            {}, last, lambda w: ((w / "out").mkdir(), (w / "out" / "shard-count").write_text(f"{int(count) + 1}\n"))),
    }
    for name, (extra, index, prepare) in refusals.items():
        _, status, calls, errors = run("scan-refusal", extra, index, prepare)
        manifest.check(status == 64 and not calls, f"script, {name}: must exit 64 before mtascan runs (exit {status}, {len(calls)} runs)")


def verify_script(manifest, doc, known, root):
    container = doc["spec"]["template"]["spec"]["containers"][0]
    script = script_of(container)
    if not manifest.check(script is not None, "the verify container must be `/bin/sh -c SCRIPT`"):
        return
    count = known.get("shards") or 3

    def run(name, extra=None, parts=None):
        workdir = workspace(root, name)
        out = workdir / "out"
        out.mkdir()
        (out / "shard-count").write_text(f"{count}\n")
        for index in (range(count) if parts is None else parts):
            (out / f"part-{index}.ndjson").write_text("")
        env = base_env(known, workdir)
        env.update(extra or {})
        return (workdir, *run_script(script, env, workdir))

    workdir, status, calls, errors = run("verify")
    out = workdir / "out"
    parts = [str(out / f"part-{index}.ndjson") for index in range(count)]
    expected = [["verify", str(workdir / "input" / "domains.txt")] + parts,
                ["merge", "-o", str(out / "merged.ndjson")] + parts,
                ["report", str(out / "merged.ndjson")]]
    manifest.check(status == 0 and calls == expected, f"verify script: exit {status}, ran {calls}: {errors}")
    manifest.check((out / "report.txt").is_file() and "stub report" in (out / "report.txt").read_text(),
                   "verify script: the report must be written to out/report.txt")

    workdir, status, calls, _ = run("verify-zone", {"MTASCAN_INPUT_FORMAT": "zone", "MTASCAN_ORIGIN": "com"})
    out = workdir / "out"
    parts = [str(out / f"part-{index}.ndjson") for index in range(count)]
    manifest.check(status == 0 and len(calls) == 3
                   and calls[0] == ["verify", "--input-format", "zone", "--origin", "com", str(workdir / "input" / "domains.txt")] + parts
                   and calls[1] == ["merge", "-o", str(out / "merged.ndjson")] + parts,
                   f"verify script: the input's format and origin for verify, only the parts for merge: {calls[:2]}")

    _, status, calls, errors = run("verify-missing", parts=[index for index in range(count) if index != 1])
    manifest.check(status != 0 and not calls and "shard(s) 1 of" in errors,
                   f"verify script, a missing part: must name it and run nothing (exit {status}: {errors})")

    _, status, calls, _ = run("verify-fails", {"MTASCAN_STUB_FAIL": "verify"})
    manifest.check(status != 0 and [call[0] for call in calls] == ["verify"],
                   f"verify script: a failed verification must stop before merge (exit {status}, ran {[c[0] for c in calls]})")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--validator", required=True)
    parser.add_argument("--kubernetes-version", action="append", required=True)
    parser.add_argument("directory")
    args = parser.parse_args()
    directory = Path(args.directory)

    manifests = []
    for path in sorted(directory.rglob("*.yaml")) + sorted(directory.rglob("*.yml")):
        try:
            docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
            manifest = Manifest(path, docs)
            manifest.check(bool(docs), "no YAML documents")
            for doc in docs:
                manifest.check(isinstance(doc, dict) and doc.get("apiVersion") and doc.get("kind")
                               and (doc.get("metadata") or {}).get("name"),
                               "every document needs apiVersion, kind and metadata.name")
        except yaml.YAMLError as error:
            manifest = Manifest(path, [])
            manifest.check(False, f"YAML: {error}")
        manifests.append(manifest)

    docs = [(m, d) for m in manifests for d in m.docs if isinstance(d, dict)]
    known = {
        "dir": str(directory),
        "pvcs": {d["metadata"]["name"] for _, d in docs if d.get("kind") == "PersistentVolumeClaim"},
        "configmaps": {d["metadata"]["name"] for _, d in docs if d.get("kind") == "ConfigMap"},
        "options": next((d.get("data") or {} for _, d in docs
                         if d.get("kind") == "ConfigMap" and d["metadata"]["name"] == "mtascan-options"), {}),
        "images": {},
    }
    scan_jobs = [(m, d) for m, d in docs if d.get("kind") == "Job" and (d.get("spec") or {}).get("completionMode") == "Indexed"]
    if scan_jobs:
        completions = scan_jobs[0][1]["spec"].get("completions")
        known["shards"] = completions if isinstance(completions, int) and completions > 0 else None

    with tempfile.TemporaryDirectory(prefix="validate-k8s-") as root:
        root = Path(root)
        for manifest in manifests:
            if manifest.problems:
                continue
            schema(manifest, args.validator, args.kubernetes_version)
            for doc in manifest.docs:
                kind = doc.get("kind")
                if kind == "PersistentVolumeClaim":
                    manifest.check("ReadWriteMany" in ((doc.get("spec") or {}).get("accessModes") or []),
                                   "the volume must be ReadWriteMany: shards run, and resume, on any node")
                if kind == "ConfigMap" and doc["metadata"]["name"] == "mtascan-options":
                    data = doc.get("data") or {}
                    for key in ("MTASCAN_INPUT", "MTASCAN_OUTPUT_DIR", "MTASCAN_RESOLVERS", "MTASCAN_DRAIN_TIMEOUT"):
                        manifest.check(key in data, f"ConfigMap mtascan-options must define {key}")
                spec = pod_spec(doc)
                if spec is not None:
                    pod_invariants(manifest, doc, spec, known)
                # The scripts run whatever else failed: each problem is reported.
                try:
                    if kind == "Job" and (doc.get("spec") or {}).get("completionMode") == "Indexed":
                        scan_job_invariants(manifest, doc, known)
                        scan_script(manifest, doc, known, root)
                    elif kind == "Job":
                        verify_script(manifest, doc, known, root)
                except (KeyError, IndexError, TypeError, ValueError, subprocess.SubprocessError) as error:
                    manifest.check(False, f"{kind}: cannot check ({type(error).__name__}: {error})")

    # One image everywhere: a scan and its verification with two builds is a mistake.
    if len(known["images"]) > 1:
        with_images = {name for files in known["images"].values() for name in files}
        for manifest in (m for m in manifests if m.path.name in with_images):
            manifest.check(False, "images differ across files: " +
                           "; ".join(f"{image} in {', '.join(files)}" for image, files in known["images"].items()))

    passed = failed = 0
    versions = ", ".join(args.kubernetes_version)
    for manifest in manifests:
        if manifest.problems:
            failed += 1
            print(f"FAIL {manifest.path}")
            for problem in manifest.problems:
                print(f"     {problem}")
        else:
            passed += 1
            print(f"ok   {manifest.path}: schemas {versions} (strict), {manifest.checks} checks")
    print(f"k8s manifests: {passed} passed, {failed} failed")
    return 1 if failed or not manifests else 0


if __name__ == "__main__":
    sys.exit(main())
