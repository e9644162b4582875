package awscreds

import (
	"context"
	"errors"
	"net"
	"slices"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
)

// throttlingCodes are the error codes with which AWS services say "too many
// requests" (the SDK's retryer knows the same list).
var throttlingCodes = []string{
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
	"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
	"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
}

// transient reports whether a failed fetch is one that more callers would
// only make worse, and that the cache shares with the processes waiting for
// the same credentials: throttling, a server error, or a time-out.
func transient(err error) bool {
	var (
		api  smithy.APIError
		resp *smithyhttp.ResponseError
		ne   net.Error
	)
	switch {
	case errors.As(err, new(*credcache.SharedFailure)):
		return false // already shared
	case errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &api) && slices.Contains(throttlingCodes, api.ErrorCode()):
		return true
	case errors.As(err, &resp) && (resp.HTTPStatusCode() >= 500 || resp.HTTPStatusCode() == 429):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}
