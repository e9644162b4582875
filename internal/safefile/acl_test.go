package safefile

import "testing"

// TestJudgeACL is Windows' rules as a table: it runs everywhere, and the
// Windows suite (internal/e2e/windows_test.go) runs them on files Wine
// describes.
func TestJudgeACL(t *testing.T) {
	const me, other = "S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1002"
	const (
		full      = 0x1f01ff // FILE_ALL_ACCESS
		readExec  = 0x1200a9 // what Wine gives Everyone on a 0644 file
		worldRW   = 0x1301ff // what Wine gives Everyone on a 0666 file
		appendOly = 0x4
	)
	profile := []allowEntry{{sidSystem, full}, {sidAdministrators, full}, {me, full}}
	for _, tc := range []struct {
		name    string
		owner   string
		allowed []allowEntry
		null    bool
		want    string
	}{
		{"the profile's inherited list", me, profile, false, ""},
		{"owned by Administrators (an elevated administrator's file)", sidAdministrators, profile, false, ""},
		{"owned by SYSTEM", sidSystem, profile, false, ""},
		{"others may read", me, append(profile, allowEntry{"S-1-1-0", readExec}), false, ""},
		{"empty list", me, nil, false, ""},
		{"another user's", other, profile, false, "is owned by " + other + ", not by this user (" + me + ")"},
		{"Wine's owner of another uid's file", "S-1-5-7", profile, false, "is owned by S-1-5-7, not by this user (" + me + ")"},
		{"Everyone may write", me, append(profile, allowEntry{"S-1-1-0", worldRW}), false, "is writable by S-1-1-0, not only by this user (" + me + ")"},
		{"Users may append", me, append(profile, allowEntry{"S-1-5-32-545", appendOly}), false, "is writable by S-1-5-32-545, not only by this user (" + me + ")"},
		{"another user has GENERIC_ALL", me, append(profile, allowEntry{other, 0x10000000}), false, "is writable by " + other + ", not only by this user (" + me + ")"},
		{"null list", me, nil, true, "has no access control list: anyone may change it"},
	} {
		if got := judgeACL(tc.owner, me, tc.allowed, tc.null); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
