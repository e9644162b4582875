package awscreds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
)

// The SDK's credential_process provider waits for the process's standard
// output to close, not for the process to end. A credential process that
// leaves a child behind holding its stdout (a token agent it starts, a
// "sleep &" in a script) then keeps git waiting as long as that child
// lives, long after the credentials were printed, and the SDK reports the
// wait as a failure. processProvider runs a profile's own credential_process
// the same way (the same shell, environment and streams, the same JSON), but
// reads what the process printed once it has exited, and is bounded by
// its context.

const (
	// processTimeout bounds a credential process, as the SDK's default does.
	processTimeout = time.Minute
	// processGrace is how long output is still read after the process
	// exited: what it printed is already in the pipe.
	processGrace = 200 * time.Millisecond
	// maxProcessOutput bounds what is read of the output.
	maxProcessOutput = 64 << 10
)

// processProvider returns credentials from command, a profile's
// credential_process, by deadline (when not zero). The deadline is carried
// here because the SDK calls a provider through its credentials cache,
// which passes on no deadline of the caller's.
type processProvider struct {
	command  string
	deadline time.Time
}

// ProviderSources names the source as the SDK's provider does, so that the
// cache and the error messages treat both alike.
func (processProvider) ProviderSources() []aws.CredentialSource {
	return []aws.CredentialSource{aws.CredentialSourceProfileProcess, aws.CredentialSourceProcess}
}

// processError is a failure of a credential process, in words that never
// quote what it printed.
type processError struct{ reason string }

func (e *processError) Error() string { return e.reason }

// Retrieve runs the process and parses its output as the SDK does.
func (p processProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, processTimeout)
	defer cancel()
	if !p.deadline.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, p.deadline)
		defer cancel()
	}
	out, err := runProcess(ctx, p.command)
	if err != nil {
		return aws.Credentials{Source: processcreds.ProviderName}, err
	}
	out = processOutput(runtime.GOOS, out)
	var resp processcreds.CredentialProcessResponse
	switch {
	case json.Unmarshal(out, &resp) != nil:
		return aws.Credentials{Source: processcreds.ProviderName}, &processError{"its output is not the JSON credential_process must print"}
	case resp.Version != 1:
		return aws.Credentials{Source: processcreds.ProviderName}, &processError{"its output has no Version 1"}
	case resp.AccessKeyID == "" || resp.SecretAccessKey == "":
		return aws.Credentials{Source: processcreds.ProviderName}, &processError{"its output has no AccessKeyId or no SecretAccessKey"}
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

// runProcess runs command through the shell, as the SDK does, and returns
// what it printed on stdout once it has exited successfully. Its stdout is
// a pipe of our own, so that waiting for the process does not mean waiting
// for every process that inherited the pipe.
func runProcess(ctx context.Context, command string) ([]byte, error) {
	shell := processShell(runtime.GOOS, command)
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(shell[0], shell[1:]...)
	cmd.Env = os.Environ()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, w, os.Stderr // stderr and stdin for MFA prompts, as the SDK does
	err = cmd.Start()
	w.Close() // the child has its copy
	if err != nil {
		return nil, &processError{fmt.Sprintf("it cannot be started: %v", err)}
	}

	var (
		mu  sync.Mutex
		out []byte
	)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			mu.Lock()
			out = append(out, b[:n]...)
			full := len(out) > maxProcessOutput
			mu.Unlock()
			if err != nil || full {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	select {
	case <-ctx.Done():
		// As the SDK does, only the shell is killed: the process stays in
		// git's process group, where it may prompt on the terminal for
		// an MFA code, and what it started is its own.
		cmd.Process.Kill()
		return nil, fmt.Errorf("credential_process: %w", ctx.Err())
	case err := <-exited:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, &processError{fmt.Sprintf("it exited with status %d", exit.ExitCode())}
		}
		if err != nil {
			return nil, &processError{err.Error()}
		}
	}
	select {
	case <-readDone:
	case <-time.After(processGrace):
		// Something it started still holds the pipe: what it printed
		// before it exited is all there is.
	}
	mu.Lock()
	defer mu.Unlock()
	if len(out) > maxProcessOutput {
		return nil, &processError{fmt.Sprintf("it printed more than %d bytes", maxProcessOutput)}
	}
	return append([]byte(nil), out...), nil
}

// processShell is how the SDK runs a credential_process on goos.
func processShell(goos, command string) []string {
	if goos == "windows" {
		return []string{"cmd.exe", "/C", command}
	}
	return []string{"sh", "-c", command}
}

// processOutput is what the SDK parses of a process's output on goos:
// cmd.exe escapes the quotes a process prints, and the SDK takes the
// backslashes off again.
func processOutput(goos string, out []byte) []byte {
	if goos == "windows" {
		return bytes.ReplaceAll(out, []byte(`\"`), []byte(`"`))
	}
	return out
}

// ownProcess returns the credential_process of cfg's profile when the SDK
// would take the credentials from it directly: the profile names no role,
// keys, other source or source profile, and no keys or web identity in the
// environment come first (they do unless a profile is named explicitly).
func ownProcess(cfg Config, explicitProfile bool) (string, bool) {
	sc := cfg.Shared
	if sc.CredentialProcess == "" || sc.Source != nil || sc.RoleARN != "" || sc.Credentials.HasKeys() ||
		sc.CredentialSource != "" || sc.WebIdentityTokenFile != "" || sc.SSOSession != nil || sc.SSOStartURL != "" ||
		sc.SSOAccountID != "" || sc.SSORoleName != "" || sc.LoginSession != "" {
		return "", false
	}
	if !explicitProfile && (cfg.Env.Credentials.HasKeys() || cfg.Env.WebIdentityTokenFilePath != "") {
		return "", false
	}
	return sc.CredentialProcess, true
}
