package awscreds

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// noMetadata gives the test an environment with nothing but instance
// metadata, at endpoint, to get credentials from.
func noMetadata(t *testing.T, endpoint string) {
	testenv.Isolate(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)
}

// TestMetadataRefused checks that instance metadata that refuses the
// connection is dialled once, not retried, token and IMDSv1 request alike,
// and that the line says so in a few words.
func TestMetadataRefused(t *testing.T) {
	noMetadata(t, testenv.Nowhere)
	t.Setenv("CI", "false")
	var dials atomic.Int32
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		ConnectStart: func(string, string) { dials.Add(1) },
	})
	_, err := Resolve(ctx, Options{DefaultRegion: "us-east-1", NoCache: true})
	want := `no AWS credentials (not in the environment or profile "default"; EC2 metadata: connection refused); run: aws configure, or git-credential-codecommit login`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connection attempts to instance metadata, want 1", n)
	}
}

// TestMetadataSilent checks that instance metadata that accepts the
// connection and never answers gets one token request and one IMDSv1
// request, as the SDK falls back for a container behind a hop limit, and
// neither is retried.
func TestMetadataSilent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		requests []string
		conns    []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			requests, conns = append(requests, strings.TrimSpace(line)), append(conns, c) // kept open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	noMetadata(t, "http://"+ln.Addr().String())
	t.Setenv("CI", "true")
	_, err = Resolve(context.Background(), Options{DefaultRegion: "us-east-1", NoCache: true})
	want := `no AWS credentials (not in the environment or profile "default"; EC2 metadata: timed out); use a role: web identity or the container/instance role`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(requests, []string{"PUT /latest/api/token HTTP/1.1", "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1"}) {
		t.Errorf("instance metadata got %q, want one token request, then one IMDSv1 request", requests)
	}
}

// TestSDKLogsOnlyUnderDebug checks that the SDK's own log lines, such as
// its warning when it falls back to IMDSv1, never reach stderr, and are
// --debug lines when debugging.
func TestSDKLogsOnlyUnderDebug(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			http.Error(w, "Forbidden", http.StatusForbidden) // IMDSv2 off: the SDK falls back
			return
		}
		http.NotFound(w, r) // no role
	}))
	defer srv.Close()
	noMetadata(t, srv.URL)
	for _, debug := range []bool{false, true} {
		var lines []string
		o := Options{DefaultRegion: "us-east-1", NoCache: true}
		if debug {
			o.Debugf = func(format string, args ...any) {
				lines = append(lines, fmt.Sprintf(format, args...))
			}
		}
		stderr := captureStderr(t, func() {
			if _, err := Resolve(context.Background(), o); failure.As(err) == nil || failure.As(err).Problem != "no AWS credentials" {
				t.Errorf("got %v, want no AWS credentials", err)
			}
		})
		if stderr != "" {
			t.Errorf("debug %v: stderr %q, want nothing", debug, stderr)
		}
		fellBack := slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "AWS SDK WARN: falling back to IMDSv1") })
		if fellBack != debug {
			t.Errorf("debug %v: debug lines %q", debug, lines)
		}
	}
}

// captureStderr returns what f wrote to the process's stderr.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	read := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		read <- string(b)
	}()
	func() {
		defer func() { os.Stderr = saved }()
		f()
	}()
	w.Close()
	return <-read
}
