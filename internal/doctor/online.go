package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// checkOnline, when Options.Online asks for it, checks the credentials
// the credentials check found with STS, and the clock against AWS's.
func (d *doctor) checkOnline(ctx context.Context) []Check {
	switch {
	case !d.o.Online:
		return each([]string{"identity", "clock"}, func(n string) Check { return skip(n, "not asked for (--online)") })
	case !d.credsOK:
		return each([]string{"identity", "clock"}, func(n string) Check { return skip(n, "no credentials to ask STS about") })
	}
	checks := checkOnline(ctx, d.creds, d.flags.Profile, d.o.Now)
	if len(checks) == 1 {
		checks = append(checks, skip("clock", "STS gave no answer to compare the clock with"))
	}
	return checks
}

// checkOnline asks STS who the credentials are, and compares the local
// clock, now, with the Date of STS's answer.
func checkOnline(ctx context.Context, c awscreds.Resolved, profile string, now func() time.Time) []Check {
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		// SDK log lines (a retry, a deprecation) are not doctor's report.
		config.WithLogger(logging.Nop{}),
		config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return c.Credentials, nil
		})),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	// LoadDefaultConfig, rather than a bare aws.Config, so that
	// AWS_ENDPOINT_URL_STS and the profile's endpoint settings apply.
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return []Check{fail("identity", fmt.Sprintf("cannot load the AWS configuration: %s", failure.OneLine(err)), "")}
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	received := now()
	var (
		checks []Check
		raw    *smithyhttp.Response
	)
	if err != nil {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			raw = re.Response
		}
		checks = append(checks, fail("identity", fmt.Sprintf("STS GetCallerIdentity failed with these credentials (%s)", failure.OneLine(err)), stsFix(err)))
	} else {
		raw, _ = awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
		checks = append(checks, ok("identity", fmt.Sprintf("%s (account %s)", aws.ToString(out.Arn), aws.ToString(out.Account))))
	}
	if raw == nil || raw.Response == nil || raw.StatusCode == 0 {
		return checks // no answer came
	}
	date, err := http.ParseTime(raw.Header.Get("Date"))
	if err != nil {
		return append(checks, warn("clock", "cannot compare the clock with AWS's: STS's answer has no valid Date header", ""))
	}
	return append(checks, clockCheck(received, date))
}

// stsFix says what to do about a failed GetCallerIdentity.
func stsFix(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ExpiredToken", "ExpiredTokenException":
			return "renew the credentials: they have expired"
		case "InvalidClientTokenId", "UnrecognizedClientException":
			return "AWS does not know these credentials: check them with aws configure list, and renew them"
		case "SignatureDoesNotMatch":
			return "check the secret key, and that the clock is right"
		}
	}
	return "check the network path to STS (proxies, AWS_ENDPOINT_URL_STS) and retry"
}

// clockCheck compares the local time an answer arrived with the Date AWS
// sent, which has whole seconds.
func clockCheck(local, awsDate time.Time) Check {
	skew := local.Sub(awsDate)
	way := "ahead of"
	if skew < 0 {
		skew, way = -skew, "behind"
	}
	if skew < 2*time.Second {
		return ok("clock", "the local clock agrees with AWS's")
	}
	detail := fmt.Sprintf("the local clock is %s %s AWS's", skew.Round(time.Second), way)
	const fix = "set the clock right, and keep it so with NTP (for example: timedatectl set-ntp true)"
	switch {
	case skew > skewFail:
		return fail("clock", detail+": passwords carry the local time, and CodeCommit refuses them when it is more than about 15 minutes off", fix)
	case skew > skewWarn:
		return warn("clock", detail+": passwords carry the local time, and their 15 minutes run shorter", fix)
	}
	return ok("clock", detail)
}
