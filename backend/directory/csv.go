package directory

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// colKind is what a CSV column holds.
type colKind uint8

const (
	colIgnore colKind = iota
	colID
	colExternalID
	colFirstName
	colLastName
	colDisplayName
	colDepartment
	colJobTitle
	colResponsibilities
	colPhone
	colEmail
	colLocation
	colImageURI
	colManager
	colVIP
	colAbsence
	colVisibility
	colCustom
)

type column struct {
	kind   colKind
	phone  PhoneType
	custom string
}

// csvColumn maps a header to a field. Headers are matched folded and without
// separators, in English, French, Dutch and German, so that exports of the
// usual address books import without renaming columns. Any other header is a
// custom field ("custom.x" or "x").
func csvColumn(h string) column {
	h = strings.TrimSpace(h)
	if k, ok := strings.CutPrefix(h, "custom."); ok {
		return column{kind: colCustom, custom: strings.TrimSpace(k)}
	}
	var b strings.Builder
	tokens(fold(h), func(t string) { b.WriteString(t) })
	switch b.String() {
	case "id":
		return column{kind: colID}
	case "externalid", "uid", "employeeid", "employeenumber", "matricule", "personeelsnummer", "personalnummer":
		return column{kind: colExternalID}
	case "firstname", "givenname", "prenom", "voornaam", "vorname":
		return column{kind: colFirstName}
	case "lastname", "surname", "familyname", "nom", "nomdefamille", "achternaam", "nachname", "name1":
		return column{kind: colLastName}
	case "displayname", "name", "fullname", "nomcomplet", "naam", "volledigenaam", "anzeigename":
		return column{kind: colDisplayName}
	case "department", "dept", "departement", "service", "afdeling", "abteilung":
		return column{kind: colDepartment}
	case "jobtitle", "title", "fonction", "titre", "functie", "funktion", "position", "berufsbezeichnung":
		return column{kind: colJobTitle}
	case "responsibilities", "responsabilites", "taken", "verantwortlichkeiten", "aufgaben", "missions":
		return column{kind: colResponsibilities}
	case "phone", "workphone", "telephone", "tel", "businessphone", "telephonepro", "telefoon", "telefon", "telefonnummer", "telefoonnummer":
		return column{kind: colPhone, phone: PhoneWork}
	case "mobile", "mobilephone", "cell", "cellphone", "portable", "gsm", "mobiel", "handy", "mobiltelefon":
		return column{kind: colPhone, phone: PhoneMobile}
	case "home", "homephone", "domicile", "telephonedomicile", "thuis", "privat", "telefonprivat":
		return column{kind: colPhone, phone: PhoneHome}
	case "extension", "ext", "poste", "postetelephonique", "intern", "toestel", "durchwahl", "nebenstelle":
		return column{kind: colPhone, phone: PhoneExtension}
	case "otherphone", "autretelephone", "anderetelefoon", "anderestelefon":
		return column{kind: colPhone, phone: PhoneOther}
	case "email", "emails", "mail", "emailaddress", "courriel", "adressemail", "adresseemail":
		return column{kind: colEmail}
	case "location", "office", "bureau", "site", "lieu", "locatie", "kantoor", "standort", "buro":
		return column{kind: colLocation}
	case "imageuri", "image", "photo", "photourl", "picture", "foto", "bild":
		return column{kind: colImageURI}
	case "manager", "responsable", "superieur", "leidinggevende", "vorgesetzter":
		return column{kind: colManager}
	case "vip":
		return column{kind: colVIP}
	case "absencemessage", "absence", "afwezigheid", "abwesenheit":
		return column{kind: colAbsence}
	case "visibility", "visibilite", "zichtbaarheid", "sichtbarkeit":
		return column{kind: colVisibility}
	case "source", "updated", "owner":
		// Written by ExportCSV for the reader's information; the importer
		// decides these itself.
		return column{kind: colIgnore}
	}
	return column{kind: colCustom, custom: h}
}

// ImportCSV imports contacts from a CSV file whose first row names the
// columns (see csvColumn). The separator (comma, semicolon or tab) is
// detected from the header, a UTF-8 byte-order mark is skipped. A line that
// cannot be read or whose contact is invalid is reported with its line number
// and skipped; the others are imported. Contacts already in the directory are
// updated instead of duplicated (matched by ID, external ID, e-mail, or
// number and name), so importing the same file twice changes nothing.
func (d *Directory) ImportCSV(ctx context.Context, v Viewer, r io.Reader, opts ...ImportOption) (ImportReport, error) {
	var rep ImportReport
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	first, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffComma(first)
	cr.FieldsPerRecord = -1 // checked here, to report the line and go on
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err != nil {
		return rep, fmt.Errorf("directory: import csv: header: %w", err)
	}
	cols := make([]column, len(header))
	known := 0
	for i, h := range header {
		cols[i] = csvColumn(h)
		if c := cols[i]; c.kind == colCustom {
			if checkCustomKey(c.custom) != nil {
				rep.problem(1, "column %d %q ignored: not a usable field name", i+1, h)
				cols[i] = column{}
			}
		} else if c.kind != colIgnore {
			known++
		}
	}
	if known == 0 {
		return rep, fmt.Errorf("directory: import csv: the header names no known column (e.g. firstName, lastName, email, phone)")
	}

	cfg := newImportConfig(opts)
	d.wmu.Lock()
	defer d.wmu.Unlock()
	im := d.newImporter(v, SourceCSV, cfg, &rep)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rep.Failed++
				rep.problem(pe.StartLine, "%v", pe.Err)
				continue
			}
			return rep, fmt.Errorf("directory: import csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			rep.Failed++
			rep.problem(line, "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		rw, err := csvRow(cols, rec)
		rw.line = line
		if err != nil {
			rep.Failed++
			rep.problem(line, "%v", err)
			continue
		}
		if err := im.add(ctx, rw); err != nil {
			return rep, err
		}
	}
	if err := im.flush(ctx); err != nil {
		return rep, err
	}
	d.log.Info("directory: csv imported", "by", v.Username, "created", rep.Created, "updated", rep.Updated,
		"unchanged", rep.Unchanged, "failed", rep.Failed)
	return rep, nil
}

// sniffComma picks the separator that splits the header best: French and
// German spreadsheets write semicolons.
func sniffComma(header []byte) rune {
	best, n := ',', bytes.Count(header, []byte{','})
	for _, c := range []rune{';', '\t'} {
		if m := bytes.Count(header, []byte{byte(c)}); m > n {
			best, n = c, m
		}
	}
	return best
}

// csvRow turns one record into a row.
func csvRow(cols []column, rec []string) (row, error) {
	var r row
	for i, col := range cols {
		v := unescapeCell(strings.TrimSpace(rec[i]))
		switch col.kind {
		case colID:
			r.c.ID = v
		case colExternalID:
			r.c.ExternalID, r.has = v, r.has|hasExternalID
		case colFirstName:
			r.c.FirstName, r.has = v, r.has|hasFirstName
		case colLastName:
			r.c.LastName, r.has = v, r.has|hasLastName
		case colDisplayName:
			r.c.DisplayName, r.has = v, r.has|hasDisplayName
		case colDepartment:
			r.c.Department, r.has = v, r.has|hasDepartment
		case colJobTitle:
			r.c.JobTitle, r.has = v, r.has|hasJobTitle
		case colResponsibilities:
			r.c.Responsibilities, r.has = v, r.has|hasResponsibilities
		case colLocation:
			r.c.Location, r.has = v, r.has|hasLocation
		case colImageURI:
			r.c.ImageURI, r.has = v, r.has|hasImageURI
		case colManager:
			r.c.Manager, r.has = v, r.has|hasManager
		case colAbsence:
			r.c.AbsenceMessage, r.has = v, r.has|hasAbsence
		case colPhone:
			if !slices.Contains(r.phoneTypes, col.phone) {
				r.phoneTypes = append(r.phoneTypes, col.phone)
			}
			for n := range strings.SplitSeq(v, ";") {
				if n = strings.TrimSpace(n); n != "" {
					r.c.Phones = append(r.c.Phones, Phone{Type: col.phone, Number: n})
				}
			}
		case colEmail:
			r.has |= hasEmails
			for e := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
				r.c.Emails = append(r.c.Emails, e)
			}
		case colVIP:
			b, ok := parseBool(v)
			if !ok {
				return r, fmt.Errorf("vip: %q is not yes or no", v)
			}
			r.c.VIP, r.has = b, r.has|hasVIP
		case colVisibility:
			switch fold(v) {
			case "":
				continue // the import's default, or the contact's current one
			case "public", "all", "tous", "publique", "openbaar", "offentlich":
				r.c.Visibility = Public
			case "private", "prive", "privee", "me", "moi", "prive(e)", "privat", "persoonlijk":
				r.c.Visibility = Private
			default:
				return r, fmt.Errorf("visibility: %q is not public or private", v)
			}
			r.has |= hasVisibility
		case colCustom:
			if r.c.Custom == nil {
				r.c.Custom = map[string]string{}
			}
			r.c.Custom[col.custom] = v
			if !slices.Contains(r.customKeys, col.custom) {
				r.customKeys = append(r.customKeys, col.custom)
			}
		}
	}
	return r, nil
}

func parseBool(v string) (bool, bool) {
	switch fold(v) {
	case "", "0", "false", "no", "non", "nee", "nein", "n", "-":
		return false, true
	case "1", "true", "yes", "oui", "ja", "y", "x", "vip":
		return true, true
	}
	return false, false
}

// escapeCell defuses spreadsheet formulas (CSV injection): a cell starting
// with = @ + - tab or CR gets a leading apostrophe, which spreadsheets hide
// and unescapeCell removes again. A phone number like "+33 1 42" is left as
// it is: spreadsheets read it as a number or text, never as a formula call.
func escapeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if !validPhone(s) {
			return "'" + s
		}
	}
	return s
}

func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=@+-\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// ExportCSV writes every contact the viewer can see, one row each, with a
// header that ImportCSV reads back. Numbers of one type and e-mails are
// joined with ";".
func (d *Directory) ExportCSV(w io.Writer, v Viewer) error {
	all := d.All(v)
	customs := map[string]bool{}
	for _, c := range all {
		for k := range c.Custom {
			customs[k] = true
		}
	}
	customKeys := make([]string, 0, len(customs))
	for k := range customs {
		customKeys = append(customKeys, k)
	}
	slices.Sort(customKeys)
	header := []string{"id", "externalId", "firstName", "lastName", "displayName", "department", "jobTitle",
		"responsibilities", "workPhone", "mobile", "homePhone", "extension", "otherPhone", "email", "location",
		"imageUri", "manager", "vip", "absenceMessage", "visibility", "source", "updated"}
	for _, k := range customKeys {
		header = append(header, "custom."+k)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("directory: export csv: %w", err)
	}
	rec := make([]string, len(header))
	for _, c := range all {
		phones := func(t PhoneType) string {
			var ns []string
			for _, p := range c.Phones {
				if p.Type == t {
					ns = append(ns, p.Number)
				}
			}
			return strings.Join(ns, ";")
		}
		vip := ""
		if c.VIP {
			vip = "yes"
		}
		rec = append(rec[:0], c.ID, c.ExternalID, c.FirstName, c.LastName, c.DisplayName, c.Department, c.JobTitle,
			c.Responsibilities, phones(PhoneWork), phones(PhoneMobile), phones(PhoneHome), phones(PhoneExtension),
			phones(PhoneOther), strings.Join(c.Emails, ";"), c.Location, c.ImageURI, c.Manager, vip,
			c.AbsenceMessage, string(c.Visibility), string(c.Source), c.Updated.Format("2006-01-02T15:04:05Z07:00"))
		for _, k := range customKeys {
			rec = append(rec, c.Custom[k])
		}
		for i := range rec {
			rec[i] = escapeCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("directory: export csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("directory: export csv: %w", err)
	}
	return nil
}
