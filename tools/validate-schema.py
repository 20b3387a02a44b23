#!/usr/bin/env python3
"""Validate mtascan NDJSON records against docs/scan-record.schema.json.

    tools/validate-schema.py scan.ndjson [more.ndjson ...]
    mtascan scan ... | tools/validate-schema.py
    tools/validate-schema.py --schema other.schema.json -

Every line must be one JSON object that the schema accepts. Prints the first
errors with file and line numbers (at most --max-errors, default 20) and exits
1 when any line fails, 2 on a usage error, 0 when every line is valid. Needs
python3-jsonschema (Debian; tools/setup.sh testnet installs it).
"""
import argparse
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("validate-schema: python3-jsonschema is missing (apt-get install python3-jsonschema)\n")
    sys.exit(2)

DEFAULT_SCHEMA = pathlib.Path(__file__).resolve().parent.parent / "docs" / "scan-record.schema.json"


def expand(error):
    """The errors worth reading behind `error`.

    A nullable object is `anyOf: [object, null]`, and "is not valid under any of
    the given schemas" hides the real mistake. When exactly one alternative failed
    for more than its type (the object branch of a non-null object), its own
    errors are reported instead, recursively.
    """
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        real = [subs for subs in branches.values() if not (len(subs) == 1 and subs[0].validator == "type")]
        if len(real) == 1:
            return [leaf for sub in real[0] for leaf in expand(sub)]
    return [error]


def describe(error):
    """`$.mx.hosts[0].provider: 'x' is not of type ...`: where in the record, then what."""
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return f"{path}: {error.message}"


def main():
    parser = argparse.ArgumentParser(description="Validate mtascan NDJSON records against the JSON Schema.")
    parser.add_argument("files", nargs="*", default=["-"], help="NDJSON files; - or none for standard input")
    parser.add_argument("--schema", default=str(DEFAULT_SCHEMA), help="schema file (default: %(default)s)")
    parser.add_argument("--max-errors", type=int, default=20, help="errors to print before stopping to list them")
    args = parser.parse_args()

    with open(args.schema, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    records = failures = printed = 0
    for name in args.files:
        handle = sys.stdin if name == "-" else open(name, encoding="utf-8")
        label = "<stdin>" if name == "-" else name
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                records += 1
                try:
                    record = json.loads(line)
                    errors = [leaf for error in validator.iter_errors(record) for leaf in expand(error)]
                    errors.sort(key=lambda e: [str(part) for part in e.absolute_path])
                    messages = [describe(error) for error in errors]
                except json.JSONDecodeError as error:
                    messages = [f"not JSON: {error}"]
                if not messages:
                    continue
                failures += 1
                for message in messages:
                    if printed < args.max_errors:
                        print(f"{label}:{number}: {message}")
                    printed += 1
    if printed > args.max_errors:
        print(f"... and {printed - args.max_errors} more errors")
    print(f"validate-schema: {records} records, {failures} invalid", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
