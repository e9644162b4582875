package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name       string
		stamp      Build
		bi         debug.BuildInfo
		fipsOn     bool
		fipsModule string
		want       string
	}{
		{
			name:  "release build: the stamp wins over the build information",
			stamp: Build{"v1.2.3", rev, "2025-11-30T10:36:00Z"},
			bi: debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
				Settings: settings("GOOS", "linux", "GOARCH", "amd64", "vcs.revision", "ffff", "vcs.time", "2000-01-01T00:00:00Z")},
			fipsModule: "latest",
			want: "git-credential-codecommit v1.2.3\n" +
				"commit: " + rev + "\n" +
				"date: 2025-11-30T10:36:00Z\n" +
				"go: go1.26.8 linux/amd64\n" +
				"fips140: off\n",
		},
		{
			name:  "FIPS release build",
			stamp: Build{"v1.2.3", rev, "2025-11-30T10:36:00Z"},
			bi: debug.BuildInfo{GoVersion: "go1.26.8",
				Settings: settings("GOOS", "windows", "GOARCH", "arm64", "GOFIPS140", "v1.0.0-c2097c7c")},
			fipsOn: true, fipsModule: "v1.0.0",
			want: "git-credential-codecommit v1.2.3\n" +
				"commit: " + rev + "\n" +
				"date: 2025-11-30T10:36:00Z\n" +
				"go: go1.26.8 windows/arm64\n" +
				"fips140: on (Go Cryptographic Module v1.0.0)\n",
		},
		{
			name: "go install ...@v1.2.3: the module version, no commit",
			bi: debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
				Settings: settings("GOOS", "darwin", "GOARCH", "arm64")},
			fipsModule: "latest",
			want: "git-credential-codecommit v1.2.3\n" +
				"commit: unknown\n" +
				"date: unknown\n" +
				"go: go1.26.8 darwin/arm64\n" +
				"fips140: off\n",
		},
		{
			name: "go build in a git checkout with local changes",
			bi: debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
				Settings: settings("GOOS", "linux", "GOARCH", "arm64", "vcs", "git",
					"vcs.revision", rev, "vcs.time", "2025-11-29T08:00:00Z", "vcs.modified", "true")},
			fipsModule: "latest",
			want: "git-credential-codecommit devel\n" +
				"commit: " + rev + " (modified)\n" +
				"date: 2025-11-29T08:00:00Z\n" +
				"go: go1.26.8 linux/arm64\n" +
				"fips140: off\n",
		},
		{
			name: "clean checkout",
			bi: debug.BuildInfo{GoVersion: "go1.26.8",
				Settings: settings("vcs.revision", rev, "vcs.time", "2025-11-29T08:00:00Z", "vcs.modified", "false")},
			fipsModule: "latest",
			want: "git-credential-codecommit devel\n" +
				"commit: " + rev + "\n" +
				"date: 2025-11-29T08:00:00Z\n" +
				"go: go1.26.8\n" +
				"fips140: off\n",
		},
		{
			name:       "FIPS mode turned on with GODEBUG in a build from source",
			bi:         debug.BuildInfo{GoVersion: "go1.26.8"},
			fipsOn:     true,
			fipsModule: "latest",
			want: "git-credential-codecommit devel\n" +
				"commit: unknown\n" +
				"date: unknown\n" +
				"go: go1.26.8\n" +
				"fips140: on (Go Cryptographic Module latest)\n",
		},
		{
			name:  "a stamp with only a version",
			stamp: Build{Version: "v0.0.0-SNAPSHOT-0123456"},
			bi:    debug.BuildInfo{GoVersion: "go1.26.8"},
			want: "git-credential-codecommit v0.0.0-SNAPSHOT-0123456\n" +
				"commit: unknown\n" +
				"date: unknown\n" +
				"go: go1.26.8\n" +
				"fips140: off\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionText(tc.stamp, &tc.bi, tc.fipsOn, tc.fipsModule); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestVersionReportOfTestBinary checks the report of the running binary: a
// test binary has no stamp, so its first line is the one "go build" without
// flags has always printed.
func TestVersionReportOfTestBinary(t *testing.T) {
	got := versionReport(Build{})
	first, _, _ := strings.Cut(got, "\n")
	if first != "git-credential-codecommit devel" {
		t.Errorf("first line %q, want %q", first, "git-credential-codecommit devel")
	}
	if n := strings.Count(got, "\n"); n != 5 {
		t.Errorf("%d lines, want 5:\n%s", n, got)
	}
}
