package directory
import ("testing";"time";"context";"fmt";"sort";"runtime")
func TestXPerQuery(t *testing.T){
 d := benchDirectory(t, benchN)
 type r struct{q string; d time.Duration; n int}
 var rs []r
 for _, q := range benchQueries {
   best := time.Hour; n := 0
   for range 7 { runtime.GC(); s := time.Now(); res, _ := d.Search(context.Background(), Viewer{Username:"b"}, q, 50); if e := time.Since(s); e < best {best = e}; n = len(res) }
   rs = append(rs, r{q, best, n})
 }
 sort.Slice(rs, func(i,j int) bool {return rs[i].d > rs[j].d})
 for _, x := range rs[:25] { fmt.Printf("%-25q %8v %d\n", x.q, x.d, x.n) }
}
