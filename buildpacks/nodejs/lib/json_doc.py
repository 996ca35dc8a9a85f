"""Loading a JSON document that must be an object, shared by the lib scripts."""

import json


class NotAnObject(Exception):
    """The file is unreadable, not JSON, or its top level is not an object."""


def load_object(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise NotAnObject(str(e)) from e
    if not isinstance(doc, dict):
        raise NotAnObject("the top level is not an object")
    return doc
