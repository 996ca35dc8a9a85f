#!/usr/bin/env python3
"""Print a buildpack's default process types as a JSON object.

Usage: release-types.py RELEASE_YML

RELEASE_YML is what `bin/release` printed. Only `default_process_types` is
read, in the two shapes buildpacks write:

    default_process_types:          default_process_types: {web: npm start}
      web: npm start
      worker: node worker.js

Anything else in the document (addons, config_vars) is ignored. The stack
has no YAML library, so this is a small line reader rather than a parser.
Exits 2 with the reason on stderr when a process line cannot be read.
"""

import json
import re
import sys

TYPE_LINE = re.compile(r"^(\s+)([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*$")
KEY_LINE = re.compile(r"^default_process_types\s*:\s*(.*?)\s*$")


def unquote(value):
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else json.loads(value)
    return value


def read_types(text):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = KEY_LINE.match(line)
        if not m:
            continue
        rest = m.group(1)
        if rest in ("{}", "~", "null"):
            return {}
        if rest.startswith("{") and rest.endswith("}"):
            types = {}
            for pair in filter(None, (p.strip() for p in rest[1:-1].split(","))):
                name, sep, command = pair.partition(":")
                if not sep:
                    raise ValueError("cannot read %r" % pair)
                types[name.strip()] = unquote(command.strip())
            return types
        if rest:
            raise ValueError("cannot read default_process_types: %r" % rest)
        types = {}
        for follow in lines[i + 1:]:
            if not follow.strip() or follow.lstrip().startswith("#"):
                continue
            if not follow[0].isspace():
                break
            t = TYPE_LINE.match(follow)
            if not t:
                raise ValueError("cannot read %r" % follow)
            types[t.group(2)] = unquote(t.group(3))
        return types
    return {}


def main(argv):
    if len(argv) != 1:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            types = read_types(f.read())
    except (OSError, ValueError) as e:
        sys.stderr.write("%s\n" % e)
        return 2
    print(json.dumps(types, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
