#!/bin/sh
# configure.sh BINARY
#
# Installs the git-credential-codecommit binary BINARY as
# $ROOT/usr/local/bin/git-credential-codecommit and makes git use it for AWS
# CodeCommit for every user: it runs the installed copy's
# "install --system --rewrite-ssh", which writes git's system configuration
# (/etc/gitconfig in an image; wherever GIT_CONFIG_SYSTEM says otherwise).
# Dockerfile.example runs it; so does a test, with ROOT set to a temporary
# directory that stands for the image's root.
#
# ROOT is empty by default: the root of the machine or image it runs in.
set -eu

if [ "$#" -ne 1 ]; then
	echo "usage: [ROOT=DIR] sh configure.sh BINARY" >&2
	exit 2
fi

ROOT=${ROOT:-}
dest=$ROOT/usr/local/bin/git-credential-codecommit

mkdir -p "$ROOT/usr/local/bin"
cp -- "$1" "$dest"
chmod 0755 "$dest"
"$dest" --version
"$dest" install --system --rewrite-ssh
