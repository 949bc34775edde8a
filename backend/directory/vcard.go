package directory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/emersion/go-vcard"
)

// vCard properties of our own, for the fields vCard has no word for. The
// manager uses Outlook's property so that Outlook and Exchange exports keep it.
const (
	vcardLocation   = "X-CONCIERGE-LOCATION"
	vcardVIP        = "X-CONCIERGE-VIP"
	vcardAbsence    = "X-CONCIERGE-ABSENCE"
	vcardVisibility = "X-CONCIERGE-VISIBILITY"
	vcardExternalID = "X-CONCIERGE-EXTERNAL-ID"
	vcardCustom     = "X-CONCIERGE-CUSTOM"
	vcardCustomName = "X-NAME"
	vcardManager    = "X-MS-MANAGER"
	vcardOrgCustom  = "organization"
)

// ImportVCard imports every card of a vCard (3.0 or 4.0) file. Problems are
// reported with the card's number; the other cards are imported. A card is
// matched to an existing contact like a CSV row; its UID is kept as the
// external ID (or, for a file we exported, finds the contact it came from).
func (d *Directory) ImportVCard(ctx context.Context, v Viewer, r io.Reader, opts ...ImportOption) (ImportReport, error) {
	var rep ImportReport
	cfg := newImportConfig(opts)
	d.wmu.Lock()
	defer d.wmu.Unlock()
	im := d.newImporter(v, SourceVCard, cfg, &rep)
	dec := vcard.NewDecoder(r)
	for n := 1; ; n++ {
		card, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rep.Failed++
			rep.problem(n, "%v", err)
			continue
		}
		rw := cardRow(card)
		rw.line = n
		if err := im.add(ctx, rw); err != nil {
			return rep, err
		}
	}
	if err := im.flush(ctx); err != nil {
		return rep, err
	}
	d.log.Info("directory: vcard imported", "by", v.Username, "created", rep.Created, "updated", rep.Updated,
		"unchanged", rep.Unchanged, "failed", rep.Failed)
	return rep, nil
}

// cardRow maps a card to a row that carries every field: a card describes
// the whole contact.
func cardRow(card vcard.Card) row {
	r := row{has: hasAll &^ hasVisibility}
	c := &r.c
	c.DisplayName = vtext(card.PreferredValue(vcard.FieldFormattedName))
	if f := card.Get(vcard.FieldName); f != nil {
		parts := splitComponents(f.Value)
		c.LastName, c.FirstName = part(parts, 0), part(parts, 1)
	}
	if f := card.Get(vcard.FieldOrganization); f != nil {
		parts := splitComponents(f.Value)
		if org := part(parts, 0); org != "" {
			c.Custom = map[string]string{vcardOrgCustom: org}
		}
		c.Department = strings.Join(slices.DeleteFunc(parts[min(1, len(parts)):], func(s string) bool { return s == "" }), " / ")
	}
	c.JobTitle = vtext(card.Value(vcard.FieldTitle))
	c.Responsibilities = vtext(card.Value(vcard.FieldRole))
	for _, f := range card[vcard.FieldTelephone] {
		n := strings.TrimPrefix(f.Value, "tel:")
		c.Phones = append(c.Phones, Phone{Type: vcardPhoneType(f.Params), Number: n})
	}
	for _, f := range card[vcard.FieldEmail] {
		c.Emails = append(c.Emails, strings.TrimPrefix(f.Value, "mailto:"))
	}
	if f := card.Get(vcard.FieldPhoto); f != nil {
		uri := f.Value
		if enc := strings.ToLower(f.Params.Get("ENCODING")); enc == "b" || enc == "base64" {
			// vCard 3 inline photo: make it a data URI (validation bounds its size).
			typ := strings.ToLower(f.Params.Get(vcard.ParamType))
			if typ == "" {
				typ = "jpeg"
			}
			uri = "data:image/" + typ + ";base64," + f.Value
		}
		c.ImageURI = uri
	}
	c.Manager = vtext(card.Value(vcardManager))
	c.Location = vtext(card.Value(vcardLocation))
	c.AbsenceMessage = vtext(card.Value(vcardAbsence))
	c.VIP, _ = parseBool(card.Value(vcardVIP))
	switch Visibility(strings.ToLower(card.Value(vcardVisibility))) {
	case Private:
		c.Visibility, r.has = Private, r.has|hasVisibility
	case Public:
		c.Visibility, r.has = Public, r.has|hasVisibility
	}
	uid := strings.TrimPrefix(card.Value(vcard.FieldUID), "urn:uuid:")
	if ext := card.Value(vcardExternalID); ext != "" || card.Get(vcardExternalID) != nil {
		// Our own export: UID is the contact's ID, the external ID is apart.
		c.ID, c.ExternalID = uid, vtext(ext)
	} else {
		c.ExternalID = uid
	}
	for _, f := range card[vcardCustom] {
		k := f.Params.Get(vcardCustomName)
		if k == "" {
			continue
		}
		if c.Custom == nil {
			c.Custom = map[string]string{}
		}
		c.Custom[k] = vtext(f.Value)
	}
	for _, p := range c.Phones {
		if !slices.Contains(r.phoneTypes, p.Type) {
			r.phoneTypes = append(r.phoneTypes, p.Type)
		}
	}
	for k := range c.Custom {
		r.customKeys = append(r.customKeys, k)
	}
	return r
}

func part(parts []string, i int) string {
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// vtext undoes the escapes go-vcard leaves in text values (RFC 6350 3.4).
func vtext(s string) string {
	return strings.NewReplacer(`\;`, ";", `\:`, ":", `\N`, "\n").Replace(s)
}

// splitComponents splits a structured value (N, ORG) on unescaped ";".
func splitComponents(v string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v) && v[i+1] == ';':
			b.WriteByte(';')
			i++
		case v[i] == ';':
			parts = append(parts, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(v[i])
		}
	}
	return append(parts, strings.TrimSpace(b.String()))
}

func joinComponents(parts ...string) string {
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, ";", `\;`)
	}
	return strings.Join(parts, ";")
}

// vcardPhoneType reads TYPE parameters of vCard 3 ("WORK,VOICE") and 4.
func vcardPhoneType(p vcard.Params) PhoneType {
	var types []string
	for _, t := range p[vcard.ParamType] {
		for s := range strings.SplitSeq(t, ",") {
			types = append(types, strings.ToLower(strings.TrimSpace(s)))
		}
	}
	switch {
	case slices.Contains(types, "x-extension"):
		return PhoneExtension
	case slices.Contains(types, "cell"):
		return PhoneMobile
	case slices.Contains(types, "home"):
		return PhoneHome
	case slices.Contains(types, "work"):
		return PhoneWork
	}
	return PhoneOther
}

// ExportVCard writes every contact the viewer can see as vCard 4.0.
func (d *Directory) ExportVCard(w io.Writer, v Viewer) error {
	enc := vcard.NewEncoder(w)
	for _, c := range d.All(v) {
		if err := enc.Encode(contactCard(c)); err != nil {
			return fmt.Errorf("directory: export vcard %s: %w", c.ID, err)
		}
	}
	return nil
}

func contactCard(c Contact) vcard.Card {
	card := vcard.Card{}
	card.SetValue(vcard.FieldVersion, "4.0")
	card.SetValue(vcard.FieldUID, c.ID)
	card.SetValue(vcard.FieldFormattedName, c.Name())
	card.Set(vcard.FieldName, &vcard.Field{Value: joinComponents(c.LastName, c.FirstName, "", "", "")})
	if org := c.Custom[vcardOrgCustom]; org != "" || c.Department != "" {
		card.Set(vcard.FieldOrganization, &vcard.Field{Value: joinComponents(org, c.Department)})
	}
	setText := func(k, v string) {
		if v != "" {
			card.SetValue(k, v)
		}
	}
	setText(vcard.FieldTitle, c.JobTitle)
	setText(vcard.FieldRole, c.Responsibilities)
	setText(vcard.FieldPhoto, c.ImageURI)
	setText(vcardManager, c.Manager)
	setText(vcardLocation, c.Location)
	setText(vcardAbsence, c.AbsenceMessage)
	card.SetValue(vcardVisibility, string(c.Visibility))
	card.SetValue(vcardExternalID, c.ExternalID)
	if c.VIP {
		card.SetValue(vcardVIP, "yes")
	}
	for _, p := range c.Phones {
		t := map[PhoneType][]string{PhoneWork: {"work", "voice"}, PhoneMobile: {"cell"}, PhoneHome: {"home", "voice"},
			PhoneExtension: {"work", "x-extension"}, PhoneOther: {"voice"}}[p.Type]
		card.Add(vcard.FieldTelephone, &vcard.Field{Value: p.Number, Params: vcard.Params{vcard.ParamType: t}})
	}
	for _, e := range c.Emails {
		card.Add(vcard.FieldEmail, &vcard.Field{Value: e, Params: vcard.Params{vcard.ParamType: {"work"}}})
	}
	keys := make([]string, 0, len(c.Custom))
	for k := range c.Custom {
		if k != vcardOrgCustom {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		card.Add(vcardCustom, &vcard.Field{Value: c.Custom[k], Params: vcard.Params{vcardCustomName: {k}}})
	}
	if !c.Updated.IsZero() {
		card.SetRevision(c.Updated)
	}
	return card
}
