// Package procprovider runs a profile's credential_process, as the SDK's
// processcreds does (the same shell, environment and JSON), with three
// differences.
//
// The SDK waits for the process's standard output to close, not for the
// process to end. A credential process that leaves a child behind holding
// its stdout (a token agent it starts, a "sleep &" in a script) then keeps
// git waiting as long as that child lives, long after the credentials were
// printed, and the SDK reports the wait as a failure. Provider reads what
// the process printed once it has exited, and is bounded by its context.
//
// The SDK hands the process the host's stdin and stderr, for MFA prompts.
// Provider gives it no stdin (it reads end of file): under git, stdin is
// git's request, already read, or for the remote helper git's command
// stream, which a process must never read from; in a library it is not
// ours to give. A process that prompts for an MFA code opens the terminal
// itself, which it still can: it stays in git's process group. Its stderr
// goes where the caller says (Provider.Stderr), and nowhere when the caller
// says nothing; the command line gives it the program's stderr, as the SDK
// does, so that its messages and prompts reach the user as before.
//
// Its errors never quote what the process printed, which may hold secrets.
package procprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
)

const (
	// Timeout bounds a credential process, as the SDK's default does.
	Timeout = time.Minute
	// grace is how long output is still read after the process exited:
	// what it printed is already in the pipe.
	grace = 200 * time.Millisecond
	// maxOutput bounds what is read of the output: a process that prints
	// more is ended at once, rather than left blocked on a full pipe until
	// the deadline.
	maxOutput = 64 << 10
)

// Provider returns credentials from Command, a profile's credential_process,
// by Deadline (when not zero). The deadline is carried here because the SDK
// calls a provider through its credentials cache, which passes on no
// deadline of the caller's.
type Provider struct {
	Command  string
	Deadline time.Time
	// Stderr receives what the process writes on its stderr; nil discards
	// it.
	Stderr io.Writer
}

// ProviderSources names the source as the SDK's provider does, so that the
// cache and the error messages treat both alike.
func (Provider) ProviderSources() []aws.CredentialSource {
	return []aws.CredentialSource{aws.CredentialSourceProfileProcess, aws.CredentialSourceProcess}
}

// failed is a failure of a credential process, in words that never quote
// what it printed.
type failed struct{ reason string }

func (e *failed) Error() string { return e.reason }

// Retrieve runs the process and parses its output as the SDK does.
func (p Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if !p.Deadline.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, p.Deadline)
		defer cancel()
	}
	out, err := run(ctx, p.Command, p.Stderr)
	if err != nil {
		return aws.Credentials{Source: processcreds.ProviderName}, err
	}
	return parse(output(runtime.GOOS, out))
}

// parse reads out as the SDK reads a credential process's output.
func parse(out []byte) (aws.Credentials, error) {
	var resp processcreds.CredentialProcessResponse
	switch {
	case json.Unmarshal(out, &resp) != nil:
		return aws.Credentials{Source: processcreds.ProviderName}, &failed{"its output is not the JSON credential_process must print"}
	case resp.Version != 1:
		return aws.Credentials{Source: processcreds.ProviderName}, &failed{"its output has no Version 1"}
	case resp.AccessKeyID == "" || resp.SecretAccessKey == "":
		return aws.Credentials{Source: processcreds.ProviderName}, &failed{"its output has no AccessKeyId or no SecretAccessKey"}
	}
	c := aws.Credentials{
		Source:          processcreds.ProviderName,
		AccessKeyID:     resp.AccessKeyID,
		SecretAccessKey: resp.SecretAccessKey,
		SessionToken:    resp.SessionToken,
		AccountID:       resp.AccountID,
	}
	if resp.Expiration != nil {
		c.CanExpire, c.Expires = true, *resp.Expiration
	}
	return c, nil
}

// run runs command through the shell, as the SDK does, and returns what it
// printed on stdout once it has exited successfully. Its stdout, and its
// stderr unless that is a file, are pipes of our own, so that waiting for
// the process does not mean waiting for every process that inherited them.
func run(ctx context.Context, command string, stderr io.Writer) ([]byte, error) {
	shell := shell(runtime.GOOS, command)
	cmd := exec.Command(shell[0], shell[1:]...)
	cmd.Env = os.Environ()
	out := &bounded{max: maxOutput, full: make(chan struct{})}
	streams := []*stream{{w: out, set: &cmd.Stdout}}
	if f, ok := stderr.(*os.File); ok {
		cmd.Stderr = f
	} else if stderr != nil {
		streams = append(streams, &stream{w: stderr, set: &cmd.Stderr})
	}
	for _, s := range streams {
		if err := s.open(); err != nil {
			closeAll(streams)
			return nil, err
		}
	}
	err := cmd.Start()
	for _, s := range streams {
		s.start() // the child has its copies of the write ends
	}
	defer closeAll(streams)
	if err != nil {
		return nil, &failed{fmt.Sprintf("it cannot be started: %v", err)}
	}
	if err := wait(ctx, cmd, out.full); err != nil {
		if out.isOver() {
			return nil, out.overError()
		}
		return nil, err
	}
	after, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	for _, s := range streams {
		select {
		case <-s.done:
		case <-after.Done():
			// Something it started still holds the pipe: what it printed
			// before it exited is all there is.
		}
	}
	return out.bytes()
}

// wait waits for cmd to exit, for ctx to end, or for full to close: the
// process printed more than is read, and would block on the full pipe.
func wait(ctx context.Context, cmd *exec.Cmd, full <-chan struct{}) error {
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-ctx.Done():
		// As the SDK does, only the shell is killed: the process stays in
		// git's process group, where it may prompt on the terminal for
		// an MFA code, and what it started is its own.
		cmd.Process.Kill()
		return fmt.Errorf("credential_process: %w", ctx.Err())
	case <-full:
		// What still writes to the pipe gets EPIPE once run closes it.
		cmd.Process.Kill()
		return &failed{"it printed too much"} // run reports it as bounded's
	case err := <-exited:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return &failed{fmt.Sprintf("it exited with status %d", exit.ExitCode())}
		}
		if err != nil {
			return &failed{err.Error()}
		}
		return nil
	}
}

// stream is one of the process's outputs, a pipe copied to w until it
// closes, or until w refuses more.
type stream struct {
	w    io.Writer
	set  *io.Writer // where cmd takes the write end
	r    *os.File
	wr   *os.File
	done chan struct{}
}

func (s *stream) open() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	s.r, s.wr, *s.set = r, w, w
	return nil
}

// start closes our copy of the write end and copies the read end to w.
func (s *stream) start() {
	s.wr.Close()
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		io.Copy(s.w, s.r)
	}()
}

// closeAll closes the read ends, and waits for their copies to end, so
// that nothing is written to a caller's writer after run returns.
func closeAll(streams []*stream) {
	for _, s := range streams {
		if s.r == nil {
			continue
		}
		s.r.Close()
		if s.done != nil {
			<-s.done
		} else {
			s.wr.Close()
		}
	}
}

// bounded keeps up to max bytes, and closes full when more came.
type bounded struct {
	mu   sync.Mutex
	b    []byte
	max  int
	over bool
	full chan struct{}
}

var errFull = errors.New("full")

func (b *bounded) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.b)+len(p) > b.max {
		if !b.over {
			b.over = true
			close(b.full)
		}
		return 0, errFull
	}
	b.b = append(b.b, p...)
	return len(p), nil
}

func (b *bounded) isOver() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.over
}

func (b *bounded) overError() error {
	return &failed{fmt.Sprintf("it printed more than %d KiB", b.max>>10)}
}

func (b *bounded) bytes() ([]byte, error) {
	if b.isOver() {
		return nil, b.overError()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.b...), nil
}

// shell is how the SDK runs a credential_process on goos.
func shell(goos, command string) []string {
	if goos == "windows" {
		return []string{"cmd.exe", "/C", command}
	}
	return []string{"sh", "-c", command}
}

// output is what the SDK parses of a process's output on goos: cmd.exe
// escapes the quotes a process prints, and the SDK takes the backslashes
// off again.
func output(goos string, out []byte) []byte {
	if goos == "windows" {
		return bytes.ReplaceAll(out, []byte(`\"`), []byte(`"`))
	}
	return out
}
