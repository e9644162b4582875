// Command sigstore signs and verifies a file as a Sigstore bundle, offline,
// with a throw-away key pair; it is built with the other tools of
// tools/go.mod so that .ci/release can exercise, with no network, what the
// release workflow's "cosign sign-blob" makes on release day.
//
//	sigstore sign -bundle OUT.sigstore.json -public-key OUT.pem FILE
//
// makes an ECDSA P-256 key pair in memory, signs FILE (a message signature:
// its SHA-256 digest and the signature over FILE) into a Sigstore bundle of
// media type application/vnd.dev.sigstore.bundle.v0.3+json, as cosign v3
// writes it, and writes the bundle and the public key (PEM). The private
// key is never written: nothing signed with it can be signed again.
//
//	sigstore verify -bundle B -key PEM FILE
//
// verifies the bundle B of FILE with the public key PEM as the only trusted
// material: no certificate, transparency log or timestamp is expected or
// accepted, as with "cosign verify-blob --key". It exits 0 when the
// signature is valid, otherwise 1 with one line on stderr.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sigstore:", strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
}

const usage = "usage: sigstore sign -bundle OUT -public-key OUT FILE | sigstore verify -bundle B -key PEM FILE"

func run(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("sigstore "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	bundlePath := fs.String("bundle", "", "the Sigstore bundle (.sigstore.json)")
	var keyPath *string
	switch args[0] {
	case "sign":
		keyPath = fs.String("public-key", "", "where to write the public key (PEM)")
	case "verify":
		keyPath = fs.String("key", "", "the public key to verify with (PEM)")
	default:
		return errors.New(usage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *bundlePath == "" || *keyPath == "" || fs.NArg() != 1 {
		return errors.New(usage)
	}
	file := fs.Arg(0)
	if args[0] == "sign" {
		return signFile(file, *bundlePath, *keyPath)
	}
	return verifyFile(file, *bundlePath, *keyPath)
}

// signFile signs file with a new key pair, writing the bundle and the
// public key, and forgetting the private key.
func signFile(file, bundlePath, publicKeyPath string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	keypair, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return err
	}
	// No certificate provider, transparency log or timestamp authority: the
	// bundle names the public key by its hint and needs no network.
	b, err := sign.Bundle(&sign.PlainData{Data: data}, keypair, sign.BundleOptions{})
	if err != nil {
		return fmt.Errorf("signing %s: %w", file, err)
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		return err
	}
	pub, err := keypair.GetPublicKeyPem()
	if err != nil {
		return err
	}
	if err := os.WriteFile(bundlePath, out, 0o644); err != nil {
		return err
	}
	return os.WriteFile(publicKeyPath, []byte(pub), 0o644)
}

// verifyFile verifies that bundlePath holds a signature of file by the key
// in publicKeyPath.
func verifyFile(file, bundlePath, publicKeyPath string) error {
	pemBytes, err := os.ReadFile(publicKeyPath)
	if err != nil {
		return err
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return fmt.Errorf("reading the public key %s: %w", publicKeyPath, err)
	}
	verifier, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return fmt.Errorf("loading the public key %s: %w", publicKeyPath, err)
	}
	// The key given is the one trusted, whatever hint the bundle carries
	// (the hint is not signed), and at any time: it has no validity period.
	key := root.NewExpiringKey(verifier, time.Time{}, time.Time{})
	trusted := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
	v, err := verify.NewVerifier(trusted, verify.WithNoObserverTimestamps())
	if err != nil {
		return err
	}
	b, err := bundle.LoadJSONFromPath(bundlePath)
	if err != nil {
		return fmt.Errorf("reading the bundle %s: %w", bundlePath, err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if _, err := v.Verify(b, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(data)), verify.WithKey())); err != nil {
		return fmt.Errorf("%s does not verify %s with %s: %w", bundlePath, file, publicKeyPath, err)
	}
	return nil
}
