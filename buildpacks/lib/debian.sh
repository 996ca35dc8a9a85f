# shellcheck shell=bash
# Debian packages for buildpacks, in the manner of heroku-buildpack-apt: the
# build downloads .deb files from the Debian mirror with apt-get (which checks
# them against the mirror's signed package lists) and unpacks them with
# `dpkg -x` where the buildpack wants them (its cache, or the app). Nothing is
# installed into the build container's own system. Sourced after
# nodejs/lib/common.sh (info, indent).
#
# The stack's apt configuration is not used: the sources list and the package
# lists live in APT_DIR, a directory of the buildpack's cache, so this works
# with the stack's empty /var/lib/apt/lists. The lists (50 MB for bookworm)
# are deleted once the downloads are done: a build that finds what it needs
# in its cache needs neither them nor the network. DEBIAN_MIRROR (a config
# var) points at another mirror.
#
# Usage:
#   debian_update APT_DIR "bookworm bookworm-backports"
#   debian_names APT_DIR golang-1.                -> golang-1.19-go ...
#   debian_version APT_DIR golang-1.22-go        -> 1.22.12-3~bpo12+1
#   debian_download APT_DIR DEST_DIR golang-1.22-go golang-1.22-src
#   debian_forget APT_DIR
#   debian_unpack DEST_DIR DEB... [-- EXCLUDE...]

DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_MIRROR="${DEBIAN_MIRROR%/}"

# debian_run APT_DIR COMMAND ARGS...: apt-get or apt-cache with its state in
# APT_DIR.
debian_run() {
  local dir="$1" command="$2"
  shift 2
  "$command" -q \
    -o Dir::Etc::SourceList="$dir/sources.list" \
    -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$dir/lists" \
    -o Dir::Cache="$dir" \
    -o Dir::Cache::archives="$dir/archives" \
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
    -o Acquire::Languages=none \
    -o APT::Update::Error-Mode=any \
    -o Debug::NoLocking=1 \
    -o APT::Sandbox::User=root \
    "$@"
}

# debian_update APT_DIR SUITES: read the package lists of the main component
# of each suite (space-separated) of DEBIAN_MIRROR. Prints apt's progress
# indented; returns non-zero when a list cannot be fetched or checked.
debian_update() {
  local dir="$1" suite
  rm -rf "$dir/lists"
  mkdir -p "$dir/lists/partial" "$dir/archives/partial"
  : >"$dir/sources.list"
  for suite in $2; do
    printf 'deb %s %s main\n' "$DEBIAN_MIRROR" "$suite" >>"$dir/sources.list"
  done
  info "Reading the package lists of Debian ${2// /, } from $DEBIAN_MIRROR"
  debian_run "$dir" apt-get update 2>&1 | sed -u '/^Reading package lists/d' | indent
}

# debian_version APT_DIR PACKAGE: the version apt would download, or exit 1.
debian_version() {
  local version
  version="$(debian_run "$1" apt-cache show --no-all-versions "$2" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)"
  [ -n "$version" ] && printf '%s\n' "$version"
}

# debian_names APT_DIR PREFIX: the names of the packages that start with
# PREFIX, one a line.
debian_names() { debian_run "$1" apt-cache pkgnames "$2" 2>/dev/null | LC_ALL=C sort; }

# debian_download APT_DIR DEST_DIR PACKAGE...: the .deb of each PACKAGE (not
# its dependencies) into DEST_DIR, which is emptied first.
debian_download() {
  local dir="$1" dest="$2"
  shift 2
  rm -rf "$dest"
  mkdir -p "$dest"
  (cd "$dest" && debian_run "$dir" apt-get download "$@" 2>&1 | indent)
}

# debian_forget APT_DIR: drop the package lists (50 MB) once done.
debian_forget() { rm -rf "$1/lists" "$1/archives"; }

# debian_unpack DEST_DIR DEB... [-- EXCLUDE...]: unpack each package's files
# under DEST_DIR, as `dpkg -x` does, but without the paths that match an
# EXCLUDE pattern (tar --exclude, e.g. '*/testdata') or the packages'
# documentation.
debian_unpack() {
  local dest="$1" deb
  shift
  local -a debs=() excludes=(--exclude=./usr/share/doc --exclude=./usr/share/man)
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    debs+=("$1")
    shift
  done
  if [ "${1:-}" = -- ]; then
    shift
    for pattern in "$@"; do excludes+=("--exclude=$pattern"); done
  fi
  mkdir -p "$dest"
  for deb in "${debs[@]}"; do
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest" "${excludes[@]}" || return 1
  done
}
