#!/bin/sh
# Run before git-credential-codecommit is removed (deb prerm, rpm %preun,
# apk pre-deinstall): when git's system configuration still names the helper,
# say so in one line. It never edits that configuration.
set -eu
case "${1:-}" in
upgrade | failed-upgrade | deconfigure) exit 0 ;; # deb: the package stays
*[!0-9]*) ;;                                     # apk: the old version
0 | '') ;;                                       # rpm: erased
*) exit 0 ;;                                     # rpm: upgraded
esac
# deb: the other build (plain or FIPS) takes its place, at the same path.
[ "${2:-}" = in-favour ] && exit 0
command -v git >/dev/null 2>&1 || exit 0
if git config --system --get-regexp '^credential\..*\.helper$' 2>/dev/null | grep -q 'git-credential-codecommit'; then
	echo 'git-credential-codecommit: git'"'"'s system configuration (git config --system --list) still names this helper; remove those lines, or reinstall and run "git-credential-codecommit uninstall --system"' >&2
fi
exit 0
