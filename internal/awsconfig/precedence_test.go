package awsconfig

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// The profiles the precedence table draws on, in one config file.
const precedenceConfig = `[profile static]
aws_access_key_id = AKIASTATIC0000000001
aws_secret_access_key = static/secret
[profile role]
role_arn = arn:aws:iam::111122223333:role/Role
source_profile = static
[profile role2]
role_arn = arn:aws:iam::111122223333:role/Role2
source_profile = role
[profile static-and-process]
aws_access_key_id = AKIASTATIC0000000002
aws_secret_access_key = static/secret2
credential_process = /bin/false
[profile imds-role]
role_arn = arn:aws:iam::111122223333:role/Imds
credential_source = Ec2InstanceMetadata
[profile env-role]
role_arn = arn:aws:iam::111122223333:role/Env
credential_source = Environment
[profile ecs-role]
role_arn = arn:aws:iam::111122223333:role/Ecs
credential_source = EcsContainer
[profile web]
role_arn = arn:aws:iam::111122223333:role/Web
web_identity_token_file = /nonexistent/token
[profile web-source]
role_arn = arn:aws:iam::111122223333:role/OverWeb
source_profile = web
[profile process]
credential_process = /bin/false
[profile process-role]
role_arn = arn:aws:iam::111122223333:role/Proc
credential_process = /bin/false
[profile process-source]
role_arn = arn:aws:iam::111122223333:role/OverProc
source_profile = process
[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
[profile sso-only-session]
sso_session = corp
[profile sso-role]
role_arn = arn:aws:iam::111122223333:role/OverSSO
source_profile = sso
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Developer
[profile sso-and-process]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
credential_process = /bin/false
[profile login]
login_session = arn:aws:iam::111122223333:user/me
[profile keys-and-source]
aws_access_key_id = AKIASTATIC0000000003
aws_secret_access_key = static/secret3
role_arn = arn:aws:iam::111122223333:role/OverKeys
source_profile = static
[profile keys-and-credential-source]
aws_access_key_id = AKIASTATIC0000000004
aws_secret_access_key = static/secret4
role_arn = arn:aws:iam::111122223333:role/KeysRole
credential_source = Ec2InstanceMetadata
[profile web-and-sso]
role_arn = arn:aws:iam::111122223333:role/WebSSO
web_identity_token_file = /nonexistent/token
sso_session = corp
[profile sso-and-login]
sso_session = corp
login_session = arn:aws:iam::111122223333:user/me
[profile login-and-process]
login_session = arn:aws:iam::111122223333:user/me
credential_process = /bin/false
[profile empty]
region = eu-west-1
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
`

// Short names for the table.
const (
	envVars     = aws.CredentialSourceEnvVars
	envWebID    = aws.CredentialSourceEnvVarsSTSWebIDToken
	profileKeys = aws.CredentialSourceProfile
	srcProfile  = aws.CredentialSourceProfileSourceProfile
	named       = aws.CredentialSourceProfileNamedProvider
	profWebID   = aws.CredentialSourceProfileSTSWebIDToken
	sso         = aws.CredentialSourceSSO
	profSSO     = aws.CredentialSourceProfileSSO
	legacy      = aws.CredentialSourceSSOLegacy
	profLegacy  = aws.CredentialSourceProfileSSOLegacy
	login       = aws.CredentialSourceLogin
	profLogin   = aws.CredentialSourceProfileLogin
	process     = aws.CredentialSourceProcess
	profProcess = aws.CredentialSourceProfileProcess
	container   = aws.CredentialSourceHTTP
	imds        = aws.CredentialSourceIMDS
	assumeRole  = aws.CredentialSourceSTSAssumeRole
)

var (
	envKeys  = map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "env/secret"}
	envWeb   = map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/web-token", "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/EnvWeb"}
	fullURI  = map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds"}
	relative = map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds"}
)

func with(maps ...map[string]string) map[string]string {
	m := map[string]string{}
	for _, add := range maps {
		for k, v := range add {
			m[k] = v
		}
	}
	return m
}

// TestSourcesAgainstTheSDK checks every rule of Sources against the SDK:
// for each shape of configuration, the sources Config.Sources predicts are
// those of the provider config.LoadDefaultConfig builds, and both are the
// row's. What follows from Sources follows the SDK too: EnvKeysDecide never
// claims a chain that is not the environment's keys, and SSOTokenKey names
// the very file the SDK reads.
func TestSourcesAgainstTheSDK(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile string // named in code, as --profile does
		env     map[string]string
		want    []aws.CredentialSource
		direct  bool // DirectProcess finds the process
		chained bool // ChainedProcess finds it
	}{
		{name: "keys in the environment", env: envKeys, want: list(envVars)},
		{name: "keys in the environment beat AWS_PROFILE", env: with(envKeys, map[string]string{"AWS_PROFILE": "role"}), want: list(envVars)},
		{name: "a profile named in code beats keys in the environment", profile: "role", env: envKeys, want: list(srcProfile, profileKeys, assumeRole)},
		{name: "AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "static"}, want: list(profileKeys)},
		{name: "AWS_DEFAULT_PROFILE", env: map[string]string{"AWS_DEFAULT_PROFILE": "static"}, want: list(profileKeys)},
		{name: "web identity in the environment", env: envWeb, want: list(envWebID)},
		{name: "keys in the environment beat web identity", env: with(envKeys, envWeb), want: list(envVars)},
		{name: "web identity in the environment beats AWS_PROFILE", env: with(envWeb, map[string]string{"AWS_PROFILE": "static"}), want: list(envWebID)},
		{name: "a profile named in code beats web identity in the environment", profile: "sso", env: envWeb, want: list(profLegacy, legacy, profSSO)},
		{name: "static keys", profile: "static", want: list(profileKeys)},
		{name: "static keys beat credential_process", profile: "static-and-process", want: list(profileKeys)},
		{name: "source_profile and role_arn", profile: "role", want: list(srcProfile, profileKeys, assumeRole)},
		{name: "two roles chained", profile: "role2", want: list(srcProfile, srcProfile, profileKeys, assumeRole)},
		{name: "credential_source Ec2InstanceMetadata", profile: "imds-role", want: list(named, imds, assumeRole)},
		{name: "credential_source Environment", profile: "env-role", env: envKeys, want: list(named, container, assumeRole)},
		{name: "credential_source EcsContainer", profile: "ecs-role", env: fullURI, want: list(named, container, assumeRole)},
		{name: "web_identity_token_file", profile: "web", want: list(profWebID)},
		{name: "a role over web_identity_token_file", profile: "web-source", want: list(srcProfile, profWebID, assumeRole)},
		{name: "credential_process", profile: "process", want: list(profProcess, process), direct: true},
		{name: "credential_process by AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "process"}, want: list(profProcess, process), direct: true},
		{name: "credential_process under keys in the environment", env: with(envKeys, map[string]string{"AWS_PROFILE": "process"}), want: list(envVars)},
		{name: "credential_process with role_arn", profile: "process-role", want: list(profProcess, process, assumeRole), chained: true},
		{name: "credential_process as a source profile", profile: "process-source", want: list(srcProfile, profProcess, process, assumeRole), chained: true},
		{name: "sso_session", profile: "sso", want: list(profLegacy, legacy, profSSO)},
		{name: "sso_session alone", profile: "sso-only-session", want: list(sso, profSSO)},
		{name: "sso_session as a source profile", profile: "sso-role", want: list(srcProfile, profLegacy, legacy, profSSO, assumeRole)},
		{name: "legacy SSO", profile: "legacy", want: list(profLegacy, legacy)},
		{name: "SSO beats credential_process", profile: "sso-and-process", want: list(profLegacy, legacy, profSSO)},
		{name: "login_session", profile: "login", want: list(profLogin, login)},
		{name: "source_profile beats the profile's own keys", profile: "keys-and-source", want: list(srcProfile, profileKeys, assumeRole)},
		{name: "static keys beat credential_source", profile: "keys-and-credential-source", want: list(profileKeys, assumeRole)},
		{name: "web_identity_token_file beats SSO", profile: "web-and-sso", want: list(profWebID)},
		{name: "SSO beats login_session", profile: "sso-and-login", want: list(sso, profSSO)},
		{name: "login_session beats credential_process", profile: "login-and-process", want: list(profLogin, login)},
		{name: "credential_process beats the container endpoint", profile: "process", env: fullURI, want: list(profProcess, process), direct: true},
		{name: "container full URI", env: fullURI, want: list(container)},
		{name: "container relative URI", env: relative, want: list(container)},
		{name: "container under a profile with keys", profile: "static", env: fullURI, want: list(profileKeys)},
		{name: "nothing: instance metadata", want: list(imds)},
		{name: "a profile with no credentials: instance metadata", profile: "empty", want: list(imds)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := testenv.Isolate(t)
			writeFile(t, filepath.Join(home, ".aws", "config"), precedenceConfig)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			ctx := context.Background()
			sdk := sdkConfig(t, tc.profile)
			var got []aws.CredentialSource
			if ps, ok := sdk.Credentials.(aws.CredentialProviderSource); ok {
				got = ps.ProviderSources()
			}
			cfg, err := Load(ctx, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			explicit := tc.profile != ""
			predicted := cfg.Sources(explicit)
			if !slices.Equal(got, tc.want) || !slices.Equal(predicted, tc.want) {
				t.Errorf("the SDK's sources %v\npredicted %v\nwant %v", got, predicted, tc.want)
			}
			env, err := config.NewEnvConfig()
			if err != nil {
				t.Fatal(err)
			}
			if EnvKeysDecide(env, tc.profile) && !slices.Equal(got, list(envVars)) {
				t.Errorf("EnvKeysDecide claims a chain the SDK starts with %v", got)
			}
			if _, ok := cfg.DirectProcess(explicit); ok != tc.direct {
				t.Errorf("DirectProcess %v, want %v", ok, tc.direct)
			}
			if command, ok := cfg.ChainedProcess(explicit); ok != tc.chained || ok && command != "/bin/false" {
				t.Errorf("ChainedProcess %q, %v, want %v", command, ok, tc.chained)
			}
			checkSSOTokenKey(t, sdk, cfg.SSOTokenKey(explicit), got)
		})
	}
}

func list(s ...aws.CredentialSource) []aws.CredentialSource { return s }

// sdkConfig is what config.LoadDefaultConfig loads with profile named in
// code, as Resolve does with --profile.
func sdkConfig(t *testing.T, profile string) aws.Config {
	t.Helper()
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// checkSSOTokenKey checks key against the file the SDK's chain reads: with
// no token cached, a chain through IAM Identity Center fails, before any
// network call, on the token file it looked for.
func checkSSOTokenKey(t *testing.T, sdk aws.Config, key string, sources []aws.CredentialSource) {
	t.Helper()
	if !slices.Contains(sources, sso) && !slices.Contains(sources, legacy) {
		if key != "" {
			t.Errorf("SSOTokenKey %q for a chain without IAM Identity Center", key)
		}
		return
	}
	path, err := ssocreds.StandardCachedTokenFilepath(key)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sdk.Credentials.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("SSOTokenKey %q names %s; the SDK's failure: %v", key, path, err)
	}
}

// TestRegionAgainstTheSDK checks Region's order against the SDK's:
// config.WithRegion, AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
// config.WithDefaultRegion.
func TestRegionAgainstTheSDK(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		explicit, fallback    string
		awsRegion, defRegion  string
		profileRegion, wanted string
	}{
		{name: "WithRegion beats all", explicit: "us-west-1", fallback: "ap-south-1", awsRegion: "us-east-2", defRegion: "ca-central-1", profileRegion: "eu-west-1", wanted: "us-west-1"},
		{name: "AWS_REGION", fallback: "ap-south-1", awsRegion: "us-east-2", defRegion: "ca-central-1", profileRegion: "eu-west-1", wanted: "us-east-2"},
		{name: "AWS_DEFAULT_REGION", fallback: "ap-south-1", defRegion: "ca-central-1", profileRegion: "eu-west-1", wanted: "ca-central-1"},
		{name: "the profile's", fallback: "ap-south-1", profileRegion: "eu-west-1", wanted: "eu-west-1"},
		{name: "WithDefaultRegion last", fallback: "ap-south-1", wanted: "ap-south-1"},
		{name: "none", wanted: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := testenv.Isolate(t)
			body := "[profile p]\n"
			if tc.profileRegion != "" {
				body += "region = " + tc.profileRegion + "\n"
			}
			writeFile(t, filepath.Join(home, ".aws", "config"), body)
			t.Setenv("AWS_REGION", tc.awsRegion)
			t.Setenv("AWS_DEFAULT_REGION", tc.defRegion)
			opts := []func(*config.LoadOptions) error{config.WithSharedConfigProfile("p")}
			if tc.explicit != "" {
				opts = append(opts, config.WithRegion(tc.explicit))
			}
			if tc.fallback != "" {
				opts = append(opts, config.WithDefaultRegion(tc.fallback))
			}
			sdk, err := config.LoadDefaultConfig(context.Background(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(context.Background(), "p")
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.Region(tc.explicit, tc.fallback)
			if sdk.Region != tc.wanted || got != tc.wanted {
				t.Errorf("the SDK's region %q, Region %q; want %q", sdk.Region, got, tc.wanted)
			}
		})
	}
}

// TestFilesAndProfileAgainstTheSDK checks that Load reads the files and
// the profile the SDK reads: AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, and AWS_PROFILE before AWS_DEFAULT_PROFILE.
func TestFilesAndProfileAgainstTheSDK(t *testing.T) {
	home := testenv.Isolate(t)
	writeFile(t, filepath.Join(home, "cfg", "config"), "[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-2\n")
	writeFile(t, filepath.Join(home, "cfg", "creds"), "[a]\naws_access_key_id = AKIAFROMCREDSFILE001\naws_secret_access_key = s\n")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "cfg", "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "cfg", "creds"))
	t.Setenv("AWS_PROFILE", "a")
	t.Setenv("AWS_DEFAULT_PROFILE", "b")
	sdk := sdkConfig(t, "")
	creds, err := sdk.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Profile != "a" || cfg.Shared.Credentials.AccessKeyID != creds.AccessKeyID || cfg.Region("", "") != sdk.Region {
		t.Errorf("Load: profile %q, key %q, region %q; the SDK: key %q, region %q",
			cfg.Profile, cfg.Shared.Credentials.AccessKeyID, cfg.Region("", ""), creds.AccessKeyID, sdk.Region)
	}
	if cfg.ConfigFile != os.Getenv("AWS_CONFIG_FILE") || cfg.CredentialsFile != os.Getenv("AWS_SHARED_CREDENTIALS_FILE") {
		t.Errorf("files %s, %s", cfg.ConfigFile, cfg.CredentialsFile)
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
