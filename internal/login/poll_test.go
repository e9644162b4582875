package login

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

// clock is a fake time that only sleeps move, recording each sleep. It
// starts at the real time, to the second, which client registrations from
// IAM Identity Center's fake are measured against.
type clock struct {
	start, t time.Time
	sleeps   []time.Duration
}

func newClock() *clock {
	now := time.Now().Truncate(time.Second)
	return &clock{start: now, t: now}
}

func (c *clock) now() time.Time { return c.t }

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

// TestPoller runs the polling state machine against scripted answers of
// CreateToken, with a fake clock.
func TestPoller(t *testing.T) {
	var (
		pending = &types.AuthorizationPendingException{}
		slow    = &types.SlowDownException{}
		expired = &types.ExpiredTokenException{}
		denied  = &types.AccessDeniedException{}
		tokens  = &ssooidc.CreateTokenOutput{AccessToken: aws.String("token")}
	)
	for _, tc := range []struct {
		name     string
		interval time.Duration
		answers  []error       // nil answers tokens
		expiry   time.Duration // zero for 10 minutes; negative for none known
		sleeps   []time.Duration
		err      error
	}{
		{name: "approved at once", interval: time.Second, answers: []error{nil}},
		{name: "pending", interval: time.Second, answers: []error{pending, pending, nil},
			sleeps: []time.Duration{time.Second, time.Second}},
		{name: "no interval: 5 seconds", answers: []error{pending, nil},
			sleeps: []time.Duration{5 * time.Second}},
		{name: "slow_down adds 5 seconds, and the interval stays longer", interval: 2 * time.Second, answers: []error{pending, slow, pending, slow, nil},
			sleeps: []time.Duration{2 * time.Second, 7 * time.Second, 7 * time.Second, 12 * time.Second}},
		{name: "expired_token", interval: time.Second, answers: []error{pending, expired},
			sleeps: []time.Duration{time.Second}, err: expired},
		{name: "another error ends it", interval: time.Second, answers: []error{denied}, err: denied},
		{name: "the code expires while pending", interval: 4 * time.Second, expiry: 10 * time.Second, answers: []error{pending, pending, pending},
			sleeps: []time.Duration{4 * time.Second, 4 * time.Second}, err: errCodeExpired},
		{name: "no expiry known: IAM Identity Center says when", interval: time.Hour, expiry: -1, answers: []error{pending, pending, expired},
			sleeps: []time.Duration{time.Hour, time.Hour}, err: expired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			calls := 0
			if tc.expiry == 0 {
				tc.expiry = 10 * time.Minute
			}
			p := poller{
				createToken: func(context.Context) (*ssooidc.CreateTokenOutput, error) {
					err := tc.answers[calls]
					calls++
					if err != nil {
						return nil, err
					}
					return tokens, nil
				},
				interval: tc.interval,
				now:      c.now,
				sleep:    c.sleep,
			}
			if tc.expiry > 0 {
				p.deadline = c.now().Add(tc.expiry)
			}
			out, err := p.poll(context.Background())
			switch {
			case tc.err == nil && (err != nil || out != tokens):
				t.Fatalf("poll: %v, %v; want the tokens", out, err)
			case tc.err != nil && (out != nil || !errors.Is(err, tc.err)):
				t.Fatalf("poll: %v, %v; want %v", out, err, tc.err)
			}
			if calls != len(tc.answers) || !slices.Equal(c.sleeps, tc.sleeps) {
				t.Errorf("%d calls with sleeps %v; want %d calls with sleeps %v", calls, c.sleeps, len(tc.answers), tc.sleeps)
			}
		})
	}
}

// TestPollerCancelled checks that the end of the context ends the wait.
func TestPollerCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := poller{
		createToken: func(context.Context) (*ssooidc.CreateTokenOutput, error) {
			cancel()
			return nil, &types.AuthorizationPendingException{}
		},
		interval: time.Hour,
		deadline: time.Now().Add(2 * time.Hour),
		now:      time.Now,
		sleep:    sleep,
	}
	start := time.Now()
	if _, err := p.poll(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("poll: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("poll took %s after the context ended", d)
	}
}
