package directory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// LDAP / Active Directory sync (C10).
//
// A sync reads the whole subtree under BaseDN, then upserts the entries as
// contacts with Source ldap, matched on ExternalID only, and deletes the
// contacts of Source ldap that the server no longer returns. Matching on
// ExternalID alone (never on e-mail or number, as a file import does) keeps
// the sync away from local, CSV and vCard contacts: a colleague someone
// entered by hand stays a separate contact, untouched. The directory is
// changed only once every page has been read, so a server that goes away in
// the middle of a sync leaves the last good directory as it was.
//
// The directory has one LDAP source: every contact of Source ldap belongs to
// the configured server. Pointing the sync at another server replaces them.

// LDAPSchema says which kind of server the sync talks to. It only chooses
// the default Filter; the default attribute mapping fits both.
type LDAPSchema string

const (
	// LDAPAutoDetect reads the root DSE: a server that announces the Active
	// Directory capability is AD, anything else inetOrgPerson.
	LDAPAutoDetect LDAPSchema = ""
	// LDAPActiveDirectory: Microsoft Active Directory (and Samba AD).
	LDAPActiveDirectory LDAPSchema = "ad"
	// LDAPInetOrgPerson: OpenLDAP, 389-ds, and other RFC 2798 directories.
	LDAPInetOrgPerson LDAPSchema = "inetOrgPerson"
)

// Default filters. For AD, objectClass=person alone would also match
// computer accounts (computer derives from user), so the filter asks for
// objectCategory person: enabled user accounts (bit 2 of
// userAccountControl is ACCOUNTDISABLE) and contact objects, the outside
// people of the global address list, which an attendant transfers to too.
const (
	DefaultADFilter            = "(&(objectCategory=person)(|(objectClass=contact)(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))))"
	DefaultInetOrgPersonFilter = "(objectClass=inetOrgPerson)"
)

// Defaults of LDAPConfig.
const (
	DefaultLDAPPageSize = 500
	DefaultLDAPInterval = time.Hour
	DefaultLDAPTimeout  = 30 * time.Second
)

// adCapability is LDAP_CAP_ACTIVE_DIRECTORY_OID, listed in the
// supportedCapabilities of every AD domain controller.
const adCapability = "1.2.840.113556.1.4.800"

// LDAPConfig configures the sync. Password is a secret: never log the config.
type LDAPConfig struct {
	// URL of the server: ldap://host:389, ldaps://host:636.
	URL string `json:"url"`
	// BindDN and Password of the service account; both empty binds
	// anonymously. AD also accepts a user principal name (svc@corp.example).
	BindDN   string `json:"bindDn,omitempty"`
	Password string `json:"password,omitempty"`
	// BaseDN is where the search starts (whole subtree).
	BaseDN string `json:"baseDn"`
	// Filter selects the entries; empty is DefaultADFilter or
	// DefaultInetOrgPersonFilter according to Schema. It is the
	// administrator's own LDAP filter and is used as written.
	Filter string `json:"filter,omitempty"`
	// Schema chooses the default Filter; empty detects it.
	Schema LDAPSchema `json:"schema,omitempty"`
	// Attributes maps LDAP attributes to contact fields; see Mapping.
	Attributes Mapping `json:"attributes"`
	// PageSize of the paged search (RFC 2696); 0 is DefaultLDAPPageSize.
	// AD answers at most 1000 entries per page (MaxPageSize).
	PageSize int `json:"pageSize,omitempty"`
	// Interval between two syncs of RunLDAPSync; 0 is DefaultLDAPInterval.
	Interval time.Duration `json:"interval,omitempty"`
	// Timeout of the connection and of each request; 0 is
	// DefaultLDAPTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// StartTLS upgrades an ldap:// connection before binding, so that the
	// password never crosses the network in clear.
	StartTLS bool `json:"startTls,omitempty"`
	// CAFile is a PEM file of CA certificates trusted in addition to the
	// system's, for a company CA.
	CAFile string `json:"caFile,omitempty"`
	// InsecureSkipVerify accepts any server certificate. For tests only: it
	// hands the service account's password to whoever answers.
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
}

// Mapping says which LDAP attributes fill which contact field. For the text
// fields the first listed attribute that has a value wins; phones and
// e-mails take every value of every listed attribute. A nil list takes the
// default below; an empty, non-nil list ([] in JSON) leaves the field out of
// the sync, so values entered in the console are kept.
//
// The sync is the master of the fields it maps: a change made in the console
// to such a field is overwritten by the next sync. Fields it does not map
// (VIP, absence message, responsibilities, photo, other custom fields, home
// numbers) stay as edited in the console.
type Mapping struct {
	DisplayName []string `json:"displayName,omitempty"` // default displayName, cn
	FirstName   []string `json:"firstName,omitempty"`   // default givenName
	LastName    []string `json:"lastName,omitempty"`    // default sn
	Department  []string `json:"department,omitempty"`  // default department, ou
	JobTitle    []string `json:"jobTitle,omitempty"`    // default title
	WorkPhone   []string `json:"workPhone,omitempty"`   // default telephoneNumber
	Mobile      []string `json:"mobile,omitempty"`      // default mobile
	Extension   []string `json:"extension,omitempty"`   // default ipPhone
	Email       []string `json:"email,omitempty"`       // default mail
	Location    []string `json:"location,omitempty"`    // default l, physicalDeliveryOfficeName
	// Manager holds a DN (default manager). The sync shows the manager's
	// display name when the manager is among the synced entries, else the
	// value of a cn RDN, else nothing: a bare DN means nothing to a caller.
	Manager []string `json:"manager,omitempty"`
	// ExternalID identifies an entry across renames and moves (default
	// objectGUID, entryUUID); a 16-byte objectGUID is written in the usual
	// GUID form. An entry without one is identified by its DN.
	ExternalID []string `json:"externalId,omitempty"`
	// Custom maps further attributes to custom fields: attribute → field
	// name, e.g. {"employeeNumber": "badge"}.
	Custom map[string]string `json:"custom,omitempty"`
}

// withDefaults fills the nil lists. thumbnailPhoto and other binary
// attributes are never requested: photos would multiply the transfer for a
// field the contact keeps as a URI.
func (m Mapping) withDefaults() Mapping {
	def := func(p *[]string, attrs ...string) {
		if *p == nil {
			*p = attrs
		}
	}
	def(&m.DisplayName, "displayName", "cn")
	def(&m.FirstName, "givenName")
	def(&m.LastName, "sn")
	def(&m.Department, "department", "ou")
	def(&m.JobTitle, "title")
	def(&m.WorkPhone, "telephoneNumber")
	def(&m.Mobile, "mobile")
	def(&m.Extension, "ipPhone")
	def(&m.Email, "mail")
	def(&m.Location, "l", "physicalDeliveryOfficeName")
	def(&m.Manager, "manager")
	def(&m.ExternalID, "objectGUID", "entryUUID")
	return m
}

// attributes lists what the search asks for.
func (m Mapping) attributes() []string {
	var out []string
	for _, l := range [][]string{m.DisplayName, m.FirstName, m.LastName, m.Department, m.JobTitle, m.WorkPhone,
		m.Mobile, m.Extension, m.Email, m.Location, m.Manager, m.ExternalID} {
		out = append(out, l...)
	}
	for a := range m.Custom {
		out = append(out, a)
	}
	slices.Sort(out)
	return slices.CompactFunc(out, strings.EqualFold)
}

// SyncReport says what a sync did. Problems name the entry by its DN; Line
// is the entry's position in the search result.
type SyncReport struct {
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Deleted   int           `json:"deleted"`
	Failed    int           `json:"failed"`
	Problems  []Problem     `json:"problems,omitempty"` // at most MaxProblems
	Took      time.Duration `json:"took"`
}

func (r *SyncReport) problem(line int, format string, args ...any) {
	if len(r.Problems) < MaxProblems {
		r.Problems = append(r.Problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
}

// ldapEntry is one search result, already mapped: the raw entries are
// dropped page by page, so a 100 000-person AD is held once, as contacts.
type ldapEntry struct {
	line      int
	dn        string
	r         row
	managerDN string
}

// SyncLDAP runs one full sync. On any error reading the server (down,
// refused bind, bad base DN, cancelled ctx) it returns the error and leaves
// the directory untouched. An entry that does not make a valid contact is
// counted in Failed and listed in Problems; its contact, if it had one,
// stays as the last good sync left it.
func (d *Directory) SyncLDAP(ctx context.Context, cfg LDAPConfig) (SyncReport, error) {
	start := time.Now()
	var rep SyncReport
	entries, err := d.fetchLDAP(ctx, cfg, &rep)
	if err != nil {
		rep.Took = time.Since(start)
		return rep, err
	}
	if err := d.applyLDAP(ctx, cfg, entries, &rep); err != nil {
		rep.Took = time.Since(start)
		return rep, err
	}
	rep.Took = time.Since(start)
	d.log.Info("directory: ldap synced", "url", cfg.URL, "entries", len(entries), "created", rep.Created,
		"updated", rep.Updated, "unchanged", rep.Unchanged, "deleted", rep.Deleted, "failed", rep.Failed,
		"took", rep.Took)
	return rep, nil
}

// RunLDAPSync syncs now, then every cfg.Interval until ctx is done, and
// hands each outcome to report (which may be nil). After a failure it
// retries sooner, 10 s then doubling, but never later than the interval:
// a server back from a reboot is picked up quickly without hammering one
// that stays down. A little jitter keeps several consoles from querying the
// domain controller in step.
func (d *Directory) RunLDAPSync(ctx context.Context, cfg LDAPConfig, report func(SyncReport, error)) {
	d.runLDAPSchedule(ctx, cfg, report, d.SyncLDAP)
}

// runLDAPSchedule is RunLDAPSync with the sync itself given (LDAPSync records
// each outcome).
func (d *Directory) runLDAPSchedule(ctx context.Context, cfg LDAPConfig, report func(SyncReport, error),
	sync func(context.Context, LDAPConfig) (SyncReport, error)) {
	interval := cfg.Interval
	if interval <= 0 {
		interval = DefaultLDAPInterval
	}
	failures := 0
	for {
		rep, err := sync(ctx, cfg)
		if ctx.Err() != nil {
			return // a sync cut short by shutdown is no failure worth reporting
		}
		if err != nil {
			failures++
			d.log.Warn("directory: ldap sync failed", "url", cfg.URL, "failures", failures, "err", err)
		} else {
			failures = 0
		}
		if report != nil {
			report(rep, err)
		}
		wait := interval
		if failures > 0 {
			wait = min(ldapRetryMin<<min(failures-1, 16), interval)
		}
		wait += time.Duration(rand.Int64N(int64(wait)/10 + 1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// ldapRetryMin is the first retry delay after a failed sync.
const ldapRetryMin = 10 * time.Second

// fetchLDAP connects, binds and reads every entry, mapped to rows.
func (d *Directory) fetchLDAP(ctx context.Context, cfg LDAPConfig, rep *SyncReport) ([]ldapEntry, error) {
	if cfg.URL == "" || cfg.BaseDN == "" {
		return nil, errors.New("directory: ldap sync: URL and base DN are required")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("directory: ldap sync: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultLDAPTimeout
	}
	pageSize := cfg.PageSize
	if pageSize <= 0 {
		pageSize = DefaultLDAPPageSize
	}
	m := cfg.Attributes.withDefaults()

	conn, err := dialLDAP(cfg, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// go-ldap requests take no context: closing the connection is what
	// interrupts a blocked read when ctx ends.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fail := func(what string, err error) ([]ldapEntry, error) {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return nil, fmt.Errorf("directory: ldap sync: %s: %w", what, err)
	}

	if cfg.BindDN == "" && cfg.Password == "" {
		// Anonymous: no bind request at all, the session starts anonymous.
	} else if err := conn.Bind(cfg.BindDN, cfg.Password); err != nil {
		return fail(fmt.Sprintf("bind as %q", cfg.BindDN), err)
	}

	filter := cfg.Filter
	if filter == "" {
		schema := cfg.Schema
		if schema == LDAPAutoDetect {
			schema = detectSchema(conn)
		}
		filter = DefaultInetOrgPersonFilter
		if schema == LDAPActiveDirectory {
			filter = DefaultADFilter
		}
	}

	// The paging loop is written out rather than SearchWithPaging so that a
	// page can be mapped, and its raw entries dropped, before the next.
	paging := ldap.NewControlPaging(uint32(pageSize))
	req := ldap.NewSearchRequest(cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, m.attributes(), []ldap.Control{paging})
	var out []ldapEntry
	pages := 0
	for {
		res, err := conn.Search(req)
		if err != nil {
			return fail(fmt.Sprintf("search %q under %q (page %d)", filter, cfg.BaseDN, pages+1), err)
		}
		pages++
		for _, e := range res.Entries {
			out = append(out, mapLDAPEntry(m, e, len(out)+1, rep))
		}
		pc, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if !ok || len(pc.Cookie) == 0 {
			break // last page, or a server without paging that sent everything
		}
		paging.SetCookie(pc.Cookie)
		if err := ctx.Err(); err != nil {
			return fail("search", err)
		}
	}
	d.log.Debug("directory: ldap read", "url", cfg.URL, "filter", filter, "entries", len(out), "pages", pages)
	return out, nil
}

// dialLDAP connects and, when asked, upgrades to TLS.
func dialLDAP(cfg LDAPConfig, timeout time.Duration) (*ldap.Conn, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" {
		return nil, fmt.Errorf("directory: ldap sync: URL %q: want ldap://host[:port] or ldaps://host[:port]", cfg.URL)
	}
	var tc *tls.Config
	if u.Scheme == "ldaps" || cfg.StartTLS {
		if tc, err = ldapTLSConfig(cfg, u.Hostname()); err != nil {
			return nil, err
		}
	}
	conn, err := ldap.DialURL(cfg.URL, ldap.DialWithDialer(&net.Dialer{Timeout: timeout}), ldap.DialWithTLSConfig(tc))
	if err != nil {
		return nil, fmt.Errorf("directory: ldap sync: connect to %s: %w", cfg.URL, err)
	}
	conn.SetTimeout(timeout)
	if cfg.StartTLS && u.Scheme == "ldap" {
		if err := conn.StartTLS(tc); err != nil {
			conn.Close()
			return nil, fmt.Errorf("directory: ldap sync: StartTLS with %s: %w", cfg.URL, err)
		}
	}
	return conn, nil
}

func ldapTLSConfig(cfg LDAPConfig, host string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("directory: ldap sync: CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("directory: ldap sync: CA file %s: no PEM certificate in it", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// detectSchema asks the root DSE whether the server is Active Directory.
// A server that hides its root DSE is taken for a plain LDAP server.
func detectSchema(conn *ldap.Conn) LDAPSchema {
	req := ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"supportedCapabilities"}, nil)
	res, err := conn.Search(req)
	if err != nil || len(res.Entries) == 0 {
		return LDAPInetOrgPerson
	}
	if slices.Contains(res.Entries[0].GetEqualFoldAttributeValues("supportedCapabilities"), adCapability) {
		return LDAPActiveDirectory
	}
	return LDAPInetOrgPerson
}

// mapLDAPEntry turns an entry into a row. Numbers and addresses that are not
// valid are dropped with a warning rather than failing the whole person: a
// telephoneNumber of "see reception" must not hide the colleague's mobile.
func mapLDAPEntry(m Mapping, e *ldap.Entry, line int, rep *SyncReport) ldapEntry {
	le := ldapEntry{line: line, dn: e.DN}
	r := &le.r
	r.line = line
	first := func(attrs []string) string {
		for _, a := range attrs {
			for _, v := range e.GetEqualFoldAttributeValues(a) {
				if v = strings.TrimSpace(v); v != "" {
					return v
				}
			}
		}
		return ""
	}
	text := func(attrs []string, bit fieldSet, dst *string) {
		if len(attrs) > 0 {
			*dst, r.has = first(attrs), r.has|bit
		}
	}
	text(m.DisplayName, hasDisplayName, &r.c.DisplayName)
	text(m.FirstName, hasFirstName, &r.c.FirstName)
	text(m.LastName, hasLastName, &r.c.LastName)
	text(m.Department, hasDepartment, &r.c.Department)
	text(m.JobTitle, hasJobTitle, &r.c.JobTitle)
	text(m.Location, hasLocation, &r.c.Location)
	if len(m.Manager) > 0 {
		le.managerDN = first(m.Manager)
		r.has |= hasManager // filled in by resolveManagers
	}

	for _, p := range []struct {
		t     PhoneType
		attrs []string
	}{{PhoneWork, m.WorkPhone}, {PhoneMobile, m.Mobile}, {PhoneExtension, m.Extension}} {
		if len(p.attrs) == 0 {
			continue
		}
		r.phoneTypes = append(r.phoneTypes, p.t)
		for _, a := range p.attrs {
			for _, n := range e.GetEqualFoldAttributeValues(a) {
				n = strings.TrimSpace(n)
				switch {
				case n == "":
				case utf8.RuneCountInString(n) > MaxPhoneLen || !validPhone(n):
					rep.problem(line, "%s: %s %s is not a phone number, left out", e.DN, a, strconvQuote(n))
				case len(r.c.Phones) >= MaxPhones:
				default:
					r.c.Phones = append(r.c.Phones, Phone{Type: p.t, Number: n})
				}
			}
		}
	}
	if len(m.Email) > 0 {
		r.has |= hasEmails
		for _, a := range m.Email {
			for _, v := range e.GetEqualFoldAttributeValues(a) {
				v = strings.TrimSpace(v)
				if v == "" || len(r.c.Emails) >= MaxEmails {
					continue
				}
				probe := Contact{DisplayName: "x", Emails: []string{v}, Visibility: Public, Source: SourceLDAP}
				if err := probe.Validate(); err != nil {
					rep.problem(line, "%s: %s %s is not an e-mail address, left out", e.DN, a, strconvQuote(v))
					continue
				}
				r.c.Emails = append(r.c.Emails, v)
			}
		}
	}
	for a, field := range m.Custom {
		if r.c.Custom == nil {
			r.c.Custom = map[string]string{}
		}
		r.c.Custom[field] = first([]string{a})
		r.customKeys = append(r.customKeys, field)
	}
	slices.Sort(r.customKeys) // map order must not make equal entries differ

	for _, a := range m.ExternalID {
		if strings.EqualFold(a, "objectGUID") {
			if raw := e.GetEqualFoldRawAttributeValue(a); len(raw) == 16 {
				r.c.ExternalID = formatGUID(raw)
				break
			}
		}
		if v := first([]string{a}); v != "" {
			r.c.ExternalID = v
			break
		}
	}
	if r.c.ExternalID == "" {
		r.c.ExternalID = e.DN
	}
	r.has |= hasExternalID
	return le
}

// formatGUID writes an AD objectGUID the way AD tools show it: the first
// three groups are stored little-endian.
func formatGUID(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(b[0:4]),
		binary.LittleEndian.Uint16(b[4:6]), binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16])
}

// dnKey normalises a DN for lookups: manager values rarely spell a DN the
// way the server returns the entry's own.
func dnKey(dn string) string {
	p, err := ldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(dn))
	}
	return strings.ToLower(p.String())
}

// resolveManagers replaces manager DNs by display names.
func resolveManagers(entries []ldapEntry) {
	names := make(map[string]string, len(entries))
	for i := range entries {
		c := entries[i].r.c
		c.normalize()
		names[dnKey(entries[i].dn)] = c.Name()
	}
	for i := range entries {
		le := &entries[i]
		if le.managerDN == "" {
			continue
		}
		if n, ok := names[dnKey(le.managerDN)]; ok {
			le.r.c.Manager = n
			continue
		}
		// Not synced (left, disabled, outside the base DN): AD names people
		// by cn, so the RDN still gives a name; uid=jdoe would not.
		if p, err := ldap.ParseDN(le.managerDN); err == nil && len(p.RDNs) > 0 {
			for _, a := range p.RDNs[0].Attributes {
				if strings.EqualFold(a.Type, "cn") || strings.EqualFold(a.Type, "displayName") {
					le.r.c.Manager = a.Value
				}
			}
		}
	}
}

// applyLDAP writes the result of a sync. It holds the write lock from the
// comparison to the last batch, so no edit made meanwhile is lost or undone.
func (d *Directory) applyLDAP(ctx context.Context, cfg LDAPConfig, entries []ldapEntry, rep *SyncReport) error {
	resolveManagers(entries)
	d.wmu.Lock()
	defer d.wmu.Unlock()

	var puts []Contact
	seen := map[string]bool{}   // contact IDs the server still has
	extSeen := map[string]int{} // external ID → line, to catch two entries with one ID
	d.mu.RLock()
	for i := range entries {
		le := &entries[i]
		r := le.r
		if prev, dup := extSeen[r.c.ExternalID]; dup {
			rep.Failed++
			rep.problem(le.line, "%s: same external ID %q as entry %d, left out", le.dn, r.c.ExternalID, prev)
			continue
		}
		extSeen[r.c.ExternalID] = le.line
		old, found := d.ldapContact(r.c.ExternalID)
		var c Contact
		if found {
			seen[old.ID] = true
			c = merge(old, r)
		} else {
			c = r.c
			c.ID = newID()
			c.Source = SourceLDAP
			c.Visibility = Public
		}
		c.normalize()
		if err := c.Validate(); err != nil {
			rep.Failed++
			rep.problem(le.line, "%s: %v", le.dn, err)
			continue
		}
		if found && equalContent(c, old) {
			rep.Unchanged++
			continue
		}
		c.Updated = d.now().UTC()
		if found {
			rep.Updated++
		} else {
			rep.Created++
		}
		puts = append(puts, c)
	}
	var deletes []string
	existing := 0
	for _, e := range d.ix.docs {
		if e == nil || e.c.Source != SourceLDAP {
			continue
		}
		existing++
		if !seen[e.c.ID] {
			deletes = append(deletes, e.c.ID)
		}
	}
	d.mu.RUnlock()

	// An empty answer from a server that gave people before is far more
	// likely a wrong base DN, filter or ACL than a company without staff.
	if len(entries) == 0 && existing > 0 {
		*rep = SyncReport{}
		return fmt.Errorf("directory: ldap sync: %s returned no entry under %q; not deleting the %d contacts of the last sync (check base DN, filter and the bind account's rights)",
			cfg.URL, cfg.BaseDN, existing)
	}
	rep.Deleted = len(deletes)

	// Batches bound the store transaction and the time searches wait for
	// the index lock; the deletions go last, after every put has landed.
	const batch = 2000
	for len(puts) > 0 {
		n := min(batch, len(puts))
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("directory: ldap sync: %w", err)
		}
		if err := d.write(puts[:n], nil); err != nil {
			return fmt.Errorf("directory: ldap sync: %w", err)
		}
		puts = puts[n:]
	}
	if len(deletes) > 0 {
		if err := d.write(nil, deletes); err != nil {
			return fmt.Errorf("directory: ldap sync: %w", err)
		}
	}
	return nil
}

// ldapContact finds the contact of Source ldap with an external ID. The
// caller holds d.mu. A CSV or local contact that happens to carry the same
// external ID is not the sync's to change.
func (d *Directory) ldapContact(ext string) (Contact, bool) {
	for s := range d.ix.byExternal.slots(ext) {
		if e := d.ix.docs[s]; e != nil && e.c.Source == SourceLDAP {
			return e.c.Clone(), true
		}
	}
	return Contact{}, false
}
