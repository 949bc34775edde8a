// Package smtptest starts a real SMTP server for tests: aiosmtpd (Debian
// package python3-aiosmtpd, installed by build/deps.sh test) storing what
// it receives in a Maildir the test reads.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
)

// Security is how the server expects clients to protect the connection.
type Security string

// Securities, as in package callbacks.
const (
	None     Security = "none"
	StartTLS Security = "starttls"
	TLS      Security = "tls"
)

// Server is a running aiosmtpd.
type Server struct {
	Host    string
	Port    int
	Maildir string
	// Roots trusts the server's self-signed certificate (STARTTLS and TLS).
	Roots *x509.CertPool
}

// Mail is one received message, its body decoded.
type Mail struct {
	From, To, Subject, Body string
	Header                  mail.Header
}

// python returns a Python that can import aiosmtpd: Debian's, which a
// pyenv or venv python3 earlier on PATH may hide.
func python(t testing.TB) string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import aiosmtpd").Run() == nil {
			return p
		}
	}
	t.Fatal("aiosmtpd is not installed (apt-get install python3-aiosmtpd; build/deps.sh test does it)")
	return ""
}

// Start starts aiosmtpd on a free loopback port, stopped at the end of the test.
func Start(t testing.TB, sec Security) *Server {
	t.Helper()
	py := python(t)
	dir := t.TempDir()
	s := &Server{Host: "127.0.0.1", Maildir: filepath.Join(dir, "maildir")}
	var tlsArgs []string
	if sec != None {
		cert, key, roots := selfSigned(t, dir)
		s.Roots = roots
		flag := "--tlscert"
		if sec == TLS {
			flag = "--smtpscert"
		}
		tlsArgs = []string{flag, cert, strings.Replace(flag, "cert", "key", 1), key}
	}
	s.Port = nettest.StartOnFreePort(t, "tcp", func(port int) nettest.Proc {
		args := append([]string{"-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + strconv.Itoa(port)}, tlsArgs...)
		args = append(args, "-c", "aiosmtpd.handlers.Mailbox", s.Maildir)
		cmd := exec.Command(py, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("start aiosmtpd: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }() //nolint:errcheck
		stop := func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) //nolint:errcheck
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
				<-exited
			}
		}
		t.Cleanup(stop)
		return nettest.Proc{Pid: cmd.Process.Pid, Exited: exited, Stop: stop}
	})
	return s
}

// Messages returns what the server received so far, oldest first.
// aiosmtpd writes a message before it acknowledges it, so a message the
// client saw accepted is already here.
func (s *Server) Messages(t testing.TB) []Mail {
	t.Helper()
	var out []Mail
	type file struct {
		path string
		mod  time.Time
	}
	var files []file
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(s.Maildir, sub))
		for _, e := range ents {
			if info, err := e.Info(); err == nil {
				files = append(files, file{filepath.Join(s.Maildir, sub, e.Name()), info.ModTime()})
			}
		}
	}
	slices.SortFunc(files, func(a, b file) int { return a.mod.Compare(b.mod) })
	for _, f := range files {
		raw, err := os.Open(f.path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(raw)
		if err != nil {
			raw.Close()
			t.Fatalf("parse %s: %v", f.path, err)
		}
		var body io.Reader = m.Body
		if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(m.Body)
		}
		b, err := io.ReadAll(body)
		raw.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.path, err)
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject of %s: %v", f.path, err)
		}
		out = append(out, Mail{From: m.Header.Get("From"), To: m.Header.Get("To"), Subject: subj,
			Body: strings.ReplaceAll(string(b), "\r\n", "\n"), Header: m.Header})
	}
	return out
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t testing.TB, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, roots
}
