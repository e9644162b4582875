package login

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// consoleProfile is the profile a console sign-in is for: one that
// exists, or one to create.
type consoleProfile struct {
	name       string
	exists     bool
	configFile string
	region     string // its own region, "" when it has none
	session    string // its login_session, if any
	other      string // the kind of credentials it has already, which the SDK would use first
}

// findConsoleProfile loads profile (AWS_PROFILE, else "default", when
// empty), which need not exist.
func findConsoleProfile(ctx context.Context, profile string) (consoleProfile, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return consoleProfile{}, &failure.Error{Problem: "cannot read the AWS settings in the environment", Cause: failure.OneLine(err), Fix: "check the AWS_ variables", Err: err}
	}
	name := firstOf(profile, env.SharedConfigProfile, "default")
	configFile, credentialsFile, err := awsconfig.SharedFiles()
	if err != nil {
		return consoleProfile{}, err
	}
	p := consoleProfile{name: name, configFile: configFile}
	sc, err := config.LoadSharedConfigProfile(ctx, name, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{configFile}
		o.CredentialsFiles = []string{credentialsFile}
	})
	var notExist config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &notExist) && notExist.Profile == name:
		return p, nil
	case err != nil:
		return p, &failure.Error{Problem: fmt.Sprintf("cannot read AWS profile %q from %s", name, configFile), Cause: failure.OneLine(err), Fix: "fix the file", Err: err}
	}
	p.exists, p.region, p.session = true, sc.Region, sc.LoginSession
	switch {
	case sc.WebIdentityTokenFile != "":
		p.other = "web identity"
	case sc.SSOSessionName != "" || sc.SSOStartURL != "" || sc.SSOAccountID != "" || sc.SSORoleName != "":
		p.other = "IAM Identity Center"
	case sc.Credentials.AccessKeyID != "":
		p.other = "access key"
	case sc.RoleARN != "":
		p.other = "assume-role"
	case sc.CredentialProcess != "":
		p.other = "credential_process"
	}
	return p, nil
}

// usable refuses a profile that has credentials of another kind, which
// the SDK would use before its login_session, as the AWS CLI refuses it.
func (p consoleProfile) usable() error {
	if p.other == "" {
		return nil
	}
	return &failure.Error{Problem: fmt.Sprintf("profile %q already has %s credentials, which the AWS SDK would use instead", p.name, p.other),
		Fix: "give --profile a new name, or remove them from the profile"}
}

// consoleSessionOf returns the login_session the SDK signs profile in
// with, walking its source profiles as the SDK does, when its chain ends in
// one (and not in IAM Identity Center, which the SDK prefers).
func consoleSessionOf(ctx context.Context, profile string) (name, session string, err error) {
	cfg, err := awsconfig.Load(ctx, profile)
	if err != nil {
		return "", "", err
	}
	for p := &cfg.Shared; p != nil; p = p.Source {
		switch {
		case p.SSOSession != nil || p.SSOStartURL != "" || p.SSORegion != "":
			return cfg.Profile, "", nil
		case p.LoginSession != "" && p.Source == nil:
			return cfg.Profile, p.LoginSession, nil
		}
	}
	return cfg.Profile, "", nil
}
