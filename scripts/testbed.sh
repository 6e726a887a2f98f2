#!/usr/bin/env bash
# The shipshape test bed: a real Docker engine on a machine that ships only a Docker client
# (see ../shared/TESTBED.md). Idempotent: the first run takes a few minutes, later runs seconds.
#
#   - installs Docker Engine, the distribution registry, Compose, debootstrap, gVisor, skopeo
#     and htpasswd (apache2-utils)
#     from Debian's packages when missing;
#   - runs a registry on 127.0.0.1:5000 and dockerd with that registry as its mirror and the
#     runsc (gVisor) runtime registered;
#   - builds the stand-in base images that Docker Hub would serve (it is unreachable here) and
#     pushes them to the mirror, each only when the mirror does not have it yet.
#
# Environment: TESTBED_STATE (default /var/lib/shipshape-testbed) holds logs and build folders;
# TESTBED_REBUILD=1 rebuilds every stand-in even when present.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=${TESTBED_STATE:-/var/lib/shipshape-testbed}
registry_addr=127.0.0.1:5000
mirror=http://$registry_addr
docker_cli=/usr/bin/docker # Debian's client: the one here that can build with BuildKit
node_version=$(node --version 2>/dev/null | sed 's/^v//') || true
ca_bundle=/etc/ssl/certs/ca-certificates.crt
started=$(date +%s)

say() { printf 'testbed: %s\n' "$*"; }
die() { printf 'testbed: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts dockerd)"
mkdir -p "$state/logs"

# --- packages -----------------------------------------------------------------------------------
need=()
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || need+=(docker.io)
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v runsc >/dev/null || need+=(runsc)
command -v skopeo >/dev/null || need+=(skopeo)
command -v curl >/dev/null || need+=(curl)
command -v htpasswd >/dev/null || need+=(apache2-utils) # bcrypt htpasswd files for the auth tests
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$state/logs/apt.log" 2>&1 || die "apt-get update failed: see $state/logs/apt.log"
  apt-get install -y -qq "${need[@]}" >>"$state/logs/apt.log" 2>&1 || die "apt-get install failed: see $state/logs/apt.log"
fi

# --- registry -----------------------------------------------------------------------------------
registry_up() { curl -fs -o /dev/null --max-time 2 "$mirror/v2/"; }
if ! registry_up; then
  # Debian's default config asks for htpasswd auth; the mirror needs none and only listens on loopback.
  mkdir -p /etc/shipshape-testbed /var/lib/docker-registry
  cat >/etc/shipshape-testbed/registry.yml <<YAML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: /var/lib/docker-registry }
  delete: { enabled: true }
http:
  addr: $registry_addr
YAML
  say "starting the registry on $registry_addr"
  nohup /usr/bin/docker-registry serve /etc/shipshape-testbed/registry.yml >"$state/logs/registry.log" 2>&1 &
  for _ in $(seq 1 50); do registry_up && break; sleep 0.2; done
  registry_up || die "the registry did not answer on $registry_addr: see $state/logs/registry.log"
fi

# --- dockerd ------------------------------------------------------------------------------------
want_config=$(cat <<JSON
{
  "registry-mirrors": ["$mirror"],
  "runtimes": { "runsc": { "path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"] } }
}
JSON
)
engine_up() { "$docker_cli" info >/dev/null 2>&1; }
engine_ready() {
  "$docker_cli" info --format '{{json .RegistryConfig.Mirrors}} {{json .Runtimes}}' 2>/dev/null |
    grep -q "$mirror" && "$docker_cli" info --format '{{json .Runtimes}}' | grep -q runsc
}
mkdir -p /etc/docker
if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$want_config" ]; then
  [ -f /etc/docker/daemon.json ] && cp /etc/docker/daemon.json "$state/daemon.json.before"
  printf '%s\n' "$want_config" >/etc/docker/daemon.json
fi
if engine_up && ! engine_ready; then
  say "restarting dockerd to apply /etc/docker/daemon.json"
  pkill -x dockerd || true
  for _ in $(seq 1 100); do pgrep -x dockerd >/dev/null || break; sleep 0.2; done
fi
if ! engine_up; then
  say "starting dockerd"
  # A stale pid file from an earlier machine run stops dockerd from starting.
  pgrep -x dockerd >/dev/null || rm -f /var/run/docker.pid
  nohup /usr/sbin/dockerd >"$state/logs/dockerd.log" 2>&1 &
  for _ in $(seq 1 150); do engine_up && break; sleep 0.2; done
  engine_up || die "dockerd did not answer: see $state/logs/dockerd.log"
fi
export DOCKER_BUILDKIT=1

# --- stand-in base images -----------------------------------------------------------------------
# The stand-ins are rebuilt when their recipe (this script and scripts/testbed/) changed since they
# were last built on this machine, so a fix to a stand-in reaches machines that already have one.
recipe=$(cat "$0" "$here"/testbed/* | sha256sum | cut -c1-16)
if [ "$(cat "$state/recipe" 2>/dev/null)" != "$recipe" ] && curl -fs -o /dev/null --max-time 2 "$mirror/v2/library/debian/tags/list"; then
  say "stand-in recipe changed: rebuilding every stand-in"
  TESTBED_REBUILD=1
fi
# present NAME TAG: the mirror already serves it.
present() {
  [ "${TESTBED_REBUILD:-0}" = 1 ] && return 1
  curl -fs -o /dev/null --max-time 5 -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "$mirror/v2/library/$1/manifests/$2"
}
push() { # push LOCAL NAME:TAG...
  local src=$1; shift
  for ref in "$@"; do
    "$docker_cli" tag "$src" "$registry_addr/library/$ref"
    "$docker_cli" push -q "$registry_addr/library/$ref" >>"$state/logs/push.log" 2>&1 ||
      die "pushing $ref failed: see $state/logs/push.log"
    # Refresh the engine's own copy of the Docker Hub name (pulled through the mirror), so a
    # rebuilt stand-in is what the next FROM gets, not a stale local image of the same name.
    "$docker_cli" pull -q "$ref" >>"$state/logs/push.log" 2>&1 || die "pulling $ref through the mirror failed"
  done
}
build() { # build LOG DOCKERFILE CONTEXT TAG [build args...]
  local log=$1 file=$2 ctx=$3 tag=$4; shift 4
  "$docker_cli" build --pull --progress=plain -f "$file" -t "$tag" "$@" "$ctx" >"$state/logs/$log.log" 2>&1 ||
    { tail -n 20 "$state/logs/$log.log" >&2; die "building $tag failed: see $state/logs/$log.log"; }
}
stage_ca() { # the workplace's CA, so TLS through the intercepting egress works inside builds
  local root=$1
  mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
  cp "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
  # Kept as separate certificates too, so an update-ca-certificates inside a build keeps them.
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
}

if ! present debian bookworm-slim; then
  say "building debian:bookworm-slim with debootstrap (about a minute)"
  root="$state/rootfs-bookworm"
  rm -rf "$root"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$state/logs/debootstrap.log" 2>&1 ||
    die "debootstrap failed: see $state/logs/debootstrap.log"
  echo 'deb http://deb.debian.org/debian bookworm main' >"$root/etc/apt/sources.list"
  # As in the official image: apt keeps no downloaded packages in the layers built on it.
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
APT
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
  stage_ca "$root"
  tar -C "$root" -c . | "$docker_cli" import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - shipshape-testbed/debian:bookworm-slim >/dev/null
  push shipshape-testbed/debian:bookworm-slim debian:bookworm-slim
  rm -rf "$root"
fi

if ! present node "$node_version-bookworm-slim" || ! present node 20-bookworm-slim; then
  [ -n "$node_version" ] || die "node is not installed on this machine; the node stand-in copies it"
  say "building node:$node_version-bookworm-slim from this machine's node"
  ctx="$state/node-context"
  rm -rf "$ctx" && mkdir -p "$ctx/node_modules"
  cp "$(readlink -f "$(command -v node)")" "$ctx/node"
  npm_root=$(npm root -g)
  cp -a "$npm_root/npm" "$ctx/node_modules/npm"
  [ -d "$npm_root/corepack" ] && cp -a "$npm_root/corepack" "$ctx/node_modules/corepack"
  cp "$here/testbed/node-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  build node-slim "$here/testbed/node-slim.Dockerfile" "$ctx" shipshape-testbed/node:slim --build-arg "NODE_VERSION=$node_version"
  push shipshape-testbed/node:slim "node:$node_version-bookworm-slim" node:20-bookworm-slim
  rm -rf "$ctx"
fi

if ! present node 20 || ! present node latest; then
  say "building node:20 and node:latest (the full variant: + build-essential, git, python3, curl)"
  build node-full "$here/testbed/node-full.Dockerfile" "$here/testbed" shipshape-testbed/node:full \
    --build-arg "SLIM_IMAGE=node:$node_version-bookworm-slim"
  push shipshape-testbed/node:full node:20 node:20-bookworm node:latest
fi

if ! present python 3.11-slim || ! present python 3.11.14-slim-bookworm; then
  say "building python:3.11-slim from Debian's Python 3.11"
  build python-slim "$here/testbed/python-slim.Dockerfile" "$here/testbed" shipshape-testbed/python:3.11-slim
  # 3.11.14-slim-bookworm: the exact tag shipshape init writes (src/app/versions.ts).
  push shipshape-testbed/python:3.11-slim python:3.11-slim python:3.11.14-slim-bookworm
fi

if ! present postgres 15-bookworm || ! present postgres 15.18-bookworm; then
  say "building postgres:15-bookworm from Debian's PostgreSQL 15"
  ctx="$state/postgres-context"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$here/testbed/postgres-entrypoint.sh" "$ctx/postgres-entrypoint.sh"
  build postgres "$here/testbed/postgres.Dockerfile" "$ctx" shipshape-testbed/postgres:15-bookworm
  # 15.18 is the Debian release the recipe was written against: an exact tag for fixtures that pin one.
  push shipshape-testbed/postgres:15-bookworm postgres:15-bookworm postgres:15 postgres:15.18-bookworm
  rm -rf "$ctx"
fi

echo "$recipe" >"$state/recipe"

# --- what we have -------------------------------------------------------------------------------
server=$("$docker_cli" version --format '{{.Server.Version}}')
say "engine: Docker $server at unix:///var/run/docker.sock (mirror $mirror, runtimes: $("$docker_cli" info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}'))"
say "cli with BuildKit: $docker_cli (export SHIPSHAPE_DOCKER=$docker_cli)"
say "compose: $(docker-compose version --short 2>/dev/null || echo missing)"
for ref in debian:bookworm-slim "node:$node_version-bookworm-slim" node:20-bookworm-slim node:20 node:latest python:3.11-slim python:3.11.14-slim-bookworm postgres:15-bookworm postgres:15.18-bookworm; do
  name=${ref%%:*} tag=${ref#*:}
  digest=$(curl -fsS -I --max-time 5 \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "$mirror/v2/library/$name/manifests/$tag" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
  say "  $ref  ${digest:-MISSING}"
  [ -n "$digest" ] || die "$ref is missing from the mirror"
done
say "ready in $(($(date +%s) - started))s"
