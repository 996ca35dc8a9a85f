#!/usr/bin/env python3
"""Print the key under which an app's installed node_modules is cached.

Usage: cache_key.py APP_DIR LOCKFILE [TEXT...]

The key is a sha256 over everything that decides what an install puts in
node_modules: the lockfile, the fields of package.json that npm, yarn and pnpm
install from (not scripts, name or version, so editing a script keeps the
cache), the package managers' config files in APP_DIR, and each TEXT (the
node and package manager versions, install settings from config vars).
Exit 2 when the lockfile or package.json cannot be read.
"""

import hashlib
import json
import os
import sys

PACKAGE_FIELDS = (
    "dependencies", "devDependencies", "optionalDependencies", "peerDependencies",
    "peerDependenciesMeta", "bundleDependencies", "bundledDependencies",
    "overrides", "resolutions", "workspaces", "pnpm", "packageManager",
)
CONFIG_FILES = (".npmrc", ".yarnrc", ".yarnrc.yml", ".pnpmfile.cjs", "pnpm-workspace.yaml")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    app, lockfile, texts = argv[0], argv[1], argv[2:]
    h = hashlib.sha256()

    def add(label, data):
        h.update(b"%s %d\n" % (label.encode(), len(data)))
        h.update(data)

    try:
        with open(os.path.join(app, lockfile), "rb") as f:
            add(lockfile, f.read())
        with open(os.path.join(app, "package.json"), encoding="utf-8") as f:
            package = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("%s\n" % e)
        return 2
    fields = {k: package.get(k) for k in PACKAGE_FIELDS if k in package}
    add("package.json", json.dumps(fields, sort_keys=True).encode())
    for name in CONFIG_FILES:
        try:
            with open(os.path.join(app, name), "rb") as f:
                add(name, f.read())
        except OSError:
            pass
    for text in texts:
        add("text", text.encode())
    print(h.hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
