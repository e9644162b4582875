package helper

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestLockDeadlineKeepsItsMessage: a get that reaches its deadline while
// another holds the cache's lock on the same credentials (here a get of
// this process, whose AssumeRole STS holds) says so, naming the holder,
// rather than blaming the network.
func TestLockDeadlineKeepsItsMessage(t *testing.T) {
	home := testenv.Isolate(t)
	keys := fakeaws.NewKeys()
	sts, err := fakeaws.StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	base := fakeaws.Credentials{AccessKeyID: "AKIABASELOCKWAIT0001", SecretAccessKey: "base/secret+key0000000000000000000000lock"}
	keys.Add(base)
	testenv.WriteFile(t, home, ".aws/credentials", "[base]\naws_access_key_id = "+base.AccessKeyID+"\naws_secret_access_key = "+base.SecretAccessKey+"\n")
	testenv.WriteFile(t, home, ".aws/config", "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\n")
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
	t.Setenv("AWS_PROFILE", "deploy")
	release := sts.Hold()
	req := Request{Protocol: "https", Host: "git-codecommit.us-east-1.amazonaws.com", Path: "v1/repos/r"}

	first := make(chan error, 1)
	go func() { first <- (&Getter{}).Get(context.Background(), req, new(bytes.Buffer)) }()
	defer func() { release(); <-first }()
	for bound := time.Now().Add(time.Minute); sts.Calls("AssumeRole") == 0 && time.Now().Before(bound); {
		time.Sleep(5 * time.Millisecond) // until the first get, holding the lock, has called STS
	}
	if locks, _ := filepath.Glob(filepath.Join(home, ".cache", "git-credential-codecommit", "*.lock")); len(locks) != 1 {
		t.Fatalf("lock files %v", locks)
	}
	// Long enough to reach the wait for the lock; the held STS call
	// makes it end there whatever the length.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	err = (&Getter{}).Get(ctx, req, &out)
	want := fmt.Sprintf("another git-credential-codecommit (pid %d) was still fetching the same credentials at the deadline (context deadline exceeded); retry, or pass --no-cache", os.Getpid())
	if err == nil || err.Error() != want || out.Len() != 0 {
		t.Errorf("a get at its deadline: %v, %q\nwant %s", err, out.String(), want)
	}
}
