package awscreds

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

func apiError(service, code, message string) error {
	return &smithy.OperationError{ServiceID: service, OperationName: "Op", Err: &smithy.GenericAPIError{Code: code, Message: message}}
}

// TestExplainRules checks each of explain's rules with a failure that it,
// and no rule before it, catches: the rule that answers is the case's, and
// so is the whole line. Where a chain has several sources, the case shows
// why the rule comes before the others that would hold.
func TestExplainRules(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	var (
		role    = []aws.CredentialSource{aws.CredentialSourceProfileSourceProfile, aws.CredentialSourceProfile, aws.CredentialSourceSTSAssumeRole}
		ssoRole = []aws.CredentialSource{aws.CredentialSourceProfileSourceProfile, aws.CredentialSourceSSO, aws.CredentialSourceProfileSSO, aws.CredentialSourceSTSAssumeRole}
		sso     = []aws.CredentialSource{aws.CredentialSourceSSO, aws.CredentialSourceProfileSSO}
		process = []aws.CredentialSource{aws.CredentialSourceProfileProcess, aws.CredentialSourceProcess}
	)
	cases := map[string]struct {
		err     error
		sources []aws.CredentialSource
		want    string
	}{
		"shared": {&credcache.SharedFailure{Message: `assuming the role of profile "p" failed (Throttling); retry`}, ssoRole,
			`assuming the role of profile "p" failed (Throttling); retry`},
		"no such profile": {config.SharedConfigProfileNotExistError{Profile: "base"}, nil,
			`AWS profile "base" does not exist in /c or /k; check its name, or create it: aws configure --profile base`},
		"process deadline": {fmt.Errorf("credential_process: %w", context.DeadlineExceeded), append(process, aws.CredentialSourceSTSAssumeRole),
			`credential_process of profile "p" did not finish in time; run it by hand to see why`},
		"deadline": {context.DeadlineExceeded, ssoRole,
			`timed out getting AWS credentials for profile "p" (timed out); check the network path to AWS and retry`},
		"STS throttles": {apiError("STS", "Throttling", "Rate exceeded"), ssoRole,
			`assuming the role of profile "p" failed (Throttling: Rate exceeded); STS is throttling or failing: retry in a minute`},
		"STS refuses": {apiError("STS", "AccessDenied", "not authorized"), ssoRole,
			`assuming the role of profile "p" failed (AccessDenied: not authorized); check role_arn and that the source credentials may assume it`},
		"web identity": {errors.New("failed to retrieve credentials, open /t: no such file or directory"), []aws.CredentialSource{aws.CredentialSourceEnvVarsSTSWebIDToken},
			`assuming a role with a web identity token failed for profile "p" (failed to retrieve credentials, open /t: no such file or dir…); check AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the role's trust policy`},
		"SSO refuses the role": {apiError("SSO", "ForbiddenException", "No access"), ssoRole,
			`IAM Identity Center (SSO) refused role credentials for profile "p" (ForbiddenException: No access); check sso_account_id and sso_role_name`},
		"SSO session": {apiError("SSO", "UnauthorizedException", "Session token not found or invalid"), sso,
			`the SSO session of profile "p" has expired or is missing (UnauthorizedException: Session token not found or invalid); run: git-credential-codecommit login --profile p`},
		"console sign-in": {errors.New("failed to refresh cached credentials, load login token: token file not found, please reauthenticate"),
			[]aws.CredentialSource{aws.CredentialSourceProfileLogin, aws.CredentialSourceLogin},
			`the console sign-in session of profile "p" has expired or is missing (no session token: not signed in on this machine); run: git-credential-codecommit login --console --profile p`},
		"container": {errors.New("connection refused"), []aws.CredentialSource{aws.CredentialSourceHTTP},
			`no credentials from the container endpoint (connection refused); check AWS_CONTAINER_CREDENTIALS_*_URI, its token and the task's role`},
		"process": {errors.New("it exited with status 3"), append(process, aws.CredentialSourceSTSAssumeRole),
			`credential_process of profile "p" failed (it exited with status 3); run it by hand to see why`},
		"instance metadata named": {errors.New("no EC2 IMDS role found"), []aws.CredentialSource{aws.CredentialSourceProfileNamedProvider, aws.CredentialSourceIMDS, aws.CredentialSourceSTSAssumeRole},
			`EC2 instance metadata gave no credentials for profile "p" (no EC2 IMDS role found); check the instance's IAM role and that IMDS is reachable`},
		"nothing configured": {errors.New("no EC2 IMDS role found"), []aws.CredentialSource{aws.CredentialSourceIMDS},
			`no AWS credentials (not in the environment or profile "p"; EC2 metadata: disabled); run: aws configure, or git-credential-codecommit login`},
		"role": {errors.New("dial tcp: lookup sts.example: no such host"), role,
			`assuming the role of profile "p" failed (dial tcp: lookup sts.example: no such host); check role_arn, source_profile and the network path to STS`},
		"anything else": {errors.New("no credential provider"), nil,
			`cannot get AWS credentials for profile "p" (no credential provider); check it with: aws configure list --profile p`},
	}
	cfg := awsconfig.Config{Profile: "p", ConfigFile: "/c", CredentialsFile: "/k"}
	for _, r := range rules() {
		tc, ok := cases[r.name]
		if !ok {
			t.Errorf("rule %q has no case", r.name)
			continue
		}
		delete(cases, r.name)
		f := fault{err: scrubbed{tc.err}, cause: shortCause(nil, tc.err), sources: tc.sources, cfg: cfg}
		for _, first := range rules() {
			if first.when(f) {
				if first.name != r.name {
					t.Errorf("%s: rule %q answers first", r.name, first.name)
				}
				break
			}
		}
		if got := explain(tc.err, nil, cfg, tc.sources).Error(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", r.name, got, tc.want)
		}
	}
	for name := range cases {
		t.Errorf("case %q has no rule", name)
	}
}

// TestSDKWords checks that the two SDK errors whose words are never shown
// read the same in the short cause and in --debug's detail, and that what a
// credential process printed is in neither.
func TestSDKWords(t *testing.T) {
	const printed = `{"SecretAccessKey": "PrintedButNotHandedOver"`
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&processcreds.ProviderError{Err: fmt.Errorf("parse failed of process output: %s, error: %w", printed, errors.New("unexpected end of JSON input"))},
			"its output is not the JSON credential_process must print"},
		{fmt.Errorf("failed to refresh cached credentials, %w", &ssocreds.InvalidTokenError{}), "the cached token has expired"},
	} {
		secrets := new(redact.Set)
		cause, detail := shortCause(secrets, tc.err), (&Error{Err: scrubbed{tc.err}}).Detail()
		if cause != tc.want || detail != tc.want || strings.Contains(cause+detail, "PrintedButNotHandedOver") {
			t.Errorf("%v: cause %q, detail %q; want %q", tc.err, cause, detail, tc.want)
		}
	}
}
