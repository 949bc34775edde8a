package switchboard

// Directory names callers from their number (Q3) and flags VIPs (Q7). It is called once
// per incoming call, on the call's own goroutine, and should answer from memory.
type Directory interface {
	LookupNumber(number string) (name string, vip bool, ok bool)
}

// DirectoryFunc adapts a function to Directory.
type DirectoryFunc func(number string) (name string, vip bool, ok bool)

// LookupNumber implements Directory.
func (f DirectoryFunc) LookupNumber(number string) (string, bool, bool) { return f(number) }
