#!/usr/bin/env python3
"""Signs the DNSSEC subtree of the local test internet and publishes its TLSA records.

Runs after gen_zones.py (the zone files) and gen_services.py (the certificates), before
NSD and unbound start (start.sh). Reads scenarios.json (`dnssec`: the trust anchor and
how each zone of the subtree is published; `mx[].tlsa`: the TLSA records of MX hosts)
and, in the run directory:

  1. computes every TLSA record from the certificate file the MX host serves
     (ca/certs/HOST~KIND.pem: key, leaf, chain) and adds it at _25._tcp.<host> to the
     zone that holds the host;
  2. goes through the zones of the subtree deepest first: adds the DS records of its
     signed children, then, for a signed zone, makes a key (one ECDSA P-256 key with the
     SEP flag, signing everything: a CSK) and signs the zone with ldns-signzone
     (RRSIGs valid from an hour ago for a year), for an expired zone the same with
     RRSIGs valid from 60 to 30 days ago (bogus), for an unsigned one nothing (its
     parent delegates it without DS);
  3. writes the DS of the anchor's key as unbound's trust anchor.

Files (fresh at every start, like the PKI):

  zones/APEX.zone          the zone as NSD serves it (signed where it is)
  dnssec/APEX.zone         the zone before signing (the input of ldns-signzone)
  dnssec/keys/K*           the keys (ldns-keygen: .key, .private, .ds)
  dnssec/trust-anchor.ds   the anchor's DS record (unbound.conf: trust-anchor-file)
  dnssec/dnssec.json       what was done: per zone its mode, key tag, DS; per MX host
                           its TLSA records and the certificate they were computed from

Usage: gen_dnssec.py [--run DIR] [--catalogue FILE]

Python 3 standard library and ldnsutils (ldns-keygen, ldns-signzone).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time

import gen_certs
import gen_services
import gen_zones

HERE = os.path.dirname(os.path.abspath(__file__))
ALGORITHM = "ECDSAP256SHA256"
DAY = 86400
VALIDITY = {  # RRSIG inception, expiration relative to now
    "signed": (-3600, 365 * DAY),
    "expired": (-60 * DAY, -30 * DAY),
}
PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n?", re.S)


class Failure(Exception):
    pass


def run(command, stdin=None):
    result = subprocess.run(command, input=stdin, capture_output=True)
    if result.returncode != 0:
        raise Failure(f"{' '.join(command)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def certificates(path):
    """The PEM certificates of a file, in order (a served file: leaf, then its chain)."""
    with open(path) as handle:
        return PEM_CERTIFICATE.findall(handle.read())


def der_children(data):
    """The DER elements (tag, whole encoding) inside one constructed element's content."""
    out, offset = [], 0
    while offset < len(data):
        tag, length, start = data[offset], data[offset + 1], offset + 2
        if length & 0x80:  # long form: the next (length & 0x7f) bytes
            count = length & 0x7F
            length, start = int.from_bytes(data[start:start + count], "big"), start + count
        out.append((tag, data[offset:start + length], data[start:start + length]))
        offset = start + length
    return out


def subject_public_key_info(der):
    """The SubjectPublicKeyInfo of a DER certificate: the 6th field of tbsCertificate after
    the optional [0] version (RFC 5280 §4.1), as `openssl x509 -pubkey | openssl pkey
    -pubin -outform DER` gives it (check_dane.py computes it that way)."""
    (_, _, certificate), = der_children(der)
    tbs = der_children(certificate)[0][2]
    fields = der_children(tbs)
    if fields[0][0] == 0xA0:
        fields = fields[1:]
    return fields[5][1]


def selected(pem, selector):
    """The bytes a TLSA selector picks: 0 the whole certificate, 1 its SubjectPublicKeyInfo,
    both DER."""
    der = ssl.PEM_cert_to_DER_cert(pem)
    if selector == 0:
        return der
    if selector == 1:
        return subject_public_key_info(der)
    raise Failure(f"selector {selector} cannot be computed")


def association(data, matching_type):
    if matching_type == 0:
        return data.hex()
    if matching_type == 2:
        return hashlib.sha512(data).hexdigest()
    return hashlib.sha256(data).hexdigest()  # 1, and any unknown type (documented in scenarios.py)


class Signer:
    def __init__(self, catalogue, run_dir):
        self.catalogue = catalogue
        self.run = os.path.abspath(run_dir)
        self.dnssec = catalogue["dnssec"]
        self.generator = gen_zones.Generator(catalogue, self.run, False)
        self.extra = {}      # apex (no dot) -> zone-file lines to add
        self.report = {"trust_anchor": self.dnssec["trust_anchor"], "zones": {}, "tlsa": {}}

    def path(self, *parts):
        return os.path.join(self.run, *parts)

    def zone_file(self, apex):
        return self.path("zones", gen_zones.zone_filename(apex + "."))

    def home_zone(self, name):
        """The zone that holds `name` (its apex without dot)."""
        zones = [z for z in self.generator.all_zones() if name == z or name.endswith("." + z)]
        if not zones:
            raise Failure(f"no zone holds {name}")
        return max(zones, key=len)

    # --- TLSA -------------------------------------------------------------------------

    def tlsa_records(self, mx):
        kind = gen_services.Services.mx_cert_kind(mx["smtp"])
        served = gen_certs.cert_path(self.path("ca"), mx["host"], kind)
        chain = certificates(served)
        if not chain:
            raise Failure(f"{served}: no certificate (did gen_services.py run?)")
        sources = {"leaf": chain[0], "issuer": chain[1] if len(chain) > 1 else None,
                   "root": certificates(self.path("ca", "root.crt"))[0]}
        records = []
        for spec in mx["tlsa"]:
            if "data" in spec:
                data = spec["data"]
            else:
                pem = sources[spec["of"]]
                if pem is None:
                    raise Failure(f"{served}: no issuer certificate in the served chain")
                data = association(selected(pem, spec["selector"]), spec["matching_type"])
            records.append({"usage": spec["usage"], "selector": spec["selector"],
                            "matching_type": spec["matching_type"], "data": data,
                            "from": spec.get("of", "literal")})
        return served, records

    def publish_tlsa(self):
        for entry in self.catalogue["scenarios"]:
            for mx in entry["mx"]:
                if not mx.get("tlsa"):
                    continue
                owner = f"_25._tcp.{mx['host']}"
                served, records = self.tlsa_records(mx)
                zone = self.home_zone(owner)
                self.extra.setdefault(zone, []).extend(
                    f"{owner}. TLSA {r['usage']} {r['selector']} {r['matching_type']} {r['data']}"
                    for r in records)
                self.report["tlsa"][mx["host"]] = {"owner": owner, "zone": zone, "scenario": entry["name"],
                                                   "certificate": served, "records": records}

    # --- keys and signatures ----------------------------------------------------------------

    def sign(self, apex, mode, source):
        keys = self.path("dnssec", "keys")
        os.makedirs(keys, exist_ok=True)
        # -k: a key with the SEP flag (257); signing with it alone, it signs everything.
        result = subprocess.run(["ldns-keygen", "-a", ALGORITHM, "-k", apex + "."], cwd=keys,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise Failure(f"ldns-keygen {apex}: {result.stderr.strip()}")
        base = os.path.join(keys, result.stdout.strip())
        now = int(time.time())
        inception, expiration = (now + offset for offset in VALIDITY[mode])
        run(["ldns-signzone", "-i", str(inception), "-e", str(expiration), "-o", apex + ".",
             "-f", self.zone_file(apex), source, base])
        with open(base + ".ds") as handle:
            ds = handle.read().strip()
        tag = int(re.search(r"\+(\d+)$", base).group(1))
        return ds, tag

    def sign_subtree(self):
        anchor = self.dnssec["trust_anchor"]
        zones = self.dnssec["zones"]
        # Zones outside the map that got TLSA records are published unsigned.
        order = sorted(set(zones) | set(self.extra), key=lambda z: (-z.count("."), z))
        ds_of = {}
        for apex in order:
            mode = zones.get(apex, "unsigned")
            lines = list(self.extra.get(apex, []))
            for child in sorted(ds_of):
                if self.generator.parent_zone(child) == apex:
                    lines.append(ds_of[child])
            source = self.path("dnssec", gen_zones.zone_filename(apex + "."))
            with open(self.zone_file(apex)) as handle:
                text = handle.read()
            with open(source, "w") as handle:
                handle.write(text + "".join(line + "\n" for line in lines))
            record = {"mode": mode}
            if mode in VALIDITY:
                ds, tag = self.sign(apex, mode, source)
                ds_of[apex] = ds
                record.update(key_tag=tag, ds=ds)
            else:
                shutil.copyfile(source, self.zone_file(apex))
            self.report["zones"][apex] = record
        if anchor not in ds_of:
            raise Failure(f"the trust anchor {anchor} is not a signed zone")
        with open(self.generator.trust_anchor_file(), "w") as handle:
            handle.write(ds_of[anchor] + "\n")

    def generate(self):
        directory = self.path("dnssec")
        if os.path.isdir(directory):
            shutil.rmtree(directory)
        os.makedirs(directory)
        self.publish_tlsa()
        self.sign_subtree()
        with open(self.path("dnssec", "dnssec.json"), "w") as handle:
            json.dump(self.report, handle, indent=1)
            handle.write("\n")
        signed = sum(1 for z in self.report["zones"].values() if "ds" in z)
        return signed, len(self.report["zones"]) - signed, sum(
            len(t["records"]) for t in self.report["tlsa"].values())


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", default=os.path.join(HERE, "run"))
    parser.add_argument("--catalogue", default=os.path.join(HERE, "scenarios.json"))
    options = parser.parse_args(argv)
    with open(options.catalogue) as handle:
        catalogue = json.load(handle)
    for tool in ("ldns-keygen", "ldns-signzone"):
        if shutil.which(tool) is None:
            print(f"gen_dnssec: {tool} is missing: run tools/setup.sh testnet", file=sys.stderr)
            return 1
    try:
        signed, unsigned, tlsa_count = Signer(catalogue, options.run).generate()
    except (Failure, OSError) as error:
        print(f"gen_dnssec: {error}", file=sys.stderr)
        return 1
    print(f"gen_dnssec: {signed} zones signed, {unsigned} unsigned in the subtree of "
          f"{catalogue['dnssec']['trust_anchor']}; {tlsa_count} TLSA records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
