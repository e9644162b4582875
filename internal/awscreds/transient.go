package awscreds

import (
	"context"
	"errors"
	"net"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
)

// throttling reports whether code is one of the error codes with which AWS
// services say "too many requests" (the SDK's retryer knows the same list).
func throttling(code string) bool {
	switch code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
		"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException":
		return true
	}
	return false
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
	case errors.As(err, &api) && throttling(api.ErrorCode()):
		return true
	case errors.As(err, &resp) && (resp.HTTPStatusCode() >= 500 || resp.HTTPStatusCode() == 429):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}
