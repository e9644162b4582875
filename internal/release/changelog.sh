#!/bin/sh
# changelog.sh VERSION DATE: the packages' changelog entry for release
# VERSION, dated DATE (the commit's), in nfpm's changelog format, written to
# dist/packaging-changelog.yml, from which nfpm makes the .deb's
# changelog.Debian.gz and the .rpm's %changelog. .goreleaser.yaml runs it
# after each build; the same bytes every time, written atomically.
set -eu
# The packages' version: X.Y.Z-1, a prerelease X.Y.Z~PRE-1 (as nfpm spells
# it for deb and rpm, with .goreleaser.yaml's release "1").
v=$(printf '%s' "$1" | sed 's/-/~/')-1
f=dist/packaging-changelog.yml
cat >"$f.$$" <<EOF
- semver: $v
  date: $2
  packager: git-credential-codecommit maintainers <maintainers@git-credential-codecommit.dev>
  deb:
    urgency: medium
    distributions: [unstable]
  changes:
    - note: "Upstream release $1; its changes are in CHANGELOG.md."
EOF
mv -f "$f.$$" "$f"
