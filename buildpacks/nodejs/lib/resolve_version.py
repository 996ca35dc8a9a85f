#!/usr/bin/env python3
"""Resolve a semver range against the versions in an npm packument.

Usage:
  resolve_version.py [--engines-node VERSION] [--today YYYY-MM-DD] [--with-dist] RANGE [PACKUMENT.json]

Reads the packument (the registry document for one package, full or
abbreviated) from PACKUMENT.json, or from stdin when no file is given, and
prints the highest version that RANGE matches.

RANGE follows node-semver: `16.x`, `>=18 <21`, `^20.11`, `~22.1`, `22`, `*`,
`24.3.0`, `1.2 - 2.3`, `a || b`, a leading `v`, plus the aliases `latest`
(or `node`, `current`), `lts/*` (or `lts`) and `lts/<codename>`.
Prerelease versions are only chosen when the range names one exactly.
Deprecated versions are only chosen when nothing else matches.

--engines-node VERSION keeps only versions whose `engines.node` accepts
VERSION (versions without `engines.node` are kept). The buildpack uses it to
pick an npm that runs on the node it installed.

--today YYYY-MM-DD fixes the date `lts/*` is judged against (default: now).

--with-dist prints `VERSION INTEGRITY TARBALL_URL` on one line (the version's
`dist.integrity` and `dist.tarball`), so the buildpack reads the packument
once; it exits 1 if the version lacks either.

Exit status: 0 and the version on stdout; 1 when nothing matches; 2 when the
range or the packument cannot be read. Messages go to stderr.
"""

import datetime
import json
import re
import sys

# Node's LTS codenames. Node 26 is missing because its codename was not known
# when this was written; `lts/*` and `26.x` work without it.
LTS_CODENAMES = {
    "argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12,
    "fermium": 14, "gallium": 16, "hydrogen": 18, "iron": 20, "jod": 22,
    "krypton": 24,
}

VERSION_RE = re.compile(
    r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
PARTIAL_RE = re.compile(
    r"^v?(\d+|[xX*])(?:\.(\d+|[xX*])(?:\.(\d+|[xX*])"
    r"(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?)?)?$")
COMPARATOR_RE = re.compile(r"^(<=|>=|<|>|=|~>|~|\^)?(.*)$")
ANY = []  # a comparator list that matches every release


class RangeError(ValueError):
    pass


def parse_version(text):
    """'24.3.0' -> (24, 3, 0, None); '4.1.0-pkg1' -> (4, 1, 0, 'pkg1'); else None."""
    m = VERSION_RE.match(text.strip())
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4))


def _partial(text, whole):
    m = PARTIAL_RE.match(text)
    if not m:
        raise RangeError('Invalid version range "%s"' % whole)
    parts = []
    for g in m.group(1, 2, 3):
        if g is None or g in ("x", "X", "*") or (parts and parts[-1] is None):
            parts.append(None)  # everything after a wildcard is a wildcard too
        else:
            parts.append(int(g))
    return parts[0], parts[1], parts[2], m.group(4)


def _xrange(op, major, minor, patch, pre):
    """One primitive (`>=1.2`, `1.x`, `=3.0.0`) as a list of (op, tuple) pairs."""
    if major is None:
        return [("<", (0, 0, 0))] if op in ("<", ">") else ANY
    if op in ("", "="):
        if minor is None:
            return [(">=", (major, 0, 0)), ("<", (major + 1, 0, 0))]
        if patch is None:
            return [(">=", (major, minor, 0)), ("<", (major, minor + 1, 0))]
        return [("=", (major, minor, patch), pre)]
    if op == ">":
        if minor is None:
            return [(">=", (major + 1, 0, 0))]
        if patch is None:
            return [(">=", (major, minor + 1, 0))]
        return [(">", (major, minor, patch))]
    if op == "<=":
        if minor is None:
            return [("<", (major + 1, 0, 0))]
        if patch is None:
            return [("<", (major, minor + 1, 0))]
        return [("<=", (major, minor, patch))]
    # >= and < with missing parts read as zeros
    return [(op, (major, minor or 0, patch or 0))]


def _tilde(major, minor, patch):
    if major is None:
        return ANY
    if minor is None:
        return [(">=", (major, 0, 0)), ("<", (major + 1, 0, 0))]
    return [(">=", (major, minor, patch or 0)), ("<", (major, minor + 1, 0))]


def _caret(major, minor, patch):
    if major is None:
        return ANY
    low = (major, minor or 0, patch or 0)
    if major > 0 or minor is None:
        return [(">=", low), ("<", (major + 1, 0, 0))]
    if minor > 0 or patch is None:
        return [(">=", low), ("<", (0, minor + 1, 0))]
    return [(">=", low), ("<", (0, 0, patch + 1))]


def _hyphen(low, high, whole):
    lo_major, lo_minor, lo_patch, _ = _partial(low, whole)
    hi_major, hi_minor, hi_patch, _ = _partial(high, whole)
    result = []
    if lo_major is not None:
        result.append((">=", (lo_major, lo_minor or 0, lo_patch or 0)))
    if hi_major is not None:
        result += _xrange("<=", hi_major, hi_minor, hi_patch, None)
    return result


def parse_range(text, lts_major=None):
    """A range string -> list of alternatives, each a list of comparators.

    lts_major(codename_or_star) is called for `lts/...` aliases and must
    return a major version number.
    """
    whole = text
    text = text.strip()
    lowered = text.lower()
    if lowered in ("", "*", "latest", "node", "current", "x"):
        return [ANY]
    if lowered in ("lts", "lts/*") or lowered.startswith("lts/"):
        if lts_major is None:
            raise RangeError('"%s" needs the release dates of a packument' % whole)
        return [[(">=", (lts_major(lowered), 0, 0)),
                 ("<", (lts_major(lowered) + 1, 0, 0))]]
    alternatives = []
    for part in text.split("||"):
        part = part.strip()
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", part)
        if hyphen:
            alternatives.append(_hyphen(hyphen.group(1), hyphen.group(2), whole))
            continue
        # `>= 18` is `>=18`
        part = re.sub(r"(<=|>=|<|>|=|~>|~|\^)\s+", r"\1", part)
        comparators = []
        for token in part.split():
            m = COMPARATOR_RE.match(token)
            op, rest = m.group(1) or "", m.group(2)
            major, minor, patch, pre = _partial(rest, whole)
            if op in ("~", "~>"):
                comparators += _tilde(major, minor, patch)
            elif op == "^":
                comparators += _caret(major, minor, patch)
            else:
                comparators += _xrange(op, major, minor, patch, pre)
        alternatives.append(comparators)
    return alternatives


def _test(comparator, version):
    op, bound = comparator[0], comparator[1]
    core = version[:3]
    if op == "=":
        return core == bound and version[3] == comparator[2]
    return {
        "<": core < bound, "<=": core <= bound,
        ">": core > bound, ">=": core >= bound,
    }[op]


def satisfies(version, alternatives):
    """version is a parse_version tuple."""
    for comparators in alternatives:
        if version[3] is not None:
            # A prerelease only matches a range that names it exactly.
            exact = [c for c in comparators if c[0] == "=" and c[2] is not None]
            if not exact:
                continue
        if all(_test(c, version) for c in comparators):
            return True
    return False


def lts_start(major):
    """Even Node majors come out in April of 2013 + major/2 and become LTS at
    the end of October of that year (18 in 2022, 20 in 2023, 22 in 2024,
    24 in 2025, 26 in 2026). We count them as LTS from 1 November."""
    if major % 2 or major < 4:
        return None
    return datetime.date(2013 + major // 2, 11, 1)


def make_lts_major(majors, today):
    def lts_major(alias):
        if alias in ("lts", "lts/*"):
            candidates = [m for m in majors if lts_start(m) and lts_start(m) <= today]
            if not candidates:
                raise RangeError('No LTS line in the packument as of %s' % today)
            return max(candidates)
        name = alias[len("lts/"):]
        if name not in LTS_CODENAMES:
            raise RangeError('Unknown LTS codename "%s" (known: %s)'
                             % (name, ", ".join(sorted(LTS_CODENAMES))))
        return LTS_CODENAMES[name]
    return lts_major


def resolve(range_text, packument, engines_node=None, today=None):
    """The highest version string in packument matching range_text, or None."""
    versions = packument.get("versions")
    if not isinstance(versions, dict):
        raise RangeError("The packument has no versions")
    parsed = {}
    for key in versions:
        v = parse_version(key)
        if v is not None:
            parsed[key] = v
    today = today or datetime.date.today()
    majors = {v[0] for v in parsed.values() if v[3] is None}
    alternatives = parse_range(range_text, make_lts_major(majors, today))
    node = None
    if engines_node is not None:
        node = parse_version(engines_node)
        if node is None:
            raise RangeError('Invalid node version "%s"' % engines_node)

    def runs_on_node(meta):
        wanted = (meta.get("engines") or {}).get("node") if isinstance(meta, dict) else None
        if node is None or not isinstance(wanted, str):
            return True
        try:
            return satisfies(node, parse_range(wanted))
        except RangeError:
            return True  # an unreadable engines field does not rule a version out

    matches = [k for k, v in parsed.items()
               if satisfies(v, alternatives) and runs_on_node(versions[k])]
    if not matches:
        return None
    current = [k for k in matches
               if not (isinstance(versions[k], dict) and versions[k].get("deprecated"))]
    pool = current or matches

    def order(key):
        v = parsed[key]
        # releases sort above prereleases of the same version
        return (v[0], v[1], v[2], v[3] is None, v[3] or "")
    return max(pool, key=order)


def main(argv):
    args = list(argv)
    engines_node = None
    today = None
    with_dist = False
    try:
        while args and args[0].startswith("--"):
            flag = args.pop(0)
            if flag == "--engines-node":
                engines_node = args.pop(0)
            elif flag == "--today":
                today = datetime.date.fromisoformat(args.pop(0))
            elif flag == "--with-dist":
                with_dist = True
            else:
                raise IndexError
        if len(args) not in (1, 2):
            raise IndexError
    except (IndexError, ValueError):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    range_text = args[0]
    source = args[1] if len(args) == 2 else None
    try:
        if source is None:
            packument = json.load(sys.stdin)
        else:
            with open(source, encoding="utf-8") as f:
                packument = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("Could not read the packument: %s\n" % e)
        return 2
    name = packument.get("name", "the package") if isinstance(packument, dict) else "the package"
    try:
        found = resolve(range_text, packument, engines_node, today)
    except RangeError as e:
        sys.stderr.write("%s\n" % e)
        return 2
    if found is None:
        extra = " that runs on node %s" % engines_node if engines_node else ""
        sys.stderr.write('No version of %s%s matches "%s"\n' % (name, extra, range_text))
        return 1
    if with_dist:
        meta = packument["versions"][found]
        dist = meta.get("dist") if isinstance(meta, dict) else None
        dist = dist if isinstance(dist, dict) else {}
        integrity, tarball = dist.get("integrity"), dist.get("tarball")
        if not isinstance(integrity, str) or not integrity.strip():
            sys.stderr.write("The registry lists no integrity hash for %s@%s, so it cannot be checked\n"
                             % (name, found))
            return 1
        if not isinstance(tarball, str) or not tarball.strip():
            sys.stderr.write("The registry lists no tarball for %s@%s\n" % (name, found))
            return 1
        # Integrity strings may hold several space-separated hashes; keep sha512.
        sha512 = [e for e in integrity.split() if e.startswith("sha512-")]
        print("%s %s %s" % (found, sha512[0] if sha512 else integrity.split()[0], tarball.strip()))
        return 0
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
