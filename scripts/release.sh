#!/bin/sh
# Release build: static (CGO_ENABLED=0) Gatehouse binaries with the version
# and commit stamped in, and their SHA-256 sums.
#   scripts/release.sh                      # linux/amd64 and linux/arm64
#   scripts/release.sh linux/arm64          # only the platforms named
# Writes $DIST (default dist/): gatehouse-OS-ARCH per platform and
# SHA256SUMS (check with: cd dist && sha256sum -c SHA256SUMS).
# VERSION defaults to `git describe --tags --always --dirty`, COMMIT to
# `git rev-parse HEAD` (outside a checkout, e.g. a container build: dev and
# unknown unless given). SQLite is modernc.org/sqlite, pure Go, so no C
# toolchain is needed for any platform.
set -eu
cd "$(dirname "$0")/.."
DIST=${DIST:-dist}
PLATFORMS=${*:-linux/amd64 linux/arm64}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}

# The values go into -ldflags unquoted: refuse anything but a plain word.
for v in "$VERSION" "$COMMIT"; do
	case $v in
	'' | *[!A-Za-z0-9._+-]*) echo "release: '$v' is not a plain version or commit ([A-Za-z0-9._+-])" >&2; exit 2 ;;
	esac
done

pkg=github.com/gatehouse/gatehouse/internal/buildinfo
ldflags="-s -w -X $pkg.Version=$VERSION -X $pkg.Commit=$COMMIT"
mkdir -p "$DIST"
rm -f "$DIST"/gatehouse-* "$DIST"/SHA256SUMS
hostplatform=$(go env GOHOSTOS)/$(go env GOHOSTARCH)

for platform in $PLATFORMS; do
	os=${platform%/*}
	arch=${platform#*/}
	out=$DIST/gatehouse-$os-$arch
	echo "release: building $out ($VERSION, commit $COMMIT)"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$out" ./cmd/gatehouse

	# Static: the go command recorded CGO_ENABLED=0, and file(1), where
	# present, finds no interpreter (dynamic loader) in the ELF file.
	go version -m "$out" | grep -q 'CGO_ENABLED=0' || { echo "release: $out was built with cgo" >&2; exit 1; }
	if command -v file >/dev/null 2>&1; then
		file "$out" | grep -q 'statically linked' || { echo "release: $out is not static: $(file "$out")" >&2; exit 1; }
	fi
	if [ "$platform" = "$hostplatform" ]; then
		"$out" version | grep -q "gatehouse $VERSION (commit $COMMIT," || {
			echo "release: $out prints '$("$out" version)', not $VERSION/$COMMIT" >&2; exit 1; }
	fi
done

(cd "$DIST" && sha256sum gatehouse-* >SHA256SUMS)
echo "release: $DIST/SHA256SUMS"
cat "$DIST/SHA256SUMS"
