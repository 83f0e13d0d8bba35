#!/usr/bin/env bash
# engine.sh — a private Docker engine plus a loopback registry for dockql
# development and integration tests.
#
#   bash scripts/engine.sh start            start (or reuse) dockerd + registry, print env
#   bash scripts/engine.sh env              print env of a running engine
#   bash scripts/engine.sh status           running/stopped for each; exit 0 only if both run
#   bash scripts/engine.sh stop [--purge]   stop both; --purge also deletes the state
#   bash scripts/engine.sh deps             install dockerd/docker-registry/busybox if missing
#
# `start` and `env` print exactly two eval-able lines on stdout and nothing else:
#   DOCKER_HOST=unix:///abs/state/dir/docker.sock
#   DOCKQL_REGISTRY=127.0.0.1:<port>
# Progress and errors go to stderr.
#
# Environment:
#   DOCKQL_ENGINE_DIR      state directory (default: <repo>/.dockql/engine; a
#                          relative value is taken relative to the current dir)
#   DOCKQL_REGISTRY_PORT   registry port (default: the port of the last run, else
#                          a free loopback port)
#   DOCKQL_ENGINE_TIMEOUT  seconds to wait for dockerd to answer (default 30)
#   DOCKQL_ENGINE_OFFLINE  1: dockerd reaches registries only on loopback: every
#                          other registry (Docker Hub, search) goes through a
#                          proxy at 127.0.0.1:9 that refuses, so the daemon never
#                          resolves or contacts an outside host (tests, CI)
#
# Why the dockerd flags are what they are: see DEVELOPERS.md.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

# dockerd lives in /usr/sbin, which a non-login PATH often lacks.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# The CLI refuses -H together with a context, and TLS settings meant for some
# other daemon must not leak onto our unix socket.
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_TLS DOCKER_HOST

readonly PACKAGES=(docker.io docker-registry busybox-static)
readonly SEED_IMAGE=dockql/busybox:latest
# Applets the tests rely on; the seed image links every applet, these must exist.
readonly REQUIRED_APPLETS=(sh ls echo cat sleep true false env id ps top wc head tail
  grep sed mkdir rm touch date hostname nc wget)

log() { printf 'engine.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------

if [[ -n ${DOCKQL_ENGINE_DIR:-} ]]; then
  DIR=$(realpath -m -- "$DOCKQL_ENGINE_DIR")
else
  # Anchored at the repo, not the cwd, so every subdirectory finds the same engine.
  DIR="$REPO_ROOT/.dockql/engine"
fi
# The paths end up in eval-able output and in dockerd flags: keep them plain.
[[ $DIR =~ ^/[A-Za-z0-9._/@+-]+$ ]] ||
  die "DOCKQL_ENGINE_DIR must be a plain path (letters, digits, ._/@+-): '$DIR'"
[[ $DIR != / ]] || die "DOCKQL_ENGINE_DIR must not be /"

DATA="$DIR/data"
PIDFILE="$DIR/docker.pid"
DAEMON_JSON="$DIR/daemon.json"
DLOG="$DIR/dockerd.log"
REG_ROOT="$DIR/registry"
REG_YML="$DIR/registry.yml"
REG_PIDFILE="$DIR/registry.pid"
REG_LOG="$DIR/registry.log"
REG_PORTFILE="$DIR/registry.port"
EXEC_RECORD="$DIR/exec.path"

# unix socket paths are limited to ~108 bytes and containerd puts
# "<exec>/containerd/containerd.sock.ttrpc" under exec-root, so a long state
# dir gets its exec-root in a short /tmp path derived from the dir's hash.
if [[ -f $EXEC_RECORD ]]; then
  EXEC=$(<"$EXEC_RECORD")
elif (( ${#DIR} + 5 <= 50 )); then
  EXEC="$DIR/exec"
else
  EXEC="/tmp/dockql-exec-$(printf '%s' "$DIR" | sha256sum | cut -c1-12)"
fi
SOCK="$DIR/docker.sock"
(( ${#SOCK} <= 100 )) || SOCK="$EXEC/docker.sock"
HOST="unix://$SOCK"

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

# alive PID: the process exists and is not a zombie.
alive() {
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z ]]
}

# pid_is PID PROGRAM NEEDLE: PID is PROGRAM (basename of argv[0]) and its
# command line mentions NEEDLE — so a recycled pid is never signalled.
pid_is() {
  local pid=$1 prog=$2 needle=$3 cmd arg0
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  arg0=${cmd%% *}
  [[ ${arg0##*/} == "$prog" && $cmd == *"$needle"* ]]
}

read_pid() { if [[ -f $1 ]]; then tr -dc '0-9' 2>/dev/null <"$1" || true; fi; }

dockerd_pid() {
  local pid; pid=$(read_pid "$PIDFILE")
  if [[ -n $pid ]] && pid_is "$pid" dockerd "--data-root $DATA"; then echo "$pid"; fi
}
registry_pid() {
  local pid; pid=$(read_pid "$REG_PIDFILE")
  if [[ -n $pid ]] && pid_is "$pid" docker-registry "$REG_YML"; then echo "$pid"; fi
}

dk() { docker -H "$HOST" "$@"; }
dockerd_answers() { timeout 10 docker -H "$HOST" version >/dev/null 2>&1; }

# http_ok URL: a 2xx answer (curl is optional, node is not).
http_ok() {
  if command -v curl >/dev/null; then
    curl -fsS -m 3 -o /dev/null "$1" 2>/dev/null
  else
    node -e 'require("http").get(process.argv[1], { timeout: 3000 },
      (r) => process.exit(r.statusCode >= 200 && r.statusCode < 300 ? 0 : 1))
      .on("error", () => process.exit(1))' "$1"
  fi
}
registry_port() { tr -dc '0-9' 2>/dev/null <"$REG_PORTFILE" || true; }
registry_answers() {
  local port; port=$(registry_port)
  [[ -n $port ]] && http_ok "http://127.0.0.1:$port/v2/"
}

# free_port [PORT]: PORT if it can be bound on 127.0.0.1, else (without PORT)
# a port the kernel picks.
free_port() {
  node -e 'const s = require("net").createServer();
    s.on("error", () => process.exit(1));
    s.listen(Number(process.argv[1] || 0), "127.0.0.1",
      () => { console.log(s.address().port); s.close(); });' "${1:-0}"
}

# stop_pid PID NAME: SIGTERM, wait up to 20 s, then SIGKILL.
stop_pid() {
  local pid=$1 name=$2 i
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do alive "$pid" || return 0; sleep 0.2; done
  log "$name (pid $pid) ignored SIGTERM for 20 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do alive "$pid" || return 0; sleep 0.2; done
  log "warning: $name (pid $pid) is still alive"
}

# Mount points under the state or exec dir, deepest first.
our_mounts() {
  awk '{ print $2 }' /proc/mounts | while read -r m; do
    if [[ $m == "$DIR" || $m == "$DIR"/* || $m == "$EXEC" || $m == "$EXEC"/* ]]; then
      echo "$m"
    fi
  done | sort -r -u
}
unmount_all() {
  local m
  while read -r m; do
    [[ -n $m ]] || continue
    log "unmounting $m"
    umount -l -- "$m" 2>/dev/null || log "warning: could not unmount $m"
  done < <(our_mounts)
  return 0
}

# Processes that mention our exec dir (containerd, shims) left behind by a
# dockerd that died or was SIGKILLed; a clean dockerd stop takes them along.
sweep_leftovers() {
  local p cmd child id i ids=()
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
    [[ ${cmd%% *} == *containerd* && $cmd == *"$EXEC/"* ]] || continue
    if [[ ${cmd%% *} == *containerd-shim* ]]; then
      # A shim's child is the container's init; killing a pid namespace's
      # init takes every process of that container with it.
      for child in $(ps -o pid= --ppid "$p" 2>/dev/null); do
        log "killing orphaned container process $child"
        kill -KILL "$child" 2>/dev/null || true
      done
    fi
    stop_pid "$p" "leftover ${cmd%% *}"
    [[ $cmd =~ -id\ ([0-9a-f]{64}) ]] && ids+=("${BASH_REMATCH[1]}")
  done
  # Nobody else removes the cgroups of containers killed behind dockerd's back
  # (cgroupfs driver, cgroup v1 and v2 layouts); rmdir only takes empty ones.
  for id in "${ids[@]}"; do
    for ((i = 0; i < 10; i++)); do
      rmdir /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id" 2>/dev/null || true
      compgen -G "/sys/fs/cgroup/*/docker/$id" >/dev/null ||
        [[ -d /sys/fs/cgroup/docker/$id ]] || break
      sleep 0.2
    done
  done
  return 0
}

missing_tools() {
  local t
  for t in dockerd docker docker-registry busybox; do
    command -v "$t" >/dev/null || echo "$t"
  done
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

cmd_deps() {
  local missing; missing=$(missing_tools | tr '\n' ' ')
  [[ -z $missing ]] && return 0
  (( EUID == 0 )) ||
    die "missing: $missing— install as root: apt-get install ${PACKAGES[*]}"
  log "missing: $missing— installing ${PACKAGES[*]} with apt-get"
  # Debian's postinst would start the system dockerd/containerd; a policy-rc.d
  # that answers 101 ("action forbidden") keeps the system socket quiet.
  local policy=/usr/sbin/policy-rc.d placed=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && placed=1
  fi
  local rc=0
  { apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}"; } >&2 || rc=$?
  [[ -n $placed ]] && rm -f "$policy"
  (( rc == 0 )) || die "apt-get failed ($rc)"
  missing=$(missing_tools | tr '\n' ' ')
  [[ -z $missing ]] || die "still missing after install: $missing"
}

print_env() {
  printf 'DOCKER_HOST=%s\n' "$HOST" >&3
  printf 'DOCKQL_REGISTRY=127.0.0.1:%s\n' "$(registry_port)" >&3
}

clean_stale() {
  if [[ -f $PIDFILE && -z $(dockerd_pid) ]]; then
    log "removing stale $PIDFILE"; rm -f "$PIDFILE"
  fi
  if [[ -f $REG_PIDFILE && -z $(registry_pid) ]]; then
    log "removing stale $REG_PIDFILE"; rm -f "$REG_PIDFILE"
  fi
  if [[ -z $(dockerd_pid) ]]; then
    # A daemon that was killed leaves its socket, containerd and mounts behind.
    rm -f "$SOCK"
    sweep_leftovers
    # dockerd trusts containerd.pid if kill(pid, 0) works, which is also true
    # for the zombie of a containerd that died with its dockerd: drop it.
    local cpid; cpid=$(read_pid "$EXEC/containerd/containerd.pid")
    if [[ -n $cpid ]] && ! { alive "$cpid" && pid_is "$cpid" containerd "$EXEC/"; }; then
      rm -f "$EXEC/containerd/containerd.pid"
    fi
    unmount_all
  fi
}

start_dockerd() {
  local pid i limit=${DOCKQL_ENGINE_TIMEOUT:-30}
  pid=$(dockerd_pid)
  if [[ -z $pid ]]; then
    mkdir -p "$DATA" "$EXEC"
    chmod 700 "$EXEC"
    printf '%s\n' "$EXEC" >"$EXEC_RECORD"
    printf '{\n  "insecure-registries": ["127.0.0.0/8"],\n  "log-level": "warn"\n}\n' >"$DAEMON_JSON"
    printf '\n--- %s engine.sh start\n' "$(date -Is)" >>"$DLOG"
    log "starting dockerd on $HOST"
    # setsid: own session, so a Ctrl-C in the caller's terminal does not reach it.
    # 3>&- 9>&-: never hold the caller's stdout pipe or our lock open.
    local -a offline_env=()
    if [[ ${DOCKQL_ENGINE_OFFLINE:-} == 1 ]]; then
      # Go's proxy rules never proxy loopback, so the local registry still works;
      # everything else fails at once with "connection refused" and no DNS query.
      offline_env=(HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=localhost,127.0.0.0/8,::1)
      log "offline: registries other than loopback go to a refusing proxy"
    fi
    setsid nohup env "${offline_env[@]}" dockerd \
      --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --data-root "$DATA" --exec-root "$EXEC" --pidfile "$PIDFILE" \
      -H "$HOST" --config-file "$DAEMON_JSON" \
      </dev/null >>"$DLOG" 2>&1 3>&- 9>&- &
    pid=$!
  else
    log "dockerd already running (pid $pid)"
  fi
  for ((i = 0; i < limit * 5; i++)); do
    dockerd_answers && return 0
    # Once dockerd has written its pidfile, trust that over $!.
    [[ -n $(dockerd_pid) ]] && pid=$(dockerd_pid)
    alive "$pid" || break
    sleep 0.2
  done
  log "dockerd did not answer on $HOST; last lines of $DLOG:"
  tail -n 30 "$DLOG" >&2 || true
  alive "$pid" && stop_pid "$pid" dockerd
  exit 1
}

start_registry() {
  local pid port i
  pid=$(registry_pid)
  if [[ -n $pid ]]; then
    port=$(registry_port)
    if [[ -n ${DOCKQL_REGISTRY_PORT:-} && $DOCKQL_REGISTRY_PORT != "$port" ]]; then
      die "registry already runs on port $port, not $DOCKQL_REGISTRY_PORT: stop it first"
    fi
    log "registry already running (pid $pid, port $port)"
  else
    if [[ -n ${DOCKQL_REGISTRY_PORT:-} ]]; then
      port=$DOCKQL_REGISTRY_PORT
    else
      # Keep the last run's port so a restarted engine keeps its address.
      port=$(registry_port)
      if [[ -z $port ]] || ! free_port "$port" >/dev/null; then port=$(free_port); fi
    fi
    echo "$port" >"$REG_PORTFILE"
    mkdir -p "$REG_ROOT"
    cat >"$REG_YML" <<EOF
# Written by scripts/engine.sh; rewritten on every start.
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REG_ROOT
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: dockql-local-only
EOF
    printf '\n--- %s engine.sh start\n' "$(date -Is)" >>"$REG_LOG"
    log "starting docker-registry on 127.0.0.1:$port"
    setsid nohup docker-registry serve "$REG_YML" </dev/null >>"$REG_LOG" 2>&1 3>&- 9>&- &
    pid=$!
    echo "$pid" >"$REG_PIDFILE"
  fi
  for ((i = 0; i < 75; i++)); do
    registry_answers && return 0
    alive "$pid" || break
    sleep 0.2
  done
  log "registry did not answer on 127.0.0.1:$port; last lines of $REG_LOG:"
  tail -n 30 "$REG_LOG" >&2 || true
  alive "$pid" && stop_pid "$pid" docker-registry
  rm -f "$REG_PIDFILE"
  exit 1
}

STAGE=""
cleanup_stage() { [[ -n $STAGE ]] && rm -rf -- "$STAGE"; STAGE=""; }
trap cleanup_stage EXIT

# A one-layer busybox image built from the host's static busybox: tests need
# a runnable image and there is no internet to pull one from.
seed_busybox() {
  dk image inspect "$SEED_IMAGE" >/dev/null 2>&1 && return 0
  log "seeding $SEED_IMAGE from /usr/bin/busybox"
  local bb applet
  bb=$(command -v busybox)
  STAGE=$(mktemp -d "${TMPDIR:-/tmp}/dockql-rootfs.XXXXXX")
  mkdir -p "$STAGE"/{bin,etc,root,tmp,proc,sys,dev}
  chmod 1777 "$STAGE/tmp"
  cp "$bb" "$STAGE/bin/busybox"
  for applet in $("$bb" --list); do
    [[ $applet == busybox || $applet == */* ]] || ln -sf busybox "$STAGE/bin/$applet"
  done
  for applet in "${REQUIRED_APPLETS[@]}"; do
    [[ -L $STAGE/bin/$applet ]] || die "busybox at $bb lacks the applet '$applet'"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
    >"$STAGE/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$STAGE/etc/group"
  tar -C "$STAGE" --numeric-owner --owner=0 --group=0 -cf - . |
    dk import --change 'CMD ["/bin/sh"]' --message 'dockql seed image' - "$SEED_IMAGE" >/dev/null
  cleanup_stage
}

lock() {
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 120 9 || die "another engine.sh holds $DIR/.lock"
}

cmd_start() {
  [[ ${DOCKQL_REGISTRY_PORT:-0} =~ ^[0-9]+$ ]] || die "DOCKQL_REGISTRY_PORT must be a number"
  cmd_deps
  (( EUID == 0 )) || die "dockerd needs root (rootless mode is not supported here)"
  lock
  clean_stale
  start_dockerd
  start_registry
  seed_busybox
  # $! is the registry only when setsid did not fork; make sure we recorded it.
  [[ -n $(registry_pid) ]] || die "registry runs but $REG_PIDFILE does not name it"
  log "engine ready: $HOST, registry 127.0.0.1:$(registry_port), state in $DIR"
  print_env
}

cmd_env() {
  if [[ -z $(dockerd_pid) || -z $(registry_pid) ]] || ! dockerd_answers; then
    die "no engine running in $DIR (run: bash scripts/engine.sh start)"
  fi
  print_env
}

cmd_status() {
  local pid rc=0
  pid=$(dockerd_pid)
  if [[ -n $pid ]] && dockerd_answers; then
    echo "dockerd: running (pid $pid, $HOST)"
  else
    echo "dockerd: stopped"; rc=1
  fi
  pid=$(registry_pid)
  if [[ -n $pid ]] && registry_answers; then
    echo "registry: running (pid $pid, 127.0.0.1:$(registry_port))"
  else
    echo "registry: stopped"; rc=1
  fi
  return "$rc"
}

cmd_stop() {
  local purge="" pid ids
  case ${1:-} in
    --purge) purge=1 ;;
    "") ;;
    *) die "usage: engine.sh stop [--purge]" ;;
  esac
  if [[ ! -d $DIR ]]; then
    log "nothing to stop: $DIR does not exist"
    [[ -n $purge && $EXEC != "$DIR"/* ]] && rm -rf --one-file-system -- "$EXEC"
    return 0
  fi
  lock
  pid=$(registry_pid)
  [[ -n $pid ]] && stop_pid "$pid" docker-registry
  rm -f "$REG_PIDFILE"
  pid=$(dockerd_pid)
  if [[ -n $pid ]]; then
    # Containers hold overlay mounts and shims: remove them while dockerd can.
    if dockerd_answers; then
      ids=$(dk ps -aq 2>/dev/null || true)
      if [[ -n $ids ]]; then
        log "removing $(wc -w <<<"$ids") container(s)"
        # shellcheck disable=SC2086 # one id a word
        dk rm -f $ids >/dev/null || log "warning: docker rm -f failed"
      fi
    fi
    stop_pid "$pid" dockerd
  fi
  rm -f "$PIDFILE"
  sweep_leftovers
  unmount_all
  rm -f "$SOCK"
  if [[ -n $purge ]]; then
    # Refuse to delete anything that is not plainly an engine state dir.
    [[ $DIR != "$REPO_ROOT" && $DIR != "${HOME:-/root}" ]] ||
      die "refusing to purge $DIR"
    [[ -f $DAEMON_JSON || -f $REG_YML ||
      -z $(find "$DIR" -mindepth 1 -maxdepth 1 ! -name .lock -print -quit) ]] ||
      die "refusing to purge $DIR: it does not look like an engine dir"
    [[ -z $(our_mounts) ]] || die "mounts remain under $DIR; not purging"
    log "purging $DIR"
    [[ $EXEC != "$DIR"/* ]] && rm -rf --one-file-system -- "$EXEC"
    rm -rf --one-file-system -- "$DIR"
  fi
  log "stopped"
}

# Everything a command prints goes to stderr; only print_env writes to the
# real stdout (fd 3), which keeps stdout eval-able.
exec 3>&1 1>&2

case ${1:-} in
  start) cmd_start ;;
  stop) shift; cmd_stop "$@" ;;
  status) cmd_status >&3 ;;
  env) cmd_env ;;
  deps) cmd_deps ;;
  *) die "usage: engine.sh start|stop [--purge]|status|env|deps" ;;
esac
