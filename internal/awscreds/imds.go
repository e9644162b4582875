package awscreds

import (
	"context"
	"errors"
	"net"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/smithy-go/middleware"
)

// instanceMetadata is the chain's client of EC2 instance metadata: the
// SDK's, built from the loaded configuration (its endpoint, mode and IMDSv1
// rules) when the chain first asks, with one difference. Off EC2, on a
// laptop or a CI machine with no credentials, the SDK's client retries the
// metadata address it cannot reach, token then IMDSv1 request, three times
// each with back-off: git then waits about 4 s for every failure, where the
// AWS CLI, which makes one attempt with a 1 s time-out, gives up at once.
// Here a request that gets no answer (a dial error: unreachable, refused,
// no connection within the SDK's 250 ms; or no answer within its 500 ms) is
// not retried, and after a dial error no further request is sent: nothing
// is listening there. Where metadata answers, as on EC2, nothing changes;
// a token request that gets no answer still falls back to IMDSv1, as the
// SDK does for a container behind a hop limit of 1.
type instanceMetadata struct {
	cfg    *aws.Config // the loaded configuration; set before the chain runs
	debugf func(format string, args ...any)

	once   sync.Once
	client *imds.Client

	mu      sync.Mutex
	dialErr error // the first dial error, which ends every later request
}

// GetMetadata implements ec2rolecreds.GetMetadataAPIClient.
func (m *instanceMetadata) GetMetadata(ctx context.Context, in *imds.GetMetadataInput, optFns ...func(*imds.Options)) (*imds.GetMetadataOutput, error) {
	if m.cfg == nil {
		return nil, errors.New("instance metadata asked for before the configuration was loaded")
	}
	m.once.Do(func() {
		m.client = imds.NewFromConfig(*m.cfg, imds.WithAPIOptions(func(s *middleware.Stack) error {
			return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("OneAttemptUnanswered", m.handle), middleware.After)
		}))
	})
	return m.client.GetMetadata(ctx, in, optFns...)
}

// handle sends one request of an attempt, the token's or the metadata's,
// unless an earlier one could not connect, and marks one that got no answer
// as not to be retried.
func (m *instanceMetadata) handle(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	m.mu.Lock()
	failed := m.dialErr
	m.mu.Unlock()
	if failed != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, failed
	}
	out, md, err := next.HandleFinalize(ctx, in)
	var (
		op *net.OpError
		ne net.Error
	)
	switch {
	case err == nil:
	case errors.As(err, &op) && op.Op == "dial":
		err = unanswered{err}
		m.mu.Lock()
		m.dialErr = err
		m.mu.Unlock()
		m.debug("instance metadata: cannot connect (%v): no more requests", op.Err)
	case errors.As(err, &ne) && ne.Timeout():
		err = unanswered{err}
		m.debug("instance metadata: no answer in time: not retried")
	}
	return out, md, err
}

func (m *instanceMetadata) debug(format string, args ...any) {
	if m.debugf != nil {
		m.debugf(format, args...)
	}
}

// unanswered is a metadata request that got no answer: the SDK's retryer
// reads RetryableError and does not retry it.
type unanswered struct{ err error }

func (u unanswered) Error() string        { return u.err.Error() }
func (u unanswered) Unwrap() error        { return u.err }
func (u unanswered) RetryableError() bool { return false }
