#!/usr/bin/env bash
# Refresh the vendored front-end files under static/vendor/.
#
# These are the only third-party files committed to the repository. The script
# fetches PINNED versions with the ordinary npm client (`npm pack`, which runs
# no install scripts), checks each tarball against the PINNED sha512 integrity
# below (the registry's `dist.integrity`), extracts only the files the portal
# serves, then checks that every url(...) in the shipped CSS resolves to a
# shipped file. Running it twice gives the same tree.
#
# To upgrade: change a version, take its hash from
#   npm view <package>@<version> dist.integrity
# run this script, review the diff and commit. A new DSFR version may come with
# new terms of use: see .dsfr.yml at the repository root.
set -euo pipefail

readonly DSFR_PACKAGE='@gouvfr/dsfr'
readonly DSFR_VERSION='1.15.3'
readonly DSFR_INTEGRITY='sha512-R9AALZc1LfZjtytWZMOaUIOHWTkllBZ/sZlsL8TpKZVgF3qUKXt/uNYh+L1D1Fh4p92ZqWxbtNcebsigBZe5pQ=='

readonly HTMX_PACKAGE='htmx.org'
readonly HTMX_VERSION='2.0.11'
readonly HTMX_INTEGRITY='sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=='

# Files and folders taken from the DSFR package, relative to its root. The
# dist/ layout is kept so that the CSS url(...) references resolve.
readonly DSFR_PATHS=(
	LICENSE.md
	doc/legal/cgu.md
	dist/dsfr.min.css
	dist/dsfr.module.min.js
	dist/dsfr.module.min.js.map
	dist/dsfr.nomodule.min.js
	dist/dsfr.nomodule.min.js.map
	dist/utility/icons/icons.min.css
	dist/icons
	dist/fonts
	dist/favicon
	dist/artwork
)
readonly HTMX_PATHS=(
	LICENSE
	dist/htmx.min.js
)

# Upper bound for the whole vendored tree, in bytes.
readonly MAX_BYTES=$((10 * 1024 * 1024))

vendor_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$vendor_dir/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

die() {
	echo "refresh.sh: $*" >&2
	exit 1
}

for tool in npm node openssl tar; do
	command -v "$tool" >/dev/null || die "$tool is required"
done

# fetch PACKAGE VERSION INTEGRITY DEST: packs PACKAGE@VERSION, checks its
# integrity and unpacks it into DEST (the tarball's package/ folder).
fetch() {
	local pkg="$1" version="$2" want="$3" dest="$4"
	local tgz got

	mkdir -p "$work/tgz"
	tgz="$(cd "$work/tgz" && npm pack --silent --ignore-scripts "$pkg@$version" | tail -n 1)"
	[[ -n "$tgz" && -f "$work/tgz/$tgz" ]] || die "npm pack $pkg@$version produced no tarball"

	got="sha512-$(openssl dgst -sha512 -binary "$work/tgz/$tgz" | openssl base64 -A)"
	if [[ "$got" != "$want" ]]; then
		die "INTEGRITY MISMATCH for $pkg@$version
  pinned:   $want
  received: $got
refusing to vendor it"
	fi
	echo "ok  $pkg@$version $got"

	mkdir -p "$dest"
	tar -xzf "$work/tgz/$tgz" -C "$dest" --no-same-owner --no-same-permissions
	local packed
	packed="$(node -p 'require(process.argv[1]).version' "$dest/package/package.json")"
	[[ "$packed" == "$version" ]] || die "$pkg tarball says version '$packed', want $version"
}

# copy_paths SRC DEST PATH...: copies each PATH of SRC to the same place in DEST.
copy_paths() {
	local src="$1" dest="$2" p
	shift 2
	for p in "$@"; do
		[[ -e "$src/$p" ]] || die "missing $p in package"
		mkdir -p "$dest/$(dirname "$p")"
		cp -R "$src/$p" "$dest/$p"
	done
}

# The DSFR's preinstall script refuses to install unless .dsfr.yml records the
# acceptance of its current terms of use (doc/legal/cgu.md, front matter
# cguVersion). npm pack does not run it, so the same check is made here.
check_dsfr_terms() {
	local pkg_root="$1" cgu accepted
	cgu="$(sed -n "s/^cguVersion:[[:space:]]*['\"]\{0,1\}\([^'\"[:space:]]*\).*/\1/p" "$pkg_root/doc/legal/cgu.md" | head -n 1)"
	[[ -n "$cgu" ]] || die "no cguVersion in the DSFR terms of use"
	[[ -f "$repo_root/.dsfr.yml" ]] || die "missing .dsfr.yml: the DSFR terms of use ($cgu) must be accepted first"
	accepted="$(sed -n "s/^accept-license:[[:space:]]*['\"]\{0,1\}\([^'\"[:space:]#]*\).*/\1/p" "$repo_root/.dsfr.yml" | head -n 1)"
	if [[ "$accepted" != "$cgu" ]]; then
		die "DSFR terms of use are at version $cgu but .dsfr.yml accepts '$accepted':
read doc/legal/cgu.md of the package and update .dsfr.yml"
	fi
	echo "ok  DSFR terms of use $cgu accepted in .dsfr.yml"
}

# check_css_urls ROOT: every url(...) in a CSS file under ROOT that is not a
# data: URI or an absolute URL must name an existing file.
check_css_urls() {
	local root="$1" css ref path missing=0 count=0
	while IFS= read -r -d '' css; do
		while IFS= read -r ref; do
			ref="${ref#url(}"
			ref="${ref%)}"
			ref="${ref#[\"\']}"
			ref="${ref%[\"\']}"
			case "$ref" in
			data:* | http:* | https:* | //* | '#'*) continue ;;
			esac
			ref="${ref%%[?#]*}"
			path="$(dirname "$css")/$ref"
			count=$((count + 1))
			if [[ ! -f "$path" ]]; then
				echo "MISSING ${css#"$root"/} -> $ref" >&2
				missing=$((missing + 1))
			fi
		done < <(grep -o 'url([^)]*)' "$css" | sort -u)
	done < <(find "$root" -name '*.css' -print0)
	((missing == 0)) || die "$missing CSS url(...) references do not resolve"
	echo "ok  $count local CSS url(...) references resolve"
}

# check_manifest FILE: every "src" of a web app manifest must exist.
check_manifest() {
	local manifest="$1" src
	while IFS= read -r src; do
		[[ -f "$(dirname "$manifest")/$src" ]] || die "manifest icon $src is missing"
	done < <(sed -n 's/.*"src": *"\([^"]*\)".*/\1/p' "$manifest")
	echo "ok  favicon manifest icons present"
}

fetch "$DSFR_PACKAGE" "$DSFR_VERSION" "$DSFR_INTEGRITY" "$work/dsfr"
fetch "$HTMX_PACKAGE" "$HTMX_VERSION" "$HTMX_INTEGRITY" "$work/htmx"
check_dsfr_terms "$work/dsfr/package"

out="$work/out"
copy_paths "$work/dsfr/package" "$out/dsfr" "${DSFR_PATHS[@]}"
copy_paths "$work/htmx/package" "$out/htmx" "${HTMX_PATHS[@]}"
find "$out" -type d -exec chmod 755 {} +
find "$out" -type f -exec chmod 644 {} +

check_css_urls "$out/dsfr"
check_manifest "$out/dsfr/dist/favicon/manifest.webmanifest"

bytes="$(find "$out" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
((bytes < MAX_BYTES)) || die "vendored files take $bytes bytes, over the $MAX_BYTES limit"
echo "ok  $(find "$out" -type f | wc -l) files, $bytes bytes"

cat >"$out/VERSIONS" <<EOF
# Vendored front-end packages. Written by static/vendor/refresh.sh: do not edit.
# package	version	integrity (npm dist.integrity, checked on every refresh)
$DSFR_PACKAGE	$DSFR_VERSION	$DSFR_INTEGRITY
$HTMX_PACKAGE	$HTMX_VERSION	$HTMX_INTEGRITY
EOF

# Replace the previous tree only once everything above has passed.
rm -rf "$vendor_dir/dsfr" "$vendor_dir/htmx"
mv "$out/dsfr" "$vendor_dir/dsfr"
mv "$out/htmx" "$vendor_dir/htmx"
mv "$out/VERSIONS" "$vendor_dir/VERSIONS"
echo "vendored $DSFR_PACKAGE@$DSFR_VERSION and $HTMX_PACKAGE@$HTMX_VERSION into ${vendor_dir#"$repo_root"/}"
