package directory

import (
	"context"
	"fmt"
	"iter"
	"slices"
)

// ImportReport says what an import did. Rows that failed are listed with
// their line (CSV) or card number (vCard); the other rows were imported.
type ImportReport struct {
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Failed    int       `json:"failed"`
	Problems  []Problem `json:"problems,omitempty"` // at most MaxProblems
}

// Problem is one rejected row (or a warning about a column).
type Problem struct {
	Line    int    `json:"line"` // CSV: line in the file; vCard: card number
	Message string `json:"message"`
}

// MaxProblems bounds the report of a file that is garbage from end to end.
const MaxProblems = 1000

func (r *ImportReport) problem(line int, format string, args ...any) {
	if len(r.Problems) < MaxProblems {
		r.Problems = append(r.Problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
}

// ImportOption configures an import.
type ImportOption func(*importConfig)

type importConfig struct {
	visibility Visibility
	batch      int
}

// WithImportVisibility sets the visibility of new contacts that the file
// does not set (default Public: an import is usually the company directory).
func WithImportVisibility(v Visibility) ImportOption {
	return func(c *importConfig) { c.visibility = v }
}

func newImportConfig(opts []ImportOption) importConfig {
	c := importConfig{visibility: Public, batch: 2000}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Which parts of a contact a row carries. A re-import only overwrites what
// the file has: a CSV without a VIP column keeps the VIP flags set by hand.
type fieldSet uint32

const (
	hasFirstName fieldSet = 1 << iota
	hasLastName
	hasDisplayName
	hasDepartment
	hasJobTitle
	hasResponsibilities
	hasEmails
	hasLocation
	hasImageURI
	hasManager
	hasVIP
	hasAbsence
	hasVisibility
	hasExternalID
	hasAll fieldSet = 1<<iota - 1
)

// row is one parsed record of an import file.
type row struct {
	line       int
	c          Contact
	has        fieldSet
	phoneTypes []PhoneType // the phone types the row carries (replaced as a whole)
	customKeys []string    // the custom fields the row carries
}

// importer upserts rows in batches: each batch is one store transaction.
// Rows of the batch not yet in the index are found through pending, so a
// file that names the same person twice yields one contact.
type importer struct {
	d       *Directory
	v       Viewer
	src     Source
	cfg     importConfig
	rep     *ImportReport
	batch   []Contact
	pending map[string]int // match key → index in batch
}

func (d *Directory) newImporter(v Viewer, src Source, cfg importConfig, rep *ImportReport) *importer {
	return &importer{d: d, v: v, src: src, cfg: cfg, rep: rep, pending: map[string]int{}}
}

func (im *importer) add(ctx context.Context, r row) error {
	if len(im.batch) >= im.cfg.batch {
		if err := im.flush(ctx); err != nil {
			return err
		}
	}
	old, pendingAt, found := im.match(r)
	var c Contact
	if found {
		c = merge(old, r)
	} else {
		c = r.c
		c.ID = newID()
		c.Owner = im.v.Username
		c.Source = im.src
		if r.has&hasVisibility == 0 || c.Visibility == "" {
			c.Visibility = im.cfg.visibility
		}
	}
	c.normalize()
	if err := c.Validate(); err != nil {
		im.rep.Failed++
		im.rep.problem(r.line, "%v", err)
		return nil
	}
	if found && equalContent(c, old) {
		if pendingAt < 0 {
			im.rep.Unchanged++
		}
		return nil
	}
	c.Updated = im.d.now().UTC()
	switch {
	case pendingAt >= 0:
		im.batch[pendingAt] = c
	case found:
		im.rep.Updated++
		im.batch = append(im.batch, c)
		pendingAt = len(im.batch) - 1
	default:
		im.rep.Created++
		im.batch = append(im.batch, c)
		pendingAt = len(im.batch) - 1
	}
	for _, k := range matchKeys(c) {
		im.pending[k] = pendingAt
	}
	return nil
}

// matchKeys are the identities a contact is recognised by on re-import:
// its ID, its external ID, each e-mail, and each number together with the
// name (a shared switchboard number alone must not merge two people).
func matchKeys(c Contact) []string {
	keys := []string{"i:" + c.ID}
	if c.ExternalID != "" {
		keys = append(keys, "x:"+c.ExternalID)
	}
	for _, e := range c.Emails {
		keys = append(keys, "e:"+fold(e))
	}
	name := fold(c.Name())
	for _, p := range c.Phones {
		keys = append(keys, "p:"+parsePhone(p.Number).key()+"\x00"+name)
	}
	return keys
}

// match finds the contact a row updates: one the viewer can see (a private
// contact of someone else is never touched, nor its existence revealed).
// pendingAt >= 0 when it is in the current batch.
func (im *importer) match(r row) (c Contact, pendingAt int, ok bool) {
	probe := r.c
	probe.normalize()
	for _, k := range matchKeys(probe) {
		if k == "i:" {
			continue
		}
		if i, ok := im.pending[k]; ok {
			return im.batch[i], i, true
		}
	}
	im.d.mu.RLock()
	defer im.d.mu.RUnlock()
	ix := im.d.ix
	pick := func(slots iter.Seq[uint32], also func(*entry) bool) (Contact, bool) {
		for s := range slots {
			if e := ix.docs[s]; e != nil && im.v.canSee(&e.c) && (also == nil || also(e)) {
				return e.c.Clone(), true
			}
		}
		return Contact{}, false
	}
	if probe.ID != "" {
		if e, ok := ix.get(probe.ID); ok && im.v.canSee(&e.c) {
			return e.c.Clone(), -1, true
		}
	}
	if probe.ExternalID != "" {
		if c, ok := pick(ix.byExternal.slots(probe.ExternalID), nil); ok {
			return c, -1, true
		}
	}
	for _, e := range probe.Emails {
		if c, ok := pick(ix.byEmail.slots(fold(e)), nil); ok {
			return c, -1, true
		}
	}
	name := fold(probe.Name())
	for _, p := range probe.Phones {
		if c, ok := pick(ix.byNumber.slots(parsePhone(p.Number).key()), func(e *entry) bool { return e.sortKey == name }); ok {
			return c, -1, true
		}
	}
	return Contact{}, -1, false
}

// merge overwrites the parts of old that the row carries.
func merge(old Contact, r row) Contact {
	c := old.Clone()
	set := func(bit fieldSet, dst *string, v string) {
		if r.has&bit != 0 {
			*dst = v
		}
	}
	set(hasFirstName, &c.FirstName, r.c.FirstName)
	set(hasLastName, &c.LastName, r.c.LastName)
	set(hasDisplayName, &c.DisplayName, r.c.DisplayName)
	set(hasDepartment, &c.Department, r.c.Department)
	set(hasJobTitle, &c.JobTitle, r.c.JobTitle)
	set(hasResponsibilities, &c.Responsibilities, r.c.Responsibilities)
	set(hasLocation, &c.Location, r.c.Location)
	set(hasImageURI, &c.ImageURI, r.c.ImageURI)
	set(hasManager, &c.Manager, r.c.Manager)
	set(hasAbsence, &c.AbsenceMessage, r.c.AbsenceMessage)
	set(hasExternalID, &c.ExternalID, r.c.ExternalID)
	if r.has&hasDisplayName == 0 && r.has&(hasFirstName|hasLastName) != 0 {
		c.DisplayName = "" // derived again from the new first and last name
	}
	if r.has&hasEmails != 0 {
		c.Emails = slices.Clone(r.c.Emails)
	}
	if r.has&hasVIP != 0 {
		c.VIP = r.c.VIP
	}
	if r.has&hasVisibility != 0 && r.c.Visibility != "" {
		c.Visibility = r.c.Visibility
	}
	if len(r.phoneTypes) > 0 {
		kept := c.Phones[:0:0]
		for _, p := range c.Phones {
			if !slices.Contains(r.phoneTypes, p.Type) {
				kept = append(kept, p)
			}
		}
		c.Phones = append(kept, r.c.Phones...)
	}
	if len(r.customKeys) > 0 {
		if c.Custom == nil {
			c.Custom = map[string]string{}
		}
		for _, k := range r.customKeys {
			if v := r.c.Custom[k]; v != "" {
				c.Custom[k] = v
			} else {
				delete(c.Custom, k)
			}
		}
	}
	return c
}

// flush writes the current batch.
func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("directory: import: %w", err)
	}
	if err := im.d.write(im.batch, nil); err != nil {
		return fmt.Errorf("directory: import: %w", err)
	}
	im.batch = im.batch[:0]
	clear(im.pending)
	return nil
}
