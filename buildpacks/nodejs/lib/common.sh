# shellcheck shell=bash
# Helpers for bin/compile. Sourced, not run.
# Output follows the Heroku convention: "-----> " starts a step, detail lines
# are indented by seven spaces, " !     " marks the failure that ends a build.

topic() { printf -- '-----> %s\n' "$*"; }
info() { if [ -n "$*" ]; then printf '       %s\n' "$*"; else echo; fi; }
warn() { printf ' !     %s\n' "$*"; }

# fail REASON [DETAIL...]: print the reason, then any non-empty detail lines,
# and stop.
fail() {
  printf ' !     %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do
    if [ -n "$line" ]; then printf ' !     %s\n' "$line" >&2; fi
  done
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
    python3 "$BP_LIB/check_json.py" "$dest.part" >/dev/null; then
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

# install_verified URL INTEGRITY LABEL VERSION UNPACKED TARGET [MEMBER...]
# Unpack the npm tarball at URL into TARGET. The tarball is downloaded,
# checked against INTEGRITY (the packument's sha512 dist.integrity), and its
# MEMBERs (all of it when none are given; tar options such as
# --exclude=package/docs work too), with the leading package/ stripped, are
# kept in the cache directory UNPACKED as one uncompressed tar, files.tar.
# UNPACKED/.slipway-integrity records the hash it was checked against and the
# MEMBERs. A later build that resolves the same version with the same hash
# unpacks files.tar and downloads nothing: unpacking one plain tar is several
# times faster than gunzipping node's 50 MB tarball, and faster than copying
# npm's 2,000 small files one by one. Returns 3, with tar's complaint printed,
# when the tarball lacks a MEMBER; fails the build on anything else.
install_verified() {
  local url="$1" integrity="$2" label="$3" version="$4" unpacked="$5" target="$6"
  shift 6
  # The marker records what was unpacked as well as the hash it was checked
  # against, so a change to either unpacks again.
  local marker="$integrity${*:+ $*}"
  if [ -f "$unpacked/files.tar" ] && [ -f "$unpacked/.slipway-integrity" ] &&
    [ "$(cat "$unpacked/.slipway-integrity")" = "$marker" ]; then
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
    mkdir -p "$unpacked.tmp/files"
    if ! tar -xzf "$unpacked.tgz" -C "$unpacked.tmp/files" --strip-components=1 "$@" 2>&1 | indent; then
      rm -rf "$unpacked.tmp" "$unpacked.tgz"
      return 3
    fi
    tar -cf "$unpacked.tmp/files.tar" -C "$unpacked.tmp/files" . || fail "Could not cache $label $version"
    rm -rf "$unpacked.tmp/files" "$unpacked.tgz"
    printf '%s\n' "$marker" >"$unpacked.tmp/.slipway-integrity"
    mv "$unpacked.tmp" "$unpacked"
  fi
  mkdir -p "$target"
  tar -xf "$unpacked/files.tar" -C "$target" || fail "Could not copy $label $version into the app"
}

# resolve_package NAME RANGE LABEL [ENGINES_NODE]
# Sets resolved_version, resolved_integrity and resolved_url: the newest
# version of the registry package NAME that RANGE matches (and, with
# ENGINES_NODE, whose engines.node accepts that node version). A resolution is
# kept in RESOLUTION_CACHE for RESOLUTION_TTL_MINUTES (60): a build within the
# hour that asks the same question does not download the packument again
# (npm's is 3 MB), so a new release reaches apps within an hour.
# resolved_age is the age of a reused answer in minutes, or empty.
RESOLUTION_TTL_MINUTES="${RESOLUTION_TTL_MINUTES:-60}"
resolve_package() {
  local name="$1" range="$2" label="$3" engines="${4:-}" key file out
  key="$(printf '%s\n' "$NPM_REGISTRY" "$name" "$range" "$engines" | sha256sum | cut -c1-16)"
  file="$RESOLUTION_CACHE/$name-$key"
  resolved_age=""
  if [ -s "$file" ] && [ -n "$(find "$file" -mmin "-$RESOLUTION_TTL_MINUTES" 2>/dev/null)" ] &&
    read -r resolved_version resolved_integrity resolved_url <"$file" && [ -n "$resolved_url" ]; then
    resolved_age=$((($(date +%s) - $(stat -c %Y "$file")) / 60))
    return 0
  fi
  fetch_packument "$name" "$PACKUMENT_CACHE/$name.json" ||
    fail "Could not fetch the list of $label versions from $NPM_REGISTRY/$name"
  local args=(--with-dist)
  [ -n "$engines" ] && args+=(--engines-node "$engines")
  # The resolver writes to stderr only when it fails, so 2>&1 captures either
  # the answer or the reason.
  if ! out="$(python3 "$BP_LIB/resolve_version.py" "${args[@]}" "$range" "$PACKUMENT_CACHE/$name.json" 2>&1)"; then
    fail "Could not resolve $label version $range${engines:+ for node $engines}" "$out"
  fi
  read -r resolved_version resolved_integrity resolved_url <<<"$out"
  mkdir -p "$RESOLUTION_CACHE"
  printf '%s\n' "$out" >"$file.tmp" && mv -f "$file.tmp" "$file"
}

# version_at_least VERSION MAJOR: true when VERSION's major is MAJOR or more.
version_at_least() { [ "${1%%.*}" -ge "$2" ]; }
