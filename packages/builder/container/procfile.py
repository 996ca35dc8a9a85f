#!/usr/bin/env python3
"""Check a Procfile and print its process types, comma-separated.

Usage: procfile.py PROCFILE

The rules are those of parseProcfile in packages/core/src/procfile.ts, so a
Procfile fails here exactly when the builder would reject it: a leading BOM
is dropped, lines may end in CRLF, blank lines and lines starting with # are
skipped, every other line must be `type: command` with a type of 1-63
letters, digits, "_" or "-", a non-empty command and no type twice (types
compare case-insensitively and print in lower case).

Exit 0 printing e.g. "web, worker"; exit 1 printing
`Procfile line N: <what is wrong>.` on stdout.
"""

import json
import re
import sys

LINE = re.compile(r"^([^:\s]+)\s*:\s*(.*)$", re.S)
TYPE = re.compile(r"^[A-Za-z0-9_-]{1,63}$")


def _quote(text):
    return json.dumps(text if len(text) <= 60 else text[:60] + "...", ensure_ascii=False)


def parse(text):
    """Process types in order, or ValueError('Procfile line N: ...')."""
    if text.startswith("\ufeff"):
        text = text[1:]
    types = {}
    for number, raw in enumerate(re.split(r"\r?\n", text), start=1):
        line = raw.strip()
        if line == "" or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            raise ValueError('Procfile line %d: expected "type: command", got %s.' % (number, _quote(line)))
        name, command = m.group(1), m.group(2).strip()
        if not TYPE.match(name):
            raise ValueError('Procfile line %d: process type %s may only contain letters, digits, "_" and "-".'
                             % (number, _quote(name)))
        name = name.lower()
        if not command:
            raise ValueError('Procfile line %d: process type "%s" has no command.' % (number, name))
        if name in types:
            raise ValueError('Procfile line %d: process type "%s" is declared twice.' % (number, name))
        types[name] = command
    return types


def main(argv):
    if len(argv) != 1:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        with open(argv[0], encoding="utf-8", errors="replace", newline="") as f:
            types = parse(f.read())
    except OSError as e:
        print("Cannot read the Procfile: %s" % e)
        return 1
    except ValueError as e:
        print(e)
        return 1
    print(", ".join(types))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
