package console

import (
	"sync"

	"github.com/concierge-console/concierge/backend/cache"
	"github.com/concierge-console/concierge/backend/directory"
)

// searchSaves writes directory searches into the local cache in the
// background. Each write is a bolt transaction with an fsync: milliseconds
// (tens on a busy disk) the attendant would otherwise wait for at every
// keystroke. Only recent searches matter offline, so when writes fall behind
// the oldest pending ones are dropped.
type searchSaves struct {
	mu      sync.Mutex
	pending []pendingSearch
	running bool
	idle    chan struct{} // closed when the writer of the latest batch is done
}

type pendingSearch struct {
	acct    cache.Account
	key     string
	results []directory.Result
}

// maxPendingSearches bounds the searches waiting to be written (a fast typist
// makes one per keystroke; the cache keeps cache.MaxSearches anyway).
const maxPendingSearches = 16

// add queues a search to write and starts a writer unless one runs.
func (s *searchSaves) add(c *Console, p pendingSearch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) >= maxPendingSearches {
		s.pending = append(s.pending[:0], s.pending[1:]...)
	}
	s.pending = append(s.pending, p)
	if s.running {
		return
	}
	s.running = true
	s.idle = make(chan struct{})
	go s.write(c, s.idle)
}

func (s *searchSaves) write(c *Console, idle chan struct{}) {
	defer close(idle)
	for {
		s.mu.Lock()
		batch := s.pending
		s.pending = nil
		if len(batch) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		for _, p := range batch {
			if err := c.cfg.Cache.PutSearch(p.acct, p.key, p.results); err != nil {
				c.log.Warn("cache: write search", "err", err)
			}
		}
	}
}

// wait returns once the searches queued so far are written (at close, so
// that none is lost).
func (s *searchSaves) wait() {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	if idle != nil {
		<-idle
	}
}
