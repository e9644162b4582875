#!/bin/sh
# fetch-release.sh VERSION SUMS_SHA256 ARCH DEST [fips]
#
# Downloads release VERSION (1.2.3 or v1.2.3) of git-credential-codecommit
# for linux/ARCH (amd64 or arm64), verifies it, and installs the binary as
# DEST/git-credential-codecommit. With "fips", the FIPS 140-3 build.
#
# The chain of trust: SUMS_SHA256 is the SHA-256 of the release's SHA256SUMS
# file, pinned by the caller (Dockerfile.example's ARG); that file, once it
# matches, holds the archive's SHA-256, and "sha256sum -c" checks both. One
# pin covers every architecture of a release.
#
# RELEASES is where releases are downloaded from, one directory per tag
# (default: the project's GitHub releases; Dockerfile.example's ARG RELEASES
# sets it). .ci/release points it at a snapshot with a file:// URL and runs
# this script as Dockerfile.example does; .ci/docker builds the image with it
# pointing at the snapshot served over HTTPS on loopback.
set -eu

if [ "$#" -lt 4 ] || [ "$#" -gt 5 ] || { [ "$#" -eq 5 ] && [ "$5" != fips ]; }; then
	echo "usage: [RELEASES=URL] sh fetch-release.sh VERSION SUMS_SHA256 ARCH DEST [fips]" >&2
	exit 2
fi
version=${1#v}
sums_sha256=$2
arch=$3
dest=$4
# The work happens in a temporary directory: a relative DEST is taken from
# here.
case $dest in
/*) ;;
*) dest=$(pwd)/$dest ;;
esac
suffix=
if [ "$#" -eq 5 ]; then
	suffix=_fips
fi
releases=${RELEASES:-https://github.com/git-credential-codecommit/git-credential-codecommit/releases/download}

sums=git-credential-codecommit_${version}_SHA256SUMS
archive=git-credential-codecommit_${version}_linux_${arch}${suffix}.tar.gz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

curl -fsSL --proto '=https,file' -o "$sums" "$releases/v$version/$sums"
echo "$sums_sha256  $sums" | sha256sum -c -
curl -fsSL --proto '=https,file' -o "$archive" "$releases/v$version/$archive"
# Only the archive's own line: sha256sum -c fails when it is missing.
awk -v f="$archive" '$2 == f' "$sums" | sha256sum -c -

# The archive's files are in a directory named after it.
tar -xzf "$archive" "${archive%.tar.gz}/git-credential-codecommit"
mkdir -p "$dest"
cp "${archive%.tar.gz}/git-credential-codecommit" "$dest/git-credential-codecommit"
chmod 0755 "$dest/git-credential-codecommit"
