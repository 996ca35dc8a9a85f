# shellcheck shell=bash
# Helpers for bin/compile. Sourced, not run.
# Output follows the Heroku convention: "-----> " starts a step, detail lines
# are indented by seven spaces, " !     " marks the failure that ends a build.

topic() { printf -- '-----> %s\n' "$*"; }
info() { if [ -n "$*" ]; then printf '       %s\n' "$*"; else echo; fi; }
warn() { printf ' !     %s\n' "$*"; }

# fail REASON [DETAIL...]: print the reason, then any detail lines, and stop.
fail() {
  printf ' !     %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf ' !     %s\n' "$line" >&2; done
  exit 1
}

# Indent a subprocess's output line by line as it arrives (sed -u does not
# buffer), so a long npm install streams to the pusher instead of arriving at
# the end.
indent() { sed -u 's/^/       /'; }

# export_env_dir DIR: export each file in DIR as a variable named after the
# file, holding the file's contents. Values are never printed. Names that are
# not shell identifiers, and variables that would break the build itself, are
# skipped (the same list Heroku's buildpacks skip, plus a few shell internals).
export_env_dir() {
  local dir="$1" file name
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  for file in "$dir"/*; do
    [ -f "$file" ] || continue
    name="${file##*/}"
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    case "$name" in
      PATH | GIT_DIR | CPATH | CPPATH | LD_PRELOAD | LIBRARY_PATH | LD_LIBRARY_PATH | \
        HOME | PWD | OLDPWD | SHLVL | IFS | BASH_ENV | ENV | SHELLOPTS | BASHOPTS) continue ;;
    esac
    export "$name=$(cat "$file")"
  done
}

# fetch URL DEST: download with retries to DEST (atomically: DEST only appears
# once the whole file has arrived).
fetch() {
  local url="$1" dest="$2"
  mkdir -p "$(dirname "$dest")"
  if curl --fail --silent --show-error --location \
    --retry 4 --retry-delay 2 --retry-connrefused --retry-all-errors \
    --connect-timeout 15 --max-time 600 \
    --output "$dest.part" "$url"; then
    mv -f "$dest.part" "$dest"
  else
    rm -f "$dest.part"
    return 1
  fi
}

# last_curl_error FILE: curl writes one message per retry without newlines
# in between; keep the last.
last_curl_error() { sed 's/curl: (/\ncurl: (/g' "$1" | grep -v '^$' | tail -n 1; }

# fetch_packument NAME DEST: the registry's abbreviated document for NAME.
# If the registry cannot be reached, a copy cached by an earlier build is used.
fetch_packument() {
  local name="$1" dest="$2"
  mkdir -p "$(dirname "$dest")"
  if curl --fail --silent --show-error --location \
    --retry 3 --retry-delay 1 --retry-connrefused --retry-all-errors \
    --connect-timeout 15 --max-time 120 \
    --header 'Accept: application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' \
    --output "$dest.part" "$NPM_REGISTRY/$name" 2>"$dest.err" &&
    python3 "$BP_LIB/json_get.py" --check "$dest.part" >/dev/null; then
    mv -f "$dest.part" "$dest"
    rm -f "$dest.err"
    return 0
  fi
  rm -f "$dest.part"
  if [ -s "$dest" ]; then
    warn "Could not reach $NPM_REGISTRY/$name ($(last_curl_error "$dest.err")); using the copy cached by an earlier build"
    rm -f "$dest.err"
    return 0
  fi
  info "$(last_curl_error "$dest.err")"
  rm -f "$dest.err"
  return 1
}

# install_verified PACKUMENT NAME VERSION LABEL UNPACKED TARGET [MEMBER...]
# Copy NAME@VERSION into TARGET. The tarball is downloaded, checked against
# the packument's dist.integrity (sha512), and unpacked into the cache
# directory UNPACKED (only MEMBERs, when given, with the leading package/
# stripped); UNPACKED/.slipway-integrity records the hash it was checked
# against. A later build that resolves the same version with the same hash
# copies UNPACKED and downloads nothing: copying is about ten times faster
# than unpacking node's 50 MB tarball again. Returns 3, with tar's complaint
# printed, when the tarball lacks a MEMBER; fails the build on anything else.
install_verified() {
  local packument="$1" name="$2" version="$3" label="$4" unpacked="$5" target="$6"
  shift 6
  local url integrity
  url="$(python3 "$BP_LIB/json_get.py" "$packument" versions "$version" dist tarball)" ||
    fail "The registry lists no tarball for $name@$version"
  integrity="$(python3 "$BP_LIB/json_get.py" "$packument" versions "$version" dist integrity)" ||
    fail "The registry lists no integrity hash for $name@$version, so it cannot be checked"
  # A cached copy counts only if it was checked against this same hash and
  # still has what was unpacked into it.
  local complete=true member
  for member in "${@:-package/package.json}"; do
    [ -e "$unpacked/${member#package/}" ] || complete=false
  done
  if [ "$complete" = true ] && [ -f "$unpacked/.slipway-integrity" ] &&
    [ "$(cat "$unpacked/.slipway-integrity")" = "$integrity" ]; then
    info "Using cached $label $version"
  else
    rm -rf "$unpacked" "$unpacked.tgz" "$unpacked.tmp"
    info "Downloading and installing $label $version..."
    fetch "$url" "$unpacked.tgz" 2>&1 | indent || true
    [ -f "$unpacked.tgz" ] || fail "Could not download $label $version from $url"
    if ! python3 "$BP_LIB/check_integrity.py" "$unpacked.tgz" "$integrity" 2>&1 | indent; then
      rm -f "$unpacked.tgz"
      fail "The download of $label $version does not match its integrity hash $integrity"
    fi
    mkdir -p "$unpacked.tmp"
    if ! tar -xzf "$unpacked.tgz" -C "$unpacked.tmp" --strip-components=1 "$@" 2>&1 | indent; then
      rm -rf "$unpacked.tmp" "$unpacked.tgz"
      return 3
    fi
    printf '%s\n' "$integrity" >"$unpacked.tmp/.slipway-integrity"
    mv "$unpacked.tmp" "$unpacked"
    rm -f "$unpacked.tgz"
  fi
  mkdir -p "$target"
  cp -a "$unpacked/." "$target/" || fail "Could not copy $label $version into the app"
  rm -f "$target/.slipway-integrity"
}

# version_at_least VERSION MAJOR: true when VERSION's major is MAJOR or more.
version_at_least() { [ "${1%%.*}" -ge "$2" ]; }
