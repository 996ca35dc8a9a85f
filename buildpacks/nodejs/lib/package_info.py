#!/usr/bin/env python3
"""Read what bin/compile needs from package.json in one go.

Usage: package_info.py PACKAGE_JSON

Prints shell assignments (values quoted for the shell) for bin/compile to
eval, instead of starting python once per field:
  engines_node engines_npm engines_yarn engines_pnpm   ("" when missing)
  package_manager    the packageManager field, e.g. "pnpm@10.12.1"
  scripts            " name name ... " (space-padded, for case patterns)
  has_dev_dependencies, has_workspaces   "true" or "false"
Exit 2, with the reason on stdout, when the file is not a JSON object.
"""

import shlex
import sys

from json_doc import NotAnObject, load_object


def text(value):
    return value.strip() if isinstance(value, str) else ""


def main(argv):
    if len(argv) != 1:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        doc = load_object(argv[0])
    except NotAnObject as e:
        print(e)
        return 2
    engines = doc.get("engines") if isinstance(doc.get("engines"), dict) else {}
    scripts = doc.get("scripts") if isinstance(doc.get("scripts"), dict) else {}
    names = [k for k, v in scripts.items() if isinstance(v, str) and " " not in k]
    values = {
        "engines_node": text(engines.get("node")),
        "engines_npm": text(engines.get("npm")),
        "engines_yarn": text(engines.get("yarn")),
        "engines_pnpm": text(engines.get("pnpm")),
        "package_manager": text(doc.get("packageManager")),
        "scripts": " %s " % " ".join(names) if names else " ",
        "has_dev_dependencies": "true" if doc.get("devDependencies") else "false",
        "has_workspaces": "true" if doc.get("workspaces") else "false",
    }
    for key, value in values.items():
        print("%s=%s" % (key, shlex.quote(value)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
