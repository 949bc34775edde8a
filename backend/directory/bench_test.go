package directory

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

const benchN = 100_000

// benchQueries is what attendants type, keystroke by keystroke: names
// growing letter by letter, a name and a department, numbers in several
// formats and pieces, accents typed or not, an e-mail, a custom field.
var benchQueries = func() []string {
	var qs []string
	for _, full := range []string{"david martin", "helene dubois", "jurgen muller", "sanne de vries", "dav ventes", "emma supp"} {
		for i := 1; i <= len(full); i++ {
			if full[i-1] != ' ' {
				qs = append(qs, full[:i])
			}
		}
	}
	return append(qs,
		"01 42", "0142", "+33 1 42 1", "06 12 34", "345 67", "10042", "99999",
		"Hélène", "MÜLLER", "comptabilité", "ressources humaines", "marie.dubois", "company.example",
		"b-0004", "lyon bureau 2", "d'artagnan", "van den berg", "zzzz", "e", "m", "x",
	)
}()

// benchDirectory is an in-memory directory of n generated contacts.
func benchDirectory(tb testing.TB, n int, opts ...Option) *Directory {
	tb.Helper()
	d, err := New(nil, append([]Option{quiet()}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	cs := generate(n, 1)
	for i := range cs {
		cs[i].ID = newID()
		cs[i].Updated = time.Now()
	}
	d.mu.Lock()
	d.ix = buildIndex(cs)
	d.mu.Unlock()
	return d
}

func reportLatencies(b *testing.B, lat []time.Duration) {
	reportPercentiles(b, lat, "")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
}

func reportPercentiles(b *testing.B, lat []time.Duration, unit string) {
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50"+unit+"-µs")
	b.ReportMetric(at(0.95), "p95"+unit+"-µs")
	b.ReportMetric(at(0.99), "p99"+unit+"-µs")
}

func BenchmarkSearch100k(b *testing.B) { benchSearch(b, benchDirectory(b, benchN), benchQueries) }

// BenchmarkSearch100kRanked is BenchmarkSearch100k with the Ranker on: 200
// favorites of the searching user and 5 000 recent transfers to 2 000
// different contacts lifted in every search.
func BenchmarkSearch100kRanked(b *testing.B) { benchSearch(b, rankedBenchDirectory(b), benchQueries) }

// The worst cases: one letter (every word start in the dictionary), and a
// word every contact holds (company.example in every e-mail).
func BenchmarkSearch100kOneLetter(b *testing.B) {
	benchSearch(b, rankedBenchDirectory(b), []string{"a"})
}
func BenchmarkSearch100kAllMatch(b *testing.B) {
	benchSearch(b, rankedBenchDirectory(b), []string{"example"})
}

// company.example is punctuated: matched literally against every e-mail.
func BenchmarkSearch100kAllMatchLiteral(b *testing.B) {
	benchSearch(b, rankedBenchDirectory(b), []string{"company.example"})
}

// Punctuated fragments that narrow: names with a hyphen or an apostrophe,
// an e-mail's local part, a badge number in a custom field.
var literalQueries = []string{"marie.dubois", "d'artagnan", "jean-pierre", "b-0004", "dubois-martin", "emma.smith@"}

func BenchmarkSearch100kLiteral(b *testing.B) {
	benchSearch(b, rankedBenchDirectory(b), literalQueries)
}
func BenchmarkLinearScan100kLiteral(b *testing.B)         { linearScan(b, literalQueries) }
func BenchmarkLinearScan100kOneLetter(b *testing.B)       { linearScan(b, []string{"a"}) }
func BenchmarkLinearScan100kAllMatch(b *testing.B)        { linearScan(b, []string{"example"}) }
func BenchmarkLinearScan100kAllMatchLiteral(b *testing.B) { linearScan(b, []string{"company.example"}) }

func rankedBenchDirectory(b *testing.B) *Directory {
	d := benchDirectory(b, benchN)
	all := d.All(Viewer{Admin: true})
	var favs, dests []string
	for i := 0; i < 200; i++ {
		favs = append(favs, all[i*397%len(all)].ID)
	}
	for i := 0; i < 5000; i++ {
		c := all[(i%2000)*43%len(all)]
		if len(c.Phones) > 0 {
			dests = append(dests, c.Phones[0].Number)
		}
	}
	r := d.NewRanker(func(string) ([]string, error) { return favs, nil }, func() ([]string, error) { return dests, nil })
	r.Reload()
	d.SetRanker(r)
	return d
}

func benchSearch(b *testing.B, d *Directory, queries []string) {
	ctx := context.Background()
	v := Viewer{Username: "bench"}
	var lat, cpu []time.Duration
	i := 0
	b.ReportAllocs()
	// The thread's CPU time per search (-cpu- metrics) is what a search
	// costs whatever else the machine runs; wall time (the others) is what
	// the attendant waits.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		start := time.Now()
		c0, cpuOK := threadCPU()
		if _, err := d.Search(ctx, v, q, DefaultLimit); err != nil {
			b.Fatal(err)
		}
		if c1, ok := threadCPU(); ok && cpuOK {
			cpu = append(cpu, c1-c0)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatencies(b, lat)
	if len(cpu) > 0 {
		reportPercentiles(b, cpu, "-cpu")
	}
}

// BenchmarkLinearScan100k does the same matching without the index: every
// contact's pre-folded columns are checked for every fragment (a word is
// graded as a punctuated fragment is, which finds the same contacts), then
// the same top-50 ranking. It is the yardstick for the index.
func BenchmarkLinearScan100k(b *testing.B) { linearScan(b, benchQueries) }

func linearScan(b *testing.B, queries []string) {
	cs := generate(benchN, 1)
	type doc struct {
		cols   [numFields][]byte // folded values by column (literal.go)
		key    string
		phones []phoneForm
	}
	docs := make([]doc, len(cs))
	scanIx := &index{} // only for the tie-break of ranked
	for i := range cs {
		c := &cs[i]
		scanIx.docs = append(scanIx.docs, &entry{c: *c, sortKey: fold(c.Name())})
		docs[i] = doc{cols: foldedColumns(c), key: scanIx.docs[i].sortKey}
		for _, p := range c.Phones {
			docs[i].phones = append(docs[i].phones, parsePhone(p.Number))
		}
	}
	var lat, cpu []time.Duration
	var top topK
	i := 0
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		start := time.Now()
		c0, cpuOK := threadCPU()
		frags := parseQuery(q, 3)
		texts := make([]literalText, len(frags))
		for k, f := range frags {
			texts[k] = newLiteralText(f.text)
		}
		top.reset(DefaultLimit)
		for j := range docs {
			dc := &docs[j]
			total := 0.0
			ok := true
			for k, f := range frags {
				sc, hit := 0.0, false
				for col, vals := range dc.cols {
					if t := texts[k].in(vals); t != tierNone {
						sc, hit = max(sc, score(t, field(col))), true
					}
				}
				if !hit && f.isPhone {
					for _, p := range dc.phones {
						if strings.Contains(p.digits, f.phone.digits) || (f.phone.nsn != "" && strings.Contains(p.nsn, f.phone.nsn)) {
							sc, hit = score(tierInfix, fieldPhone), true
						}
					}
				}
				if !hit {
					ok = false
					break
				}
				total += sc
			}
			if ok {
				top.offer(ranked{slot: uint32(j), pre: prefix8(dc.key), score: total, ix: scanIx})
			}
		}
		top.sorted()
		if c1, ok := threadCPU(); ok && cpuOK {
			cpu = append(cpu, c1-c0)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatencies(b, lat)
	if len(cpu) > 0 {
		reportPercentiles(b, cpu, "-cpu")
	}
}

func BenchmarkBuildIndex100k(b *testing.B) {
	cs := generate(benchN, 1)
	for i := range cs {
		cs[i].ID = newID()
	}
	for b.Loop() {
		buildIndex(cs)
	}
}

func BenchmarkImportCSV100k(b *testing.B) {
	src := benchDirectory(b, benchN)
	var buf bytes.Buffer
	if err := src.ExportCSV(&buf, Viewer{Admin: true}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		st := openStore(b, filepath.Join(b.TempDir(), "import.db"))
		d, err := New(st, quiet())
		if err != nil {
			b.Fatal(err)
		}
		rep, err := d.ImportCSV(context.Background(), Viewer{Username: "bench"}, bytes.NewReader(buf.Bytes()))
		if err != nil || rep.Created != benchN {
			b.Fatalf("%+v %v", rep, err)
		}
		st.Close()
	}
}

// TestIndexMemory100k reports what 100 000 contacts cost on the heap,
// contacts included, and checks a generous bound (the goal is 100 MB).
func TestIndexMemory100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100 000 contacts")
	}
	cs := generate(benchN, 1)
	for i := range cs {
		cs[i].ID = newID()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix := buildIndex(cs)
	took := time.Since(start)
	cs = nil // the index holds its own copies
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("100k contacts: index heap %.1f MB (contacts included), %d words, %d phone numbers, built in %v",
		float64(heap)/(1<<20), len(ix.tokOff), len(ix.phones), took)
	if heap > 300<<20 {
		t.Errorf("index uses %d MB", heap>>20)
	}
	runtime.KeepAlive(ix)
}
