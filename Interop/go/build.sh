#!/usr/bin/env bash
# Builds every Go main package under Interop/go into OUTDIR/<dir name>,
# offline, in GOPATH mode against Debian's golang-github-hashicorp-memberlist-dev
# (v0.2.2 under /usr/share/gocode). A package is rebuilt only when the hash of
# its sources (plus the go version) changed, so repeated calls are cheap.
# Concurrent callers are serialised with flock.
# Usage: Interop/go/build.sh OUTDIR
set -euo pipefail
out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
command -v go >/dev/null || { echo "build.sh: go not found in PATH (apt install golang-go)" >&2; exit 127; }
mkdir -p "$out"
out=$(cd "$out" && pwd)

export GO111MODULE=off GOFLAGS= GOPATH=${MEMBERLISTD_GOPATH:-/usr/share/gocode}
[ -d "$GOPATH/src/github.com/hashicorp/memberlist" ] ||
  { echo "build.sh: $GOPATH lacks hashicorp/memberlist (apt install golang-github-hashicorp-memberlist-dev)" >&2; exit 1; }
if [ -z "${GOCACHE:-}" ]; then
  export GOCACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/go-build
fi

exec 9>"$out/.build.lock"
flock 9

goversion=$(go version)
for dir in "$here"/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  compgen -G "$dir/*.go" >/dev/null || continue
  grep -qs '^package main$' "$dir"/*.go || continue
  hash=$( { echo "$goversion"; cat "$dir"/*.go; } | sha256sum | cut -d' ' -f1)
  stamp="$out/.$name.sha256"
  if [ -x "$out/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
    continue
  fi
  (cd "$dir" && go build -o "$out/.$name.tmp" .)
  mv -f "$out/.$name.tmp" "$out/$name"
  echo "$hash" > "$stamp"
  echo "build.sh: built $out/$name" >&2
done
