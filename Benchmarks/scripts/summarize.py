#!/usr/bin/env python3
"""p50 time and allocations per benchmark from `swift package benchmark --format markdown` output.

    cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --format markdown > /tmp/b.md
    python3 scripts/summarize.py /tmp/b.md
"""
import re
import sys

text = open(sys.argv[1]).read()
for block in re.split(r"^### ", text, flags=re.M)[1:]:
    name = block.splitlines()[0].strip()
    time = re.search(r"\| Time \(wall clock\) \((\w+)\) \*\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(\S+)", block)
    mallocs = re.search(r"\| Malloc \(total\)[^|]*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(\S+)", block)
    if time:
        print(f"| {name} | {time.group(4)} {time.group(1)} | {mallocs.group(3) if mallocs else '-'} |")
