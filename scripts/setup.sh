#!/usr/bin/env bash
# Everything `npm test`, `npm start` and `npm run bench` need on a fresh Debian
# bookworm machine, run as root. Idempotent, and quick when there is nothing to do:
# each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'ibcc setup: %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  say "BPF needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN); run as root." >&2
  exit 1
fi

# --- Debian packages ------------------------------------------------------
# libbcc and its headers; bpftool for introspection tests; Debian's kernel
# headers for BCC's clang; the Jupyter clients, python3-bpfcc and ipykernel the
# tests and benchmarks compare against; chromium for the browser tests;
# iproute2/iputils for network namespaces; systemtap-sdt-dev (<sys/sdt.h>) for
# the USDT tests' probed program; bpftrace for %%bpftrace blocks (util-linux's
# setpriv, in every Debian, ties its life to the kernel's).
packages=(libbpfcc-dev libbpf-dev bpftool linux-headers-amd64 cmake pkg-config make g++
  python3-bpfcc python3-jupyter-client python3-nbclient python3-nbformat python3-ipykernel
  jupyter-notebook jupyter-console chromium fonts-dejavu-core iproute2 iputils-ping
  systemtap-sdt-dev bpftrace)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- tracefs ---------------------------------------------------------------
if [ ! -e /sys/kernel/tracing/events ]; then
  say "mounting tracefs at /sys/kernel/tracing"
  mount -t tracefs nodev /sys/kernel/tracing
fi
# libbcc 0.26 still looks under debugfs for some files; mount it when absent.
if [ ! -e /sys/kernel/debug/tracing ] && [ -d /sys/kernel/debug ] && ! mountpoint -q /sys/kernel/debug; then
  mount -t debugfs nodev /sys/kernel/debug 2>/dev/null || true
fi

# --- kernel headers ----------------------------------------------------------
# libbcc's clang reads /lib/modules/$(uname -r)/build and .../source. A kernel
# without its own headers package gets Debian's nearest headers, which read
# kernel structs at the wrong offsets: say so, loudly, once here.
release=$(uname -r)
moddir=/lib/modules/$release
if [ ! -e "$moddir/build/include" ]; then
  arch_hdr=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
  common_hdr=$(ls -d /usr/src/linux-headers-*-common 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$arch_hdr" ]; then
    say "no kernel headers found under /usr/src; BPF C that includes kernel headers will not compile" >&2
  else
    mkdir -p "$moddir"
    ln -sfn "$arch_hdr" "$moddir/build"
    ln -sfn "${common_hdr:-$arch_hdr}" "$moddir/source"
    say "linked $moddir/build -> $arch_hdr and source -> ${common_hdr:-$arch_hdr}"
    say "WARNING: these headers are $(basename "$arch_hdr" | sed 's/linux-headers-//'), the running kernel is $release;"
    say "         tracepoint arguments are exact, but kernel struct fields read through these headers may be wrong."
  fi
fi

# --- npm dependencies ----------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

# --- builds ------------------------------------------------------------------
newer() { # newer TARGET SOURCES...: true when TARGET is missing or older than any source
  local target=$1; shift
  [ -e "$target" ] || return 0
  [ -n "$(find "$@" -newer "$target" -type f 2>/dev/null | head -n 1)" ]
}
addon=build/Release/ibcc_native.node
if [ -f CMakeLists.txt ] && newer "$addon" CMakeLists.txt native/src; then
  say "building the native addon (cmake-js)"
  npx cmake-js build --log-level error >/tmp/ibcc-cmake.log 2>&1 || { cat /tmp/ibcc-cmake.log >&2; exit 1; }
fi
ts_sources=(tsconfig.json package.json native kernel magics bench)
if newer dist/.tsbuildinfo "${ts_sources[@]}"; then
  say "building TypeScript"
  npx tsc -p tsconfig.json
fi

# --- the ibcc command ---------------------------------------------------------
bash scripts/link-cli.sh
