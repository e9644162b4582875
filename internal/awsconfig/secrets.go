package awsconfig

import (
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// noteSecrets adds the secrets of c to the request's, so that no message
// can print them: the keys in the environment and in the
// profile and its source profiles, the container authorization token, and
// the contents of the token files the SDK will send (container
// authorization, web identity).
func (c Config) noteSecrets(secrets *redact.Set) {
	noteCredentials(secrets, c.Env.Credentials)
	secrets.Add(c.Env.ContainerAuthorizationToken)
	noteTokenFile(secrets, os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
	noteTokenFile(secrets, c.Env.WebIdentityTokenFilePath)
	for p := &c.Shared; p != nil; p = p.Source {
		noteCredentials(secrets, p.Credentials)
		noteTokenFile(secrets, p.WebIdentityTokenFile)
	}
}

// noteCredentials adds the secret key and session token of c to secrets.
func noteCredentials(secrets *redact.Set, c aws.Credentials) {
	secrets.Add(c.SecretAccessKey, c.SessionToken)
}

// noteTokenFile adds the content of the token file path, if
// safefile.ReadNamed reads it, to secrets.
func noteTokenFile(secrets *redact.Set, path string) {
	if path == "" {
		return
	}
	if b, err := safefile.ReadNamed(path, safefile.MaxSmallFile); err == nil {
		secrets.Add(strings.TrimSpace(string(b)))
	}
}
