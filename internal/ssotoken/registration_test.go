package ssotoken

import (
	"path/filepath"
	"testing"
	"time"
)

// TestRegistrationFile checks the AWS CLI's names of registration cache
// files. The vectors are what the AWS CLI's key computes, made with
// Python's hashlib.sha1(json.dumps(args, sort_keys=True).encode()).
func TestRegistrationFile(t *testing.T) {
	for _, tc := range []struct {
		url, region, session string
		scopes               []string
		want                 string
	}{
		{"https://corp.awsapps.com/start", "us-east-1", "corp", []string{"sso:account:access"}, "1b56c55d6e723362537167a7f43960b8185b5a80"},
		{"https://corp.awsapps.com/start", "us-east-1", "corp", nil, "5fdb0c628fe4a3a78887b40232874154e433f9a4"},
		{"https://x.example/\u00e9\"\\\n", "eu-west-1", "s\U0001F600", []string{"a", "b\u20ac"}, "5be53907e2711bf8ff72b9ebd522102ce6c287b8"},
	} {
		if got, want := RegistrationFile("/c", tc.url, tc.region, tc.session, tc.scopes), filepath.Join("/c", tc.want+".json"); got != want {
			t.Errorf("RegistrationFile(%q, %q, %q, %q) = %s, want %s", tc.url, tc.region, tc.session, tc.scopes, got, want)
		}
	}
}

func TestRegistrationUsable(t *testing.T) {
	now := time.Now()
	r := Registration{ClientID: "i", ClientSecret: "s", ExpiresAt: now.Add(time.Hour), GrantTypes: []string{"authorization_code", "refresh_token"}}
	if !r.Usable("authorization_code", now) {
		t.Error("a registration for the grant, valid for an hour, is not usable")
	}
	if r.Usable("urn:ietf:params:oauth:grant-type:device_code", now) {
		t.Error("a registration is usable for a grant it was not registered for")
	}
	if r.Usable("authorization_code", now.Add(50*time.Minute)) {
		t.Error("a registration valid for 10 more minutes is usable")
	}
}
