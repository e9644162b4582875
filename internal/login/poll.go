package login

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

const (
	// defaultInterval is the polling interval when the authorization names
	// none (RFC 8628, section 3.2).
	defaultInterval = 5 * time.Second
	// slowDownStep is added to the interval at each slow_down answer (RFC
	// 8628, section 3.5).
	slowDownStep = 5 * time.Second
)

// errCodeExpired says the device code expired while the poller waited.
var errCodeExpired = errors.New("the device code expired")

// poller asks for the tokens of a device authorization until the user has
// approved it, as RFC 8628, section 3.5, says: it asks at once, then after
// every interval while the answer is authorization_pending, and lengthens
// the interval by slowDownStep at every slow_down. Any other error ends it,
// as does the device code's expiry (errCodeExpired) and the end of ctx.
type poller struct {
	createToken func(context.Context) (*ssooidc.CreateTokenOutput, error)
	interval    time.Duration // zero for defaultInterval
	deadline    time.Time     // when the device code expires; zero if unknown
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
}

// poll returns the tokens once the user has approved.
func (p poller) poll(ctx context.Context) (*ssooidc.CreateTokenOutput, error) {
	interval := p.interval
	if interval <= 0 {
		interval = defaultInterval
	}
	for {
		out, err := p.createToken(ctx)
		var (
			pending *types.AuthorizationPendingException
			slow    *types.SlowDownException
		)
		switch {
		case err == nil:
			return out, nil
		case errors.As(err, &slow):
			interval += slowDownStep
		case !errors.As(err, &pending):
			return nil, err
		}
		if !p.deadline.IsZero() && !p.now().Add(interval).Before(p.deadline) {
			return nil, errCodeExpired
		}
		if err := p.sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
