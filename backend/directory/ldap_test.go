package directory

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/go-ldap/ldap/v3"
)

// The LDAP tests run a real OpenLDAP slapd (Debian packages slapd and
// ldap-utils' schema files come with slapd) as a child process, on
// loopback, on a free port, with its database in the test's temporary
// folder. They are skipped when slapd is not installed.

const (
	ldapBase     = "dc=example,dc=com"
	ldapPeople   = "ou=people," + ldapBase
	ldapRootDN   = "cn=admin," + ldapBase
	ldapRootPW   = "adminpw"
	ldapReaderDN = "cn=reader," + ldapBase
	ldapReaderPW = "readpw"
)

type testSlapd struct {
	url      string // ldap://127.0.0.1:port
	ldapsURL string // ldaps://127.0.0.1:port, when started with TLS
	cmd      *exec.Cmd
	exited   chan struct{}
	log      *bytes.Buffer
	stopped  bool
	mu       sync.Mutex
}

type slapdTLS struct{ cert, key, ca string }

// findSlapd locates slapd, its schema files and (on Debian) the folder of
// the back_mdb module, or skips the test.
func findSlapd(t testing.TB) (bin, schema, modules string) {
	t.Helper()
	bin, err := exec.LookPath("slapd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/slapd", "/usr/local/sbin/slapd", "/usr/libexec/slapd"} {
			if _, err := os.Stat(p); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		t.Skip("slapd not installed (Debian: apt-get install slapd ldap-utils); skipping the LDAP sync tests")
	}
	for _, p := range []string{"/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema"} {
		if _, err := os.Stat(filepath.Join(p, "inetorgperson.schema")); err == nil {
			schema = p
			break
		}
	}
	if schema == "" {
		t.Skip("slapd found but not its schema files (inetorgperson.schema); skipping the LDAP sync tests")
	}
	for _, p := range []string{"/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap", "/usr/libexec/openldap"} {
		if m, _ := filepath.Glob(filepath.Join(p, "back_mdb*")); len(m) > 0 {
			modules = p
			break
		}
	}
	return bin, schema, modules // no module folder: back_mdb is built in
}

// startSlapd loads ldif into a new database and starts slapd on it.
func startSlapd(t testing.TB, ldif []byte, tc *slapdTLS) *testSlapd {
	t.Helper()
	bin, schema, modules := findSlapd(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.ParseFiles(filepath.Join("testdata", "ldap", "slapd.conf.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"Dir": dir, "Schema": schema, "ModuleDir": modules, "RootPW": ldapRootPW}
	if tc != nil {
		vars["TLSCert"], vars["TLSKey"] = tc.cert, tc.key
	}
	var conf bytes.Buffer
	if err := tmpl.Execute(&conf, vars); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "slapd.conf")
	ldifPath := filepath.Join(dir, "data.ldif")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ldifPath, ldif, 0o600); err != nil {
		t.Fatal(err)
	}
	// slapd -Ta is slapadd: an offline bulk load, far faster than thousands
	// of Add requests.
	if out, err := exec.Command(bin, "-Ta", "-q", "-f", confPath, "-l", ldifPath).CombinedOutput(); err != nil {
		t.Fatalf("slapadd: %v\n%s", err, out)
	}

	// A free port can be taken between probing and slapd's bind: retry.
	for attempt := 0; ; attempt++ {
		port, tlsPort := freePort(t), freePort(t)
		s := &testSlapd{url: fmt.Sprintf("ldap://127.0.0.1:%d", port), exited: make(chan struct{}), log: new(bytes.Buffer)}
		urls := s.url + "/"
		if tc != nil {
			s.ldapsURL = fmt.Sprintf("ldaps://127.0.0.1:%d", tlsPort)
			urls += " " + s.ldapsURL + "/"
		}
		// -d 0 keeps slapd in the foreground, a child we can kill.
		s.cmd = exec.Command(bin, "-f", confPath, "-h", urls, "-d", "0")
		s.cmd.Stdout, s.cmd.Stderr = &lockedWriter{w: s.log, mu: &s.mu}, &lockedWriter{w: s.log, mu: &s.mu}
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("start slapd: %v", err)
		}
		go func() { s.cmd.Wait(); close(s.exited) }()
		t.Cleanup(s.stop)
		if s.waitReady(port) {
			return s
		}
		s.stop()
		if attempt == 2 {
			t.Fatalf("slapd did not start:\n%s", s.output())
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s *testSlapd) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *testSlapd) waitReady(port int) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return false
		default:
		}
		// Another listener on a port taken first would answer too: slapd must hold it.
		if !nettest.HeldBy("tcp", port, s.cmd.Process.Pid) {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// stop kills slapd (our child only) and waits for it.
func (s *testSlapd) stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.cmd.Process.Kill()
	<-s.exited
}

// admin returns a connection bound as the root DN, to change the data.
func (s *testSlapd) admin(t testing.TB) *ldap.Conn {
	t.Helper()
	c, err := ldap.DialURL(s.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Bind(ldapRootDN, ldapRootPW); err != nil {
		t.Fatal(err)
	}
	return c
}

// ldifValue writes one attribute line; LDIF wants anything but plain ASCII
// in base64 (RFC 2849).
func ldifValue(b *strings.Builder, attr, v string) {
	safe := v != "" && v[0] != ' ' && v[0] != ':' && v[0] != '<' && v[len(v)-1] != ' '
	for i := 0; i < len(v) && safe; i++ {
		safe = v[i] > 0 && v[i] < 0x80 && v[i] != '\n' && v[i] != '\r'
	}
	if safe {
		fmt.Fprintf(b, "%s: %s\n", attr, v)
	} else {
		fmt.Fprintf(b, "%s:: %s\n", attr, base64.StdEncoding.EncodeToString([]byte(v)))
	}
}

const ldapBaseLDIF = `dn: dc=example,dc=com
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=com
objectClass: organizationalUnit
ou: people

dn: cn=reader,dc=example,dc=com
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: readpw

`

func empDN(i int) string { return fmt.Sprintf("uid=emp-%06d,%s", i, ldapPeople) }

// peopleLDIF returns the base entries and n people made from generate's
// contacts (the same for the same seed), plus the special entries:
// "oversized" with a job title longer than a contact allows, and
// "badphone" with a telephoneNumber that is no number.
func peopleLDIF(n int, seed uint64) ([]byte, []Contact) {
	people := generate(n, seed)
	var b strings.Builder
	b.WriteString(ldapBaseLDIF)
	for i, c := range people {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: emp-%06d\n", empDN(i), i)
		ldifValue(&b, "cn", c.FirstName+" "+c.LastName)
		ldifValue(&b, "sn", c.LastName)
		ldifValue(&b, "givenName", c.FirstName)
		if i%2 == 0 {
			ldifValue(&b, "displayName", c.FirstName+" "+c.LastName)
		}
		ldifValue(&b, "ou", c.Department)
		ldifValue(&b, "title", c.JobTitle)
		city, office, _ := strings.Cut(c.Location, ", ")
		ldifValue(&b, "l", city)
		ldifValue(&b, "physicalDeliveryOfficeName", office)
		ldifValue(&b, "mail", c.Emails[0])
		ldifValue(&b, "employeeNumber", c.ExternalID)
		for _, p := range c.Phones {
			switch p.Type {
			case PhoneWork:
				ldifValue(&b, "telephoneNumber", p.Number)
			case PhoneMobile:
				ldifValue(&b, "mobile", p.Number)
			}
		}
		switch {
		case i == 1:
			ldifValue(&b, "manager", "cn=Alice Ancienne,ou=former,"+ldapBase) // not in the directory
		case i >= 50 && i%4 == 0:
			ldifValue(&b, "manager", strings.ToUpper(empDN(i % 50)[:3])+empDN(i % 50)[3:]) // spelled otherwise
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "dn: uid=oversized,%s\nobjectClass: inetOrgPerson\nuid: oversized\ncn: Otto Oversized\nsn: Oversized\n", ldapPeople)
	ldifValue(&b, "title", strings.Repeat("Très long titre ", 20))
	b.WriteString("\n")
	fmt.Fprintf(&b, "dn: uid=badphone,%s\nobjectClass: inetOrgPerson\nuid: badphone\ncn: Berta Badphone\nsn: Badphone\n"+
		"telephoneNumber: voir accueil\nmobile: +33 6 99 88 77 66\n\n", ldapPeople)
	return []byte(b.String()), people
}

func readerConfig(s *testSlapd) LDAPConfig {
	return LDAPConfig{
		URL: s.url, BindDN: ldapReaderDN, Password: ldapReaderPW, BaseDN: ldapBase,
		PageSize:   200, // 3000 people: 16 pages
		Timeout:    5 * time.Second,
		Attributes: Mapping{Custom: map[string]string{"employeeNumber": "badge"}},
	}
}

// byBadge indexes the LDAP contacts by their employee number.
func byBadge(t *testing.T, d *Directory) map[string]Contact {
	t.Helper()
	out := map[string]Contact{}
	for _, c := range d.All(admin) {
		if c.Source != SourceLDAP {
			continue
		}
		if _, dup := out[c.Custom["badge"]]; dup && c.Custom["badge"] != "" {
			t.Fatalf("duplicate contact for %s", c.Custom["badge"])
		}
		out[c.Custom["badge"]] = c
	}
	return out
}

func TestLDAPSync(t *testing.T) {
	const n = 3000
	ldif, people := peopleLDIF(n, 7)
	srv := startSlapd(t, ldif, nil)
	d, _ := newDir(t)
	ctx := context.Background()
	cfg := readerConfig(srv)

	// Someone entered a colleague by hand, with the same e-mail and numbers
	// as in LDAP: the sync must neither take it over nor merge into it.
	p5 := people[5]
	local := mustCreate(t, d, alice, Contact{FirstName: p5.FirstName, LastName: p5.LastName, Emails: p5.Emails,
		Phones: p5.Phones, JobTitle: "Notes d'Alice"})

	// The server really refuses more than 1000 entries without paging, so a
	// sync that gets all 3000 has paged.
	conn, err := ldap.DialURL(srv.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(ldapReaderDN, ldapReaderPW); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Search(ldap.NewSearchRequest(ldapBase, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=inetOrgPerson)", []string{"cn"}, nil))
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		t.Fatalf("an unpaged search should hit the server's size limit, got %v", err)
	}

	rep, err := d.SyncLDAP(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first sync: created %d, failed %d, took %v", rep.Created, rep.Failed, rep.Took)
	if rep.Created != n+1 || rep.Updated != 0 || rep.Unchanged != 0 || rep.Deleted != 0 || rep.Failed != 1 {
		t.Fatalf("first sync: %+v", rep)
	}
	var oversized, badphone bool
	for _, p := range rep.Problems {
		oversized = oversized || (strings.Contains(p.Message, "uid=oversized") && strings.Contains(p.Message, "jobTitle"))
		badphone = badphone || (strings.Contains(p.Message, "uid=badphone") && strings.Contains(p.Message, "voir accueil"))
	}
	if !oversized || !badphone {
		t.Errorf("problems should name the oversized title and the bad number: %+v", rep.Problems)
	}
	if got := d.Len(); got != n+2 {
		t.Fatalf("Len = %d, want %d LDAP contacts, badphone and the local one", got, n+2)
	}

	all := byBadge(t, d)
	for _, i := range []int{0, 1, 42, 100, 1234, n - 1} {
		p, c := people[i], all[people[i].ExternalID]
		city, _, _ := strings.Cut(p.Location, ", ")
		if c.ID == "" || c.FirstName != p.FirstName || c.LastName != p.LastName || c.DisplayName != p.FirstName+" "+p.LastName ||
			c.Department != p.Department || c.JobTitle != p.JobTitle || c.Location != city ||
			!slicesEqual(c.Emails, p.Emails) || c.Visibility != Public || c.Source != SourceLDAP || c.Owner != "" {
			t.Errorf("entry %d: got %+v\nfrom %+v", i, c, p)
		}
		if len(c.ExternalID) != 36 || strings.Contains(c.ExternalID, "=") {
			t.Errorf("entry %d: external ID %q should be the entryUUID", i, c.ExternalID)
		}
		var want []Phone
		for _, ph := range p.Phones {
			if ph.Type != PhoneExtension { // inetOrgPerson has no ipPhone
				want = append(want, ph)
			}
		}
		if fmt.Sprint(c.Phones) != fmt.Sprint(want) {
			t.Errorf("entry %d: phones %v, want %v", i, c.Phones, want)
		}
	}
	if m := all[people[100].ExternalID].Manager; m != people[0].FirstName+" "+people[0].LastName {
		t.Errorf("manager DN should become the manager's name, got %q", m)
	}
	if m := all[people[1].ExternalID].Manager; m != "Alice Ancienne" {
		t.Errorf("a manager outside the sync keeps the cn of the DN, got %q", m)
	}
	if c := all[""]; c.Name() != "Berta Badphone" || fmt.Sprint(c.Phones) != "[{mobile +33 6 99 88 77 66}]" {
		t.Errorf("the bad number is left out, the rest kept: %+v", c)
	}

	// Search sees the result at once, by name and by number.
	p42 := people[42]
	if got := search(t, d, bob, p42.FirstName+" "+p42.LastName); !contains(got, p42.FirstName+" "+p42.LastName) {
		t.Errorf("search by name: %v", got)
	}
	if c, ok := d.LookupNumber(p42.Phones[0].Number); !ok || c.ID != all[p42.ExternalID].ID {
		t.Errorf("lookup %s: %+v %v", p42.Phones[0].Number, c, ok)
	}
	rs, err := d.Search(ctx, bob, p5.Emails[0], 0)
	same := 0
	for _, r := range rs {
		if slicesEqual(r.Contact.Emails, p5.Emails) {
			same++
		}
	}
	if err != nil || same != 2 {
		t.Errorf("the LDAP contact and the local one stay apart: %v %v", names(rs), err)
	}

	// Nothing changed on the server: nothing changes here.
	rep, err = d.SyncLDAP(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != n+1 || rep.Deleted != 0 || rep.Failed != 1 {
		t.Fatalf("second sync: %+v", rep)
	}

	// A promotion and a departure.
	adm := srv.admin(t)
	mod := ldap.NewModifyRequest(empDN(42), nil)
	mod.Replace("title", []string{"Directrice générale"})
	if err := adm.Modify(mod); err != nil {
		t.Fatal(err)
	}
	if err := adm.Del(ldap.NewDelRequest(empDN(n-1), nil)); err != nil {
		t.Fatal(err)
	}
	rep, err = d.SyncLDAP(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 0 || rep.Updated != 1 || rep.Unchanged != n-1 || rep.Deleted != 1 || rep.Failed != 1 {
		t.Fatalf("third sync: %+v", rep)
	}
	after := byBadge(t, d)
	if c := after[p42.ExternalID]; c.JobTitle != "Directrice générale" || c.ID != all[p42.ExternalID].ID {
		t.Errorf("title change: %+v", c)
	}
	if _, ok := after[people[n-1].ExternalID]; ok {
		t.Error("the deleted entry is still a contact")
	}
	if len(after) != n {
		t.Errorf("%d LDAP contacts, want %d", len(after), n)
	}
	if got, err := d.Get(alice, local.ID); err != nil || !equalContent(got, local) || !got.Updated.Equal(local.Updated) {
		t.Errorf("the local contact changed: %+v %v", got, err)
	}

	// A filter that finds nobody is a misconfiguration, not a mass layoff.
	bad := cfg
	bad.Filter = "(uid=nobody)"
	if _, err := d.SyncLDAP(ctx, bad); err == nil || !strings.Contains(err.Error(), "no entry") {
		t.Errorf("empty result: %v", err)
	}
	wrongPW := cfg
	wrongPW.Password = "nope"
	if _, err := d.SyncLDAP(ctx, wrongPW); err == nil || !strings.Contains(err.Error(), "bind") {
		t.Errorf("wrong password: %v", err)
	}
	if d.Len() != n+1 {
		t.Fatalf("failed syncs changed the directory: %d contacts", d.Len())
	}

	// The server goes away: a clear error, the directory as it was.
	srv.stop()
	rep, err = d.SyncLDAP(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "connect to "+srv.url) {
		t.Fatalf("server down: %+v, %v", rep, err)
	}
	t.Logf("server down: %v", err)
	if d.Len() != n+1 || len(byBadge(t, d)) != n {
		t.Fatalf("server down changed the directory: %d contacts", d.Len())
	}
	if got := search(t, d, bob, p42.FirstName+" "+p42.LastName); !contains(got, p42.FirstName+" "+p42.LastName) {
		t.Errorf("search after a failed sync: %v", got)
	}
}

func slicesEqual(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestLDAPSyncPersists checks that synced contacts survive a restart and
// that the next sync after it recognises them.
func TestLDAPSyncPersists(t *testing.T) {
	ldif, _ := peopleLDIF(50, 3)
	srv := startSlapd(t, ldif, nil)
	path := filepath.Join(t.TempDir(), "switchboard.db")
	st := openStore(t, path)
	d, err := New(st, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SyncLDAP(context.Background(), readerConfig(srv)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st = openStore(t, path)
	defer st.Close()
	if d, err = New(st, quiet()); err != nil {
		t.Fatal(err)
	}
	rep, err := d.SyncLDAP(context.Background(), readerConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged != 51 || rep.Created+rep.Updated+rep.Deleted != 0 {
		t.Fatalf("sync after restart: %+v", rep)
	}
}

func TestRunLDAPSync(t *testing.T) {
	ldif, _ := peopleLDIF(10, 1)
	srv := startSlapd(t, ldif, nil)
	d, _ := newDir(t)
	cfg := readerConfig(srv)
	cfg.Interval = 20 * time.Millisecond
	cfg.Timeout = time.Second

	type outcome struct {
		rep SyncReport
		err error
	}
	reports := make(chan outcome, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.RunLDAPSync(ctx, cfg, func(r SyncReport, err error) {
			select {
			case reports <- outcome{r, err}:
			default:
			}
		})
	}()
	next := func() outcome {
		select {
		case o := <-reports:
			return o
		case <-time.After(10 * time.Second):
			t.Fatal("no report")
		}
		return outcome{}
	}
	if o := next(); o.err != nil || o.rep.Created != 11 {
		t.Fatalf("first run: %+v", o)
	}
	if o := next(); o.err != nil || o.rep.Unchanged != 11 {
		t.Fatalf("second run: %+v", o)
	}
	srv.stop()
	for {
		o := next()
		if o.err != nil {
			break
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunLDAPSync did not return after cancel")
	}
	if d.Len() != 11 {
		t.Fatalf("Len = %d", d.Len())
	}
}

func TestLDAPSyncCancel(t *testing.T) {
	// A listener that accepts and never answers: only ctx ends the sync.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	d, _ := newDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = d.SyncLDAP(ctx, LDAPConfig{URL: "ldap://" + l.Addr().String(), BindDN: "cn=x", Password: "y", BaseDN: ldapBase})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the context's error, got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("cancel took %v", time.Since(start))
	}
}

// TestLDAPSyncTLS checks ldaps:// and StartTLS against a company CA.
func TestLDAPSyncTLS(t *testing.T) {
	findSlapd(t)
	dir := t.TempDir()
	tc := writeTestPKI(t, dir)
	ldif, _ := peopleLDIF(5, 2)
	srv := startSlapd(t, ldif, tc)
	ctx := context.Background()

	for _, tt := range []struct {
		name    string
		edit    func(*LDAPConfig)
		wantErr string
	}{
		{"ldaps with CA file", func(c *LDAPConfig) { c.URL, c.CAFile = srv.ldapsURL, tc.ca }, ""},
		{"ldaps unknown CA", func(c *LDAPConfig) { c.URL = srv.ldapsURL }, "certificate"},
		{"ldaps insecure", func(c *LDAPConfig) { c.URL, c.InsecureSkipVerify = srv.ldapsURL, true }, ""},
		{"StartTLS with CA file", func(c *LDAPConfig) { c.StartTLS, c.CAFile = true, tc.ca }, ""},
		{"StartTLS unknown CA", func(c *LDAPConfig) { c.StartTLS = true }, "StartTLS"},
		{"bad CA file", func(c *LDAPConfig) { c.URL, c.CAFile = srv.ldapsURL, filepath.Join(dir, "server.key") }, "no PEM certificate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := newDir(t)
			cfg := readerConfig(srv)
			tt.edit(&cfg)
			rep, err := d.SyncLDAP(ctx, cfg)
			if tt.wantErr == "" {
				if err != nil || rep.Created != 6 {
					t.Fatalf("%+v %v", rep, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("want an error with %q, got %v", tt.wantErr, err)
			}
			if d.Len() != 0 {
				t.Fatal("a failed sync wrote contacts")
			}
		})
	}
}

// writeTestPKI makes a CA and a server certificate for 127.0.0.1.
func writeTestPKI(t *testing.T, dir string) *slapdTLS {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Concierge test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	tc := &slapdTLS{cert: filepath.Join(dir, "server.crt"), key: filepath.Join(dir, "server.key"), ca: filepath.Join(dir, "ca.crt")}
	for path, block := range map[string]*pem.Block{
		tc.cert: {Type: "CERTIFICATE", Bytes: der},
		tc.key:  {Type: "PRIVATE KEY", Bytes: keyDER},
		tc.ca:   {Type: "CERTIFICATE", Bytes: caDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return tc
}

// Unit tests of the mapping, no server needed.

func TestLDAPMapping(t *testing.T) {
	guid := []byte{0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78, 0x56, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}
	if got := formatGUID(guid); got != "12345678-1234-5678-1234-56789abcdef0" {
		t.Errorf("formatGUID = %s", got)
	}

	m := Mapping{Mobile: []string{}, Department: []string{"department", "ou"}}.withDefaults()
	if m.Mobile == nil || len(m.Mobile) != 0 || m.JobTitle[0] != "title" {
		t.Errorf("defaults: %+v", m)
	}
	e := ldap.NewEntry("CN=Jean Dupont,OU=Paris,DC=corp,DC=example", map[string][]string{
		"displayName":     {"Jean Dupont"},
		"givenName":       {"Jean"},
		"sn":              {"Dupont"},
		"ou":              {"Paris"},
		"department":      {"Ventes"},
		"telephoneNumber": {"+33 1 42 00 00 00", "poste 12"},
		"mobile":          {"06 12 34 56 78"},
		"ipPhone":         {"1204"},
		"mail":            {"jean.dupont@corp.example", "Jean <jean@corp.example>"},
		"manager":         {"CN=Marie Curie,OU=Paris,DC=corp,DC=example"},
	})
	e.Attributes = append(e.Attributes, &ldap.EntryAttribute{Name: "objectGUID", Values: []string{string(guid)}, ByteValues: [][]byte{guid}})
	var rep SyncReport
	le := mapLDAPEntry(m, e, 1, &rep)
	c := le.r.c
	if c.DisplayName != "Jean Dupont" || c.Department != "Ventes" || c.ExternalID != "12345678-1234-5678-1234-56789abcdef0" {
		t.Errorf("mapped: %+v", c)
	}
	// Mobile is switched off: not read, and not among the replaced types.
	if fmt.Sprint(c.Phones) != "[{work +33 1 42 00 00 00} {extension 1204}]" || fmt.Sprint(le.r.phoneTypes) != "[work extension]" {
		t.Errorf("phones %v, replaced types %v", c.Phones, le.r.phoneTypes)
	}
	if fmt.Sprint(c.Emails) != "[jean.dupont@corp.example]" || len(rep.Problems) != 2 || rep.Failed != 0 {
		t.Errorf("emails %v, problems %+v", c.Emails, rep.Problems)
	}
	es := []ldapEntry{le}
	if resolveManagers(es); es[0].r.c.Manager != "Marie Curie" {
		t.Errorf("manager %q from DN %q", es[0].r.c.Manager, le.managerDN)
	}

	// Without an ID attribute the DN identifies the entry.
	le = mapLDAPEntry(m, ldap.NewEntry("uid=x,dc=example", map[string][]string{"cn": {"X"}}), 2, &rep)
	if le.r.c.ExternalID != "uid=x,dc=example" {
		t.Errorf("fallback external ID: %q", le.r.c.ExternalID)
	}

	// Manager: by DN among the synced entries however it is spelled, else
	// the cn of the DN, else nothing.
	es = []ldapEntry{
		{dn: "uid=boss,ou=people,dc=example,dc=com", r: row{c: Contact{FirstName: "Big", LastName: "Boss"}}},
		{dn: "uid=a", managerDN: "UID=Boss, OU=People,DC=example,DC=com"},
		{dn: "uid=b", managerDN: "cn=Gone Person,ou=former,dc=example,dc=com"},
		{dn: "uid=c", managerDN: "uid=gone,ou=former,dc=example,dc=com"},
	}
	resolveManagers(es)
	if es[1].r.c.Manager != "Big Boss" || es[2].r.c.Manager != "Gone Person" || es[3].r.c.Manager != "" {
		t.Errorf("managers: %q %q %q", es[1].r.c.Manager, es[2].r.c.Manager, es[3].r.c.Manager)
	}

	if _, err := (&Directory{}).SyncLDAP(context.Background(), LDAPConfig{URL: "http://x", BaseDN: "dc=x"}); err == nil {
		t.Error("an http URL is refused")
	}
}

func BenchmarkLDAPSync3k(b *testing.B) {
	ldif, _ := peopleLDIF(3000, 7)
	srv := startSlapd(b, ldif, nil)
	cfg := readerConfig(srv)
	cfg.PageSize = 500
	for b.Loop() {
		d, err := New(nil, quiet())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.SyncLDAP(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
}
