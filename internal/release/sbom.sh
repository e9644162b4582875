#!/bin/sh
# sbom.sh BINARY SBOM VERSION: the CycloneDX SBOM of one release binary,
# run by GoReleaser (.goreleaser.yaml's sboms) in dist/. cyclonedx-gomod
# reads the module list the binary carries, with the standard library as a
# component (-std); cdx (tools/cdx) adds the licences from
# THIRD_PARTY_NOTICES and, for a GOFIPS140 build, the Go Cryptographic
# Module.
set -eu
cyclonedx-gomod bin -json -noserial -notimestamp -std -version "$3" -output "$2" "$1"
cdx complete ../internal/release/THIRD_PARTY_NOTICES "$1" "$2"
