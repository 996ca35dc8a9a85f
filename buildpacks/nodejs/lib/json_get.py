#!/usr/bin/env python3
"""Print one value from a JSON file.

Usage:
  json_get.py FILE KEY...       print the value at FILE[KEY][KEY]...
  json_get.py --check FILE      exit 0 when FILE is a JSON object, else print why

Keys are separate arguments, so a version such as 24.3.0 is one key.
Strings print as they are; other values print as JSON. A missing key, or a
value that is null, an empty object or an empty list, exits 1 and prints
nothing. An unreadable file exits 2 with the reason on stderr.
"""

import json
import sys


def main(argv):
    if len(argv) == 2 and argv[0] == "--check":
        try:
            with open(argv[1], encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(e)
            return 2
        if not isinstance(doc, dict):
            print("the top level is not an object")
            return 2
        return 0
    if len(argv) < 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            value = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("%s: %s\n" % (argv[0], e))
        return 2
    for key in argv[1:]:
        if isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return 1
    if value is None or value == {} or value == []:
        return 1
    print(value if isinstance(value, str) else json.dumps(value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
