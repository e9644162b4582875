package credcache

import "testing"

// TestCacheDir checks the cache directory of every system, from the
// environment alone, as os.UserCacheDir finds it there.
func TestCacheDir(t *testing.T) {
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want string // "" for none
	}{
		{"linux", map[string]string{"HOME": "/home/jo"}, "/home/jo/.cache/git-credential-codecommit"},
		{"linux", map[string]string{"HOME": "/home/jo", "XDG_CACHE_HOME": "/var/cache/jo"}, "/var/cache/jo/git-credential-codecommit"},
		{"linux", map[string]string{"HOME": ".", "XDG_CACHE_HOME": ""}, ""},
		{"linux", map[string]string{"HOME": "/home/jo", "XDG_CACHE_HOME": "cache"}, ""},
		{"linux", map[string]string{}, ""},
		{"freebsd", map[string]string{"HOME": "/usr/home/jo"}, "/usr/home/jo/.cache/git-credential-codecommit"},
		{"darwin", map[string]string{"HOME": "/Users/Jo Smith", "XDG_CACHE_HOME": "/ignored"}, "/Users/Jo Smith/Library/Caches/git-credential-codecommit"},
		{"darwin", map[string]string{"HOME": "relative"}, ""},
		{"windows", map[string]string{"LocalAppData": `C:\Users\Jo Smith\AppData\Local`}, `C:\Users\Jo Smith\AppData\Local\git-credential-codecommit`},
		{"windows", map[string]string{"LocalAppData": `C:\Users\jo\AppData\Local\`}, `C:\Users\jo\AppData\Local\git-credential-codecommit`},
		{"windows", map[string]string{"LocalAppData": `\\server\share\jo`}, `\\server\share\jo\git-credential-codecommit`},
		{"windows", map[string]string{"LocalAppData": `AppData`, "HOME": "/home/jo"}, ""},
		{"windows", map[string]string{"HOME": `C:\Users\jo`}, ""},
		{"plan9", map[string]string{"home": "/usr/jo"}, "/usr/jo/lib/cache/git-credential-codecommit"},
	} {
		c := userCacheDir(tc.goos, func(k string) string { return tc.env[k] })
		if c.dir != tc.want || (c.err == nil) != (tc.want != "") {
			t.Errorf("userCacheDir(%s, %v) = %q, %v; want %q", tc.goos, tc.env, c.dir, c.err, tc.want)
		}
	}
}
