#!/usr/bin/env python3
"""Check a downloaded file against an npm `dist.integrity` string.

Usage: check_integrity.py FILE INTEGRITY

INTEGRITY is Subresource Integrity as npm writes it: space-separated
`<algorithm>-<base64 digest>` entries. Only sha512 entries count; the file
passes when it matches one of them. Exit 0 on a match, 1 on a mismatch, 2 when
there is no sha512 entry or the file cannot be read.
"""

import base64
import hashlib
import sys


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    path, integrity = argv
    wanted = set()
    for entry in integrity.split():
        algorithm, _, digest = entry.partition("-")
        if algorithm == "sha512" and digest:
            try:
                wanted.add(base64.b64decode(digest.split("?")[0], validate=True))
            except ValueError:
                pass
    if not wanted:
        sys.stderr.write("no sha512 digest in %r\n" % integrity)
        return 2
    h = hashlib.sha512()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as e:
        sys.stderr.write("%s\n" % e)
        return 2
    if h.digest() in wanted:
        return 0
    sys.stderr.write("sha512-%s does not match\n" % base64.b64encode(h.digest()).decode())
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
