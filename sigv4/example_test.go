package sigv4_test

import (
	"fmt"
	"log"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// A go-git program signs the repository's URL with credentials from
// aws-sdk-go-v2 and hands the result to go-git as HTTP basic auth:
//
//	c, err := cfg.Credentials.Retrieve(ctx) // cfg from config.LoadDefaultConfig
//	p, err := sigv4.SignURL(repoURL, sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires}, time.Now())
//	auth := &githttp.BasicAuth{Username: p.Username, Password: p.Password}
//
// The password is good for 15 minutes: sign again for each fetch or push.
// Here the credentials and time are fixed, those of one of the AWS CLI's
// vectors, so that the output is what the AWS CLI printed.
func Example() {
	c := sigv4.Credentials{AccessKeyID: "AKIAFWNJQ0ZC2IXNT7JL", SecretAccessKey: "0crEqnIWh1pGUdtb/C4OFGso9D8WjNaC5BvsJW6o"}
	now := time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)

	p, err := sigv4.SignURL("https://git-codecommit.us-gov-east-1.amazonaws.com/v1/repos/gov2", c, now)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("username:", p.Username)
	fmt.Println("password:", p.Password)
	fmt.Println("expires: ", p.Expires.Format(time.RFC3339))
	// Output:
	// username: AKIAFWNJQ0ZC2IXNT7JL
	// password: 20240229T235959Zbb949cdcf0611ce62959ad4e5b939e6d9795ff34a42435148ecae14855fce431
	// expires:  2024-03-01T00:13:59Z
}

// SignURL takes every host form of every partition: here a FIPS endpoint, a
// VPC endpoint (with FIPS), China and GovCloud, each with the credentials and
// time of an AWS CLI vector. The session token is not signed (it travels in
// the username), so these passwords are the AWS CLI's with or without one.
func ExampleSignURL() {
	for _, r := range []struct {
		url, keyID, secret string
		at                 time.Time
	}{
		{"https://git-codecommit-fips.us-east-2.amazonaws.com/v1/repos/fips-repo",
			"AKIA940DCB1G7ZATXUH3", "KPc1fGbpcAmkdm+5cqDZ50cETwYin3CGqSHgej+6", time.Date(2010, 10, 8, 0, 0, 0, 0, time.UTC)},
		{"https://vpce-0b47ea360adebf88a-jkl88hez.git-codecommit-fips.ca-central-1.vpce.amazonaws.com/v1/repos/private",
			"AKIA22TKN69JKB1YBU46", "jkLf+jfh82dgtaZU5eI/+yJ1FIqWg5F+bFQzFle+", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)},
		{"https://git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/china",
			"AKIA0L7MI3ZT7EY647RE", "LepLMvyZWZTxEc2TFlIKz46vpct4VY1kITc4nxe+", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)},
		{"https://git-codecommit-fips.us-gov-west-1.amazonaws.com/v1/repos/gov",
			"AKIA60FGA3G7JI3RSGMH", "EKCK9knxJVoWVP5k/da/zgbR5oHf6ILp2Sp42Riq", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)},
	} {
		p, err := sigv4.SignURL(r.url, sigv4.Credentials{AccessKeyID: r.keyID, SecretAccessKey: r.secret}, r.at)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.Password)
	}
	// Output:
	// 20101008T000000Zd2d014d3ff86c4ba8bf4cfc53cd1cfac2a6b55043f5552174a0315ad8d3cfb54
	// 20261125T120000Zbf7f04a936a822734c5d1aec93608fe37d7cc016bfc8e9bcad38674c72802222
	// 20240229T235959Z67a4d5a9882c557ed810be871048a08cc6f079990682b78b63d6fd44eb69ccf5
	// 20261125T120000Z757223abdbbbfabff5cacaaf69a1815728369a08517c27607e61efd4c423e9d4
}
