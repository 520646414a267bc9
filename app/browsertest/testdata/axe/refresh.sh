#!/usr/bin/env bash
# Refresh the vendored axe-core used by the browser tests (and only by them: the
# portal never serves it). Fetches the PINNED version with the ordinary npm client
# (`npm pack`, which runs no install scripts), checks the tarball against the
# PINNED sha512 integrity (the registry's `dist.integrity`) and keeps axe.min.js
# and its licence next to this script.
#
# To upgrade: change the version, take its hash from
#   npm view axe-core@<version> dist.integrity
# run this script, review the diff and commit.
set -euo pipefail

readonly AXE_VERSION='4.14.1'
readonly AXE_INTEGRITY='sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=='

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

die() {
	echo "refresh.sh: $*" >&2
	exit 1
}

for tool in npm node openssl tar; do
	command -v "$tool" >/dev/null || die "$tool is required"
done

tgz="$(cd "$work" && npm pack --silent --ignore-scripts "axe-core@$AXE_VERSION" | tail -n 1)"
[[ -n "$tgz" && -f "$work/$tgz" ]] || die "npm pack axe-core@$AXE_VERSION produced no tarball"
got="sha512-$(openssl dgst -sha512 -binary "$work/$tgz" | openssl base64 -A)"
[[ "$got" == "$AXE_INTEGRITY" ]] || die "INTEGRITY MISMATCH for axe-core@$AXE_VERSION
  pinned:   $AXE_INTEGRITY
  received: $got"
echo "ok  axe-core@$AXE_VERSION $got"

tar -xzf "$work/$tgz" -C "$work" --no-same-owner --no-same-permissions
packed="$(node -p 'require(process.argv[1]).version' "$work/package/package.json")"
[[ "$packed" == "$AXE_VERSION" ]] || die "tarball says version '$packed', want $AXE_VERSION"

install -m 644 "$work/package/axe.min.js" "$dir/axe.min.js"
install -m 644 "$work/package/LICENSE" "$dir/LICENSE"
cat >"$dir/VERSION" <<VERSION
# Written by refresh.sh: do not edit.
# package	version	integrity (npm dist.integrity, checked on every refresh)
axe-core	$AXE_VERSION	$AXE_INTEGRITY
VERSION
echo "vendored axe-core@$AXE_VERSION into ${dir}"
