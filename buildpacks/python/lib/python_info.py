#!/usr/bin/env python3
"""What the python buildpack needs to know about an app, one command each.

Usage:
  python_info.py runtime APP_DIR STACK_VERSION
      The Python version the app asks for (runtime.txt, else .python-version)
      as shell assignments: runtime_source (file name, or empty),
      runtime_requested (as written, e.g. python-3.12.1), runtime_ok
      (true when the stack's STACK_VERSION satisfies it: same major.minor)
      and runtime_error (why the file cannot be read, or empty).
  python_info.py has-requirements FILE
      Exit 0 when FILE has a line that is not blank or a comment.
  python_info.py pipfile APP_DIR
      Requirement lines for pip from Pipfile.lock's "default" section, or
      from Pipfile's [packages] when there is no lock. Exit 1 if neither.
  python_info.py cache-key FILE TEXT...
      A sha256 of FILE, the files it includes (-r, -c) and each TEXT. Exit 3
      when FILE installs local paths or editables, whose content the key
      cannot see.
  python_info.py web APP_DIR REQUIREMENTS_FILE
      The default web command: gunicorn when REQUIREMENTS_FILE lists it,
      with the app's WSGI module (Django's PROJECT/wsgi.py, else wsgi.py,
      app.py or main.py); nothing otherwise.
"""

import hashlib
import json
import os
import re
import shlex
import sys

RUNTIME_TXT = re.compile(r"^python-(\d+)\.(\d+)(?:\.(\d+|x))?$")
PYTHON_VERSION = re.compile(r"^(?:python-?)?(\d+)\.(\d+)(?:\.(\d+|x))?$")
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def first_line(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                return line
    return ""


def runtime(app, stack):
    stack_mm = tuple(stack.split(".")[:2])
    out = {"runtime_source": "", "runtime_requested": "", "runtime_ok": "true", "runtime_error": ""}
    for name, pattern, prefix in ((
            "runtime.txt", RUNTIME_TXT, ""), (".python-version", PYTHON_VERSION, "python-")):
        path = os.path.join(app, name)
        if not os.path.isfile(path):
            continue
        out["runtime_source"] = name
        try:
            text = first_line(path)
        except OSError as e:
            out["runtime_error"] = "%s cannot be read: %s" % (name, e)
            out["runtime_ok"] = "false"
            break
        if name == ".python-version" and text == "system":
            out["runtime_requested"] = "the stack's Python (system)"
            break
        m = pattern.match(text)
        if not m:
            example = "python-%s" % ".".join(stack_mm) if name == "runtime.txt" else ".".join(stack_mm)
            out["runtime_error"] = '%s says "%s", which is not a Python version (write %s)' % (
                name, text, example)
            out["runtime_ok"] = "false"
            break
        out["runtime_requested"] = text if text.startswith("python-") else prefix + text
        if (m.group(1), m.group(2)) != stack_mm:
            out["runtime_ok"] = "false"
        break
    for key, value in out.items():
        print("%s=%s" % (key, shlex.quote(value)))
    return 0


def requirement_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line


def has_requirements(path):
    try:
        return 0 if any(True for _ in requirement_lines(path)) else 1
    except OSError:
        return 1


def pipfile(app):
    lock = os.path.join(app, "Pipfile.lock")
    lines = []
    if os.path.isfile(lock):
        with open(lock, encoding="utf-8") as f:
            doc = json.load(f)
        for name, spec in sorted((doc.get("default") or {}).items()):
            if not isinstance(spec, dict):
                continue
            if "path" in spec or "file" in spec:
                target = spec.get("path") or spec.get("file")
                lines.append(("-e " if spec.get("editable") else "") + target)
                continue
            if "git" in spec:
                ref = "@" + spec["ref"] if spec.get("ref") else ""
                lines.append("%s @ git+%s%s" % (name, spec["git"], ref))
                continue
            extras = "[%s]" % ",".join(spec["extras"]) if spec.get("extras") else ""
            line = name + extras + (spec.get("version") or "")
            if spec.get("markers"):
                line += " ; " + spec["markers"]
            lines.append(line)
    elif os.path.isfile(os.path.join(app, "Pipfile")):
        import tomllib
        with open(os.path.join(app, "Pipfile"), "rb") as f:
            doc = tomllib.load(f)
        for name, spec in (doc.get("packages") or {}).items():
            if isinstance(spec, str):
                lines.append(name if spec == "*" else name + spec)
            elif isinstance(spec, dict) and "version" in spec:
                version = spec["version"]
                lines.append(name if version == "*" else name + version)
            elif isinstance(spec, dict) and "path" in spec:
                lines.append(("-e " if spec.get("editable") else "") + spec["path"])
            elif isinstance(spec, dict) and "git" in spec:
                ref = "@" + spec["ref"] if spec.get("ref") else ""
                lines.append("%s @ git+%s%s" % (name, spec["git"], ref))
            else:
                lines.append(name)
    else:
        return 1
    for line in lines:
        print(line)
    return 0


def is_local(line):
    if line.startswith(("-e", "--editable")):
        return True
    target = line.split(";", 1)[0].strip()
    if " @ " in target:
        target = target.split(" @ ", 1)[1].strip()
    return target.startswith((".", "/", "file:")) or target.endswith((".whl", ".tar.gz", ".zip"))


def cache_key(path, texts):
    h = hashlib.sha256()
    seen = set()

    def add(file):
        real = os.path.realpath(file)
        if real in seen:
            return 0
        seen.add(real)
        with open(file, "rb") as f:
            data = f.read()
        h.update(b"%s %d\n" % (os.path.basename(file).encode(), len(data)))
        h.update(data)
        for line in requirement_lines(file):
            m = re.match(r"^(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)", line)
            if m:
                if add(os.path.join(os.path.dirname(file), m.group(1))) == 3:
                    return 3
            elif not line.startswith("-") and is_local(line):
                return 3
            elif line.startswith(("-e", "--editable")):
                return 3
        return 0

    try:
        if add(path) == 3:
            return 3
    except OSError as e:
        sys.stderr.write("%s\n" % e)
        return 2
    for text in texts:
        h.update(b"text %d\n" % len(text.encode()))
        h.update(text.encode())
    print(h.hexdigest())
    return 0


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lists(path, wanted):
    try:
        for line in requirement_lines(path):
            if line.startswith("-"):
                continue
            m = NAME.match(line)
            if m and normalize(m.group(1)) == wanted:
                return True
    except OSError:
        pass
    return False


def web(app, requirements):
    if not lists(requirements, "gunicorn"):
        return 0
    module = None
    if os.path.isfile(os.path.join(app, "manage.py")):
        for entry in sorted(os.listdir(app)):
            if os.path.isfile(os.path.join(app, entry, "wsgi.py")):
                module = "%s.wsgi" % entry  # Django: the callable is `application`
                break
    if module is None:
        for name, callable_ in (("wsgi", None), ("app", "app"), ("main", "app")):
            if os.path.isfile(os.path.join(app, name + ".py")):
                module = name + (":" + callable_ if callable_ else "")
                break
    if module:
        print("gunicorn %s" % module)
    return 0


def main(argv):
    try:
        command, args = argv[0], argv[1:]
        if command == "runtime" and len(args) == 2:
            return runtime(*args)
        if command == "has-requirements" and len(args) == 1:
            return has_requirements(args[0])
        if command == "pipfile" and len(args) == 1:
            return pipfile(args[0])
        if command == "cache-key" and args:
            return cache_key(args[0], args[1:])
        if command == "web" and len(args) == 2:
            return web(*args)
    except IndexError:
        pass
    except (OSError, ValueError) as e:
        sys.stderr.write("%s\n" % e)
        return 2
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
