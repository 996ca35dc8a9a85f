#!/usr/bin/env python3
"""Exit 0 when FILE is a JSON object; otherwise print why and exit 2.

Usage: check_json.py FILE
"""

import sys

from json_doc import NotAnObject, load_object


def main(argv):
    if len(argv) != 1:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        load_object(argv[0])
    except NotAnObject as e:
        print(e)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
