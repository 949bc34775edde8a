package callbacks

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Security is how the connection to the mail server is protected.
type Security string

// Securities: STARTTLS on the submission port, TLS from the first byte
// (port 465), or none (a relay on the local network).
const (
	SecurityStartTLS Security = "starttls"
	SecurityTLS      Security = "tls"
	SecurityNone     Security = "none"
)

// MailConfig is the outgoing mail server, as stored (with its password).
// Host "" turns e-mail delivery off.
type MailConfig struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	From     string   `json:"from"`
	Username string   `json:"username"`
	Password string   `json:"password,omitempty"`
	Security Security `json:"security"`
}

// Enabled reports whether callback requests are e-mailed.
func (c MailConfig) Enabled() bool { return c.Host != "" }

// MailSettings is the mail server as an administrator sees it: the password
// is never sent back, PasswordSet says whether there is one.
type MailSettings struct {
	Host        string   `json:"host"`
	Port        int      `json:"port"`
	From        string   `json:"from"`
	Username    string   `json:"username"`
	PasswordSet bool     `json:"passwordSet"`
	Security    Security `json:"security"`
}

// MailSettingsUpdate replaces the mail settings; an empty or missing
// password keeps the stored one.
type MailSettingsUpdate struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	From     string   `json:"from"`
	Username string   `json:"username"`
	Password string   `json:"password,omitempty"`
	Security Security `json:"security"`
}

// MailTest is the outcome of sending a test e-mail.
type MailTest struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// View is the administrator's view of c.
func (c MailConfig) View() MailSettings {
	return MailSettings{Host: c.Host, Port: c.Port, From: c.From, Username: c.Username, PasswordSet: c.Password != "", Security: c.Security}
}

// Normalize trims c, fills the default port of its security and checks it.
func (c MailConfig) Normalize() (MailConfig, error) {
	c.Host, c.From, c.Username = strings.TrimSpace(c.Host), strings.TrimSpace(c.From), strings.TrimSpace(c.Username)
	c.Security = Security(strings.ToLower(strings.TrimSpace(string(c.Security))))
	if c.Security == "" {
		c.Security = SecurityStartTLS
	}
	switch c.Security {
	case SecurityStartTLS, SecurityTLS, SecurityNone:
	default:
		return c, fmt.Errorf("mail security must be starttls, tls or none, not %q", c.Security)
	}
	if c.Host == "" {
		return c, nil // delivery off; the rest is kept for when it is turned on
	}
	if strings.ContainsAny(c.Host, " /:@") {
		return c, fmt.Errorf("mail server %q: give a host name or address only (the port has its own field)", c.Host)
	}
	if c.Port == 0 {
		c.Port = map[Security]int{SecurityStartTLS: 587, SecurityTLS: 465, SecurityNone: 25}[c.Security]
	}
	if c.Port < 1 || c.Port > 65535 {
		return c, fmt.Errorf("mail server port %d: must be between 1 and 65535", c.Port)
	}
	if c.From == "" {
		return c, fmt.Errorf("give the sender address (from) of callback e-mails")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return c, fmt.Errorf("sender address %q is not an e-mail address", c.From)
	}
	return c, nil
}

// message is an e-mail to send.
type message struct {
	to, subject, body string
}

// send delivers m through the server of cfg. Without a deadline on ctx it
// gives up after timeout, so a silent server cannot hold a request forever.
func send(ctx context.Context, cfg MailConfig, tlsCfg *tls.Config, timeout time.Duration, now time.Time, m message) error {
	if !cfg.Enabled() {
		return fmt.Errorf("e-mail delivery is off: no mail server is set")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return fmt.Errorf("sender address %q: %w", cfg.From, err)
	}
	to, err := mail.ParseAddress(m.to)
	if err != nil {
		return fmt.Errorf("recipient address %q: %w", m.to, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot reach the mail server %s: %w", addr, dialReason(err))
	}
	defer conn.Close()
	// net/smtp takes no context: a deadline on the connection bounds it, and
	// cancelling ctx cuts it short.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl) //nolint:errcheck // a closed conn fails the next read anyway
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) }) //nolint:errcheck
	defer stop()

	tc := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if tlsCfg != nil {
		tc = tlsCfg.Clone()
		if tc.ServerName == "" {
			tc.ServerName = cfg.Host
		}
	}
	if cfg.Security == SecurityTLS {
		tconn := tls.Client(conn, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("mail server %s: TLS: %w", addr, err)
		}
		conn = tconn
	}
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		return fmt.Errorf("mail server %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("mail server %s: greeting: %w", addr, err)
	}
	if cfg.Security == SecurityStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("mail server %s does not offer STARTTLS: choose security \"tls\" or \"none\"", addr)
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("mail server %s: STARTTLS: %w", addr, err)
		}
	}
	if cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("mail server %s does not accept a login: clear the username", addr)
		}
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)); err != nil {
			return fmt.Errorf("mail server %s: login as %s: %w", addr, cfg.Username, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail server %s refused the sender %s: %w", addr, from.Address, err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail server %s refused the recipient %s: %w", addr, to.Address, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail server %s: %w", addr, err)
	}
	if _, err := w.Write(compose(from, to, now, m)); err != nil {
		return fmt.Errorf("mail server %s: sending: %w", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail server %s did not accept the message: %w", addr, err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("mail server %s: %w", addr, err)
	}
	return nil
}

// compose builds a plain-text UTF-8 message. Headers come from validated
// addresses and an encoded subject, so no field can inject a header.
func compose(from, to *mail.Address, now time.Time, m message) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from.String())
	h("To", to.String())
	h("Subject", mime.QEncoding.Encode("utf-8", m.subject))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+uuid.NewString()+"@concierge>")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(m.body)) //nolint:errcheck // writes to a buffer
	qp.Close()               //nolint:errcheck
	return b.Bytes()
}

// callbackMail is the e-mail asking c's person to call back.
func callbackMail(c Callback, to string, loc *time.Location) message {
	var b strings.Builder
	fmt.Fprintf(&b, "Please call back %s.\n\n", c.caller())
	if c.CallerName != "" {
		fmt.Fprintf(&b, "Caller: %s\n", c.CallerName)
	}
	if c.CallerNumber != "" {
		fmt.Fprintf(&b, "Number: %s\n", c.CallerNumber)
	}
	if c.Message != "" {
		fmt.Fprintf(&b, "\nMessage:\n%s\n", c.Message)
	}
	taker := c.CreatedByName
	if taker == "" {
		taker = c.CreatedBy
	}
	fmt.Fprintf(&b, "\nTaken by %s on %s for %s.\n", taker, c.CreatedAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST"), c.ForName)
	return message{to: to, subject: "Please call back " + c.caller(), body: b.String()}
}

func parseAddress(a string) (*mail.Address, error) {
	if a = strings.TrimSpace(a); a == "" {
		return nil, fmt.Errorf("empty address")
	}
	return mail.ParseAddress(a)
}

// dialReason is the gist of a failed dial — "connection refused", "i/o
// timeout", "no such host" — for a message attendants read on the request;
// the address is already in it.
func dialReason(err error) error {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns
	}
	var sys *os.SyscallError
	if errors.As(err, &sys) {
		return sys.Err
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err
	}
	return err
}
