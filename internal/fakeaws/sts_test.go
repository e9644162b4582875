package fakeaws

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

const roleARN = "arn:aws:iam::111122223333:role/Deploy"

// source is the long-term key of the assume-role profile.
var source = Credentials{AccessKeyID: "AKIAFAKESOURCE000001", SecretAccessKey: "c291cmNlIHNlY3JldCBrZXkgb2YgdGhlIGZha2Vz"}

// startSTS starts STS and writes an assume-role profile "dev" whose source
// profile has the key source, known to Keys unless unknownSource.
func startSTS(t *testing.T, unknownSource bool) (*STS, *Keys) {
	t.Helper()
	home := setup(t)
	keys := NewKeys()
	if !unknownSource {
		keys.Add(source)
	}
	s, err := StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	writeFile(t, filepath.Join(home, ".aws", "credentials"),
		"[base]\naws_access_key_id = "+source.AccessKeyID+"\naws_secret_access_key = "+source.SecretAccessKey+"\n")
	writeFile(t, filepath.Join(home, ".aws", "config"),
		"[profile dev]\nrole_arn = "+roleARN+"\nsource_profile = base\nrole_session_name = fake-session\n")
	t.Setenv("AWS_PROFILE", "dev")
	t.Setenv("AWS_ENDPOINT_URL_STS", s.URL)
	return s, keys
}

func TestSTSAssumeRole(t *testing.T) {
	s, keys := startSTS(t, false)
	s.Duration(2 * time.Hour)

	got := mustRetrieve(t)
	want := checkIssued(t, keys, got, "ASIASTS")
	if !got.Expires.Equal(want.Expiration) {
		t.Errorf("expires %v, want %v", got.Expires, want.Expiration)
	}
	if d := time.Until(got.Expires); d < 119*time.Minute || d > 2*time.Hour {
		t.Errorf("credentials expire in %v, want 2h", d)
	}
	if got.AccountID != "111122223333" {
		t.Errorf("account id %q, want 111122223333", got.AccountID)
	}
	calls := s.Callers()
	wantCall := Call{Action: "AssumeRole", AccessKeyID: source.AccessKeyID, RoleARN: roleARN,
		RoleSessionName: "fake-session", Issued: got.AccessKeyID}
	if len(calls) != 1 || calls[0] != wantCall {
		t.Errorf("callers %+v, want [%+v]", calls, wantCall)
	}
	if n := s.Calls("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
}

func TestSTSGetCallerIdentity(t *testing.T) {
	s, keys := startSTS(t, false)
	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sts::111122223333:assumed-role/Deploy/fake-session"; *out.Arn != want || *out.Account != "111122223333" ||
		!strings.HasPrefix(*out.UserId, "AROA") || !strings.HasSuffix(*out.UserId, ":fake-session") {
		t.Errorf("caller identity %s %s %s, want %s", *out.Arn, *out.Account, *out.UserId, want)
	}
	calls := s.Callers()
	if len(calls) != 2 || calls[1].Action != "GetCallerIdentity" || calls[1].AccessKeyID != calls[0].Issued {
		t.Errorf("callers %+v, want AssumeRole then GetCallerIdentity signed by the issued key", calls)
	}

	// A key STS did not issue is the user fakeaws.
	t.Setenv("AWS_PROFILE", "base")
	cfg, err = config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Arn != "arn:aws:iam::123456789012:user/fakeaws" {
		t.Errorf("caller identity of the source key %s", *out.Arn)
	}

	// An expired key is refused.
	expired := keys.Issue("ASIAOLD", time.Now().Add(-time.Minute))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", expired.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", expired.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", expired.SessionToken)
	cfg, err = config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if errorCode(err) != "ExpiredToken" {
		t.Errorf("GetCallerIdentity with an expired key: %v, want ExpiredToken", err)
	}
}

func TestSTSRefusesUnknownCaller(t *testing.T) {
	s, _ := startSTS(t, true)
	_, err := retrieve(t)
	if errorCode(err) != "InvalidClientTokenId" {
		t.Errorf("error %v, want InvalidClientTokenId", err)
	}
	if n := s.Calls("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
	if calls := s.Callers(); len(calls) != 1 || calls[0].Issued != "" || calls[0].AccessKeyID != source.AccessKeyID {
		t.Errorf("callers %+v", calls)
	}
}

func TestSTSRetriesInternalFailure(t *testing.T) {
	s, keys := startSTS(t, false)
	s.FailNext(Fault{500, "InternalFailure", "An internal error occurred."})
	got := mustRetrieve(t)
	checkIssued(t, keys, got, "ASIASTS")
	if n := s.Calls("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls, want 2", n)
	}
}

func TestSTSDoesNotRetryClientErrors(t *testing.T) {
	for _, f := range []Fault{
		{403, "AccessDenied", "User is not authorized to perform: sts:AssumeRole"},
		{400, "ExpiredTokenException", "Token expired"},
	} {
		t.Run(f.Code, func(t *testing.T) {
			s, _ := startSTS(t, false)
			s.FailNext(f)
			_, err := retrieve(t)
			if err == nil || errorCode(err) != f.Code || !strings.Contains(err.Error(), f.Code) {
				t.Errorf("error %v, want %s", err, f.Code)
			}
			if n := s.Calls("AssumeRole"); n != 1 {
				t.Errorf("%d AssumeRole calls, want 1", n)
			}
		})
	}
}

func TestSTSLatency(t *testing.T) {
	s, _ := startSTS(t, false)
	s.SetLatency(300 * time.Millisecond)
	start := time.Now()
	mustRetrieve(t)
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("retrieve took %v, want at least the latency of 300ms", d)
	}
}

// TestSTSHold: a held STS counts the call and answers it only once
// released.
func TestSTSHold(t *testing.T) {
	s, _ := startSTS(t, false)
	release := s.Hold()
	done := make(chan error, 1)
	go func() {
		_, err := retrieve(t)
		done <- err
	}()
	testenv.Within(t, time.Minute, "the call reaching STS", func() {
		for s.Calls("AssumeRole") == 0 {
			time.Sleep(time.Millisecond)
		}
	})
	select {
	case err := <-done:
		t.Fatalf("answered while held: %v", err)
	default:
	}
	release()
	testenv.Within(t, time.Minute, "the answer after release", func() {
		if err := <-done; err != nil {
			t.Errorf("after release: %v", err)
		}
	})
	release() // a second release does nothing
}

func TestSTSWebIdentity(t *testing.T) {
	home := setup(t)
	keys := NewKeys()
	s, err := StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetWebIdentityToken("eyJhbGciOiJSUzI1NiJ9.fake.token")
	tokenFile := filepath.Join(home, "token")
	t.Setenv("AWS_ENDPOINT_URL_STS", s.URL)
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile)
	t.Setenv("AWS_ROLE_ARN", roleARN)
	t.Setenv("AWS_ROLE_SESSION_NAME", "irsa")

	writeFile(t, tokenFile, "eyJhbGciOiJSUzI1NiJ9.fake.token")
	got := mustRetrieve(t)
	checkIssued(t, keys, got, "ASIAWEB")
	want := Call{Action: "AssumeRoleWithWebIdentity", RoleARN: roleARN, RoleSessionName: "irsa", Issued: got.AccessKeyID}
	if calls := s.Callers(); len(calls) != 1 || calls[0] != want {
		t.Errorf("callers %+v, want [%+v]", calls, want)
	}

	writeFile(t, tokenFile, "eyJhbGciOiJSUzI1NiJ9.other.token")
	_, err = retrieve(t)
	if errorCode(err) != "AccessDenied" {
		t.Errorf("error with a wrong token: %v, want AccessDenied", err)
	}
	if n := s.Calls("AssumeRoleWithWebIdentity"); n != 2 {
		t.Errorf("%d calls, want 2 (the refusal is not retried)", n)
	}
}

// TestSTSRefusesUnsigned checks that a call without a signature is refused.
func TestSTSRefusesUnsigned(t *testing.T) {
	keys := NewKeys()
	s, err := StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, body := do(t, "POST", s.URL, "Action=GetCallerIdentity&Version=2011-06-15",
		"Content-Type", "application/x-www-form-urlencoded")
	if resp.StatusCode != 403 || !strings.HasPrefix(body, "<ErrorResponse") ||
		!strings.Contains(body, "<Type>Sender</Type><Code>MissingAuthenticationToken</Code>") {
		t.Errorf("answer %d %s", resp.StatusCode, body)
	}
}
