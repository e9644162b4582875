package fakecodecommit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"time"
)

// defaultRegions are the regions whose standard and FIPS host names the
// certificate covers by default.
var defaultRegions = []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "ap-southeast-2"}

// defaultHosts returns the DNS names the certificate covers unless told
// otherwise: localhost, the standard and FIPS names of defaultRegions, one
// China name and one VPC endpoint name.
func defaultHosts() []string {
	hosts := []string{"localhost"}
	for _, r := range defaultRegions {
		hosts = append(hosts,
			"git-codecommit."+r+".amazonaws.com",
			"git-codecommit-fips."+r+".amazonaws.com")
	}
	return append(hosts,
		"git-codecommit.cn-north-1.amazonaws.com.cn",
		"vpce-0123456789abcdef0-abcdefgh.git-codecommit.us-east-1.vpce.amazonaws.com")
}

// newCertificates makes a test CA and a server certificate it signs for
// dnsNames and 127.0.0.1, valid from an hour before now to a day after. It
// returns the CA certificate as PEM and the server's certificate and key.
func newCertificates(dnsNames []string, now time.Time) (caPEM []byte, server tls.Certificate, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "fakecodecommit test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "fakecodecommit"},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    dnsNames,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
