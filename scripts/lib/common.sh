# Shared by scripts/up, scripts/test and .ci/run. Sourced, never run.
# Everything here is idempotent: each ensure_* checks before it acts.

SLIPWAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_IMAGE="${SLIPWAY_STACK_IMAGE:-slipway/stack:bookworm}"
# Bump when the package list changes, so a cached older stack is rebuilt.
STACK_VERSION=2

say() { printf -- '-----> %s\n' "$*"; }
note() { printf -- '       %s\n' "$*"; }
die() { printf -- ' !     %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "run as root: it installs packages and starts dockerd"
}

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v git >/dev/null || missing+=(git)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v curl >/dev/null || missing+=(curl)
  # The router's local certificate authority and the certificates it issues are made with openssl.
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  # redis-server's package starts a system instance we do not use; it is harmless.
}

docker_answers() { timeout 5 docker version >/dev/null 2>&1; }

# dockerd runs with no bridge and no iptables: this machine allows only
# loopback, and every container and build uses host networking.
ensure_dockerd() {
  local logdir="$1"
  if docker_answers; then note "dockerd already running"; return; fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST#unix://}" = "$DOCKER_HOST" ]; then
    die "DOCKER_HOST=$DOCKER_HOST does not answer, and only a local socket can be started here"
  fi
  mkdir -p "$logdir"
  local pidfile=/var/run/docker.pid
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
  rm -f /var/run/docker/containerd/containerd.pid 2>/dev/null || true
  say "Starting dockerd (log: $logdir/dockerd.log)"
  local args=(--bridge=none --iptables=false --ip6tables=false)
  if [ -n "${DOCKER_HOST:-}" ]; then args+=(-H "$DOCKER_HOST"); fi
  setsid nohup dockerd "${args[@]}" >>"$logdir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do docker_answers && return; sleep 1; done
  tail -20 "$logdir/dockerd.log" >&2
  die "dockerd did not answer within 60 s"
}

# The stack image is debootstrap minbase plus what buildpacks need. It is slow
# to make (about 40 s), so it is built only when missing.
ensure_stack_image() {
  local have
  have="$(docker image inspect --format '{{ index .Config.Labels "io.slipway.stack-version" }}' "$STACK_IMAGE" 2>/dev/null || true)"
  if [ "$have" = "$STACK_VERSION" ]; then note "stack image $STACK_IMAGE present"; return; fi
  say "Building stack image $STACK_IMAGE (debootstrap, about a minute)"
  local mirror
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  local dir
  dir="$(mktemp -d /var/tmp/slipway-stack.XXXXXX)"
  # libatomic1: Node 26 and later link against it.
  local pkgs=ca-certificates,curl,git,python3,xz-utils,procps,bash,coreutils,tar,gzip,libatomic1
  if ! debootstrap --variant=minbase --include="$pkgs" bookworm "$dir" "$mirror" >"$dir.log" 2>&1; then
    tail -20 "$dir.log" >&2; rm -rf "$dir"; die "debootstrap failed (log above)"
  fi
  # The image must not carry the host's apt caches or an empty /app owned by nobody.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  mkdir -p "$dir/app" "$dir/slipway"
  # The Dockerfile at the top of the repo describes the image; its context is just the root fs.
  local ctx="$dir.ctx"
  mkdir -p "$ctx"
  tar -C "$dir" -cf "$ctx/rootfs.tar" .
  if ! DOCKER_BUILDKIT=0 docker build -q --network host --build-arg STACK_VERSION="$STACK_VERSION" \
      -f "$SLIPWAY_ROOT/Dockerfile" -t "$STACK_IMAGE" "$ctx" >"$dir.log" 2>&1; then
    tail -20 "$dir.log" >&2; rm -rf "$dir" "$ctx"; die "docker build of the stack image failed (log above)"
  fi
  rm -rf "$ctx"
  rm -rf "$dir" "$dir.log"
  note "stack image $STACK_IMAGE built"
}

redis_ping() { # port password; the password goes by environment, not argv
  REDISCLI_AUTH="$2" redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG
}

# A dedicated Redis on loopback with a generated password and AOF, so that
# hostile dynos on the host network cannot read or write platform state.
# Prints the REDIS_URL on stdout.
ensure_redis() {
  local home="$1" port="${2:-6390}"
  local dir="$home/redis"
  mkdir -p "$dir"; chmod 700 "$dir"
  [ -s "$dir/password" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password")
  [ -s "$dir/port" ] || echo "$port" >"$dir/port"
  port="$(cat "$dir/port")"
  local password; password="$(cat "$dir/password")"
  local url="redis://default:$password@127.0.0.1:$port/0"
  if redis_ping "$port" "$password"; then echo "$url"; return; fi
  if [ -f "$dir/redis.pid" ] && ! kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then rm -f "$dir/redis.pid"; fi
  cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $port
requirepass $(cat "$dir/password")
dir $dir
appendonly yes
appendfsync always
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
save ""
CONF
  chmod 600 "$dir/redis.conf"
  redis-server "$dir/redis.conf" >/dev/null
  for _ in $(seq 1 50); do redis_ping "$port" "$password" && { echo "$url"; return; }; sleep 0.1; done
  tail -20 "$dir/redis.log" >&2
  die "redis-server did not answer on 127.0.0.1:$port"
}

ensure_node_modules() {
  cd "$SLIPWAY_ROOT"
  local stamp=node_modules/.slipway-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    say "Installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
}

build_typescript() {
  cd "$SLIPWAY_ROOT"
  say "Building TypeScript"
  npx tsc -b
}
