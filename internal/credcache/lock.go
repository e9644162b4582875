package credcache

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// DefaultPatience is how long the processes that miss wait for the one
// fetching the same credentials before they fetch without it: far longer
// than any fetch takes, so that only a holder that stopped (suspended
// with Ctrl-Z, a debugger, a frozen container) is passed. Cache.Patience
// replaces it.
const DefaultPatience = 30 * time.Second

// lockPoll is how often a waiter tries the lock again.
const lockPoll = 20 * time.Millisecond

// holderNote is what the holder of a lock writes in the lock file: who it
// is and since when it holds the lock, for the waiters to judge and name.
// It holds no secret.
type holderNote struct {
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
}

// lockState is a lock of an entry: held, to be unlocked, or passed over
// because its holder has held it past Patience.
type lockState struct {
	f    *os.File // nil when passed over
	held bool
}

func (l *lockState) unlock() { l.f.Close() } // the kernel releases the lock with the file

// lock takes the advisory lock of key in d. It waits while another process
// holds the lock, up to ctx's deadline: the holder is fetching, and the
// kernel releases the lock should it die. A holder that has held it longer
// than c.Patience (its own note says since when; without one, since this
// process began to wait) is passed over: the caller fetches without the
// lock, and the user is told which process holds it. It returns nil when
// the lock cannot be used, and the caller goes on without the cache.
func (c *Cache) lock(ctx context.Context, d *safefile.Dir, key string) (*lockState, error) {
	f, err := d.OpenFile(key+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		c.debugf("cache: no lock on %s (%v), going on uncached", short(key), err)
		return nil, nil
	}
	start := c.now()
	var tick *time.Ticker
	over := 0
	for {
		locked, err := tryLock(f)
		switch {
		case err != nil:
			f.Close()
			c.debugf("cache: no lock on %s (%v), going on uncached", short(key), err)
			return nil, nil
		case locked:
			c.writeNote(f)
			return &lockState{f: f, held: true}, nil
		}
		who, age := c.holder(f, start)
		// Twice in a row: a note read between a new holder's lock and its
		// note is the previous holder's.
		if over++; age <= c.patience() {
			over = 0
		}
		if over >= 2 {
			f.Close()
			c.notef("another git-credential-codecommit%s has held the lock on these credentials for %s without writing them (is it stopped?); fetching without it",
				who, age.Round(time.Second))
			return &lockState{}, nil
		}
		if tick == nil {
			c.debugf("cache: another process is fetching %s; waiting for it", short(key))
			tick = time.NewTicker(lockPoll)
			defer tick.Stop()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, &failure.Error{Problem: "another git-credential-codecommit" + who + " was still fetching the same credentials at the deadline",
				Cause: ctx.Err().Error(), Fix: "retry, or pass --no-cache", Err: ctx.Err()}
		case <-tick.C:
		}
	}
}

// patience is c.Patience, or DefaultPatience.
func (c *Cache) patience() time.Duration {
	if c.Patience > 0 {
		return c.Patience
	}
	return DefaultPatience
}

// writeNote writes this process's holderNote in the lock file f, which it
// holds.
func (c *Cache) writeNote(f *os.File) {
	b, _ := json.Marshal(holderNote{PID: os.Getpid(), Since: c.now().UTC()})
	if err := f.Truncate(0); err == nil {
		f.WriteAt(b, 0)
	}
}

// holder reads the note of the process holding the lock file f, and
// returns how to name it (" (pid N)", or "") and how long it has held the
// lock: since its note says, or, without a believable note, since start.
func (c *Cache) holder(f *os.File, start time.Time) (who string, age time.Duration) {
	now := c.now()
	buf := make([]byte, 256)
	n, _ := f.ReadAt(buf, 0)
	var h holderNote
	if json.Unmarshal(buf[:n], &h) != nil || h.PID <= 0 || h.Since.IsZero() || h.Since.After(now.Add(clockSlack)) {
		return "", now.Sub(start)
	}
	return " (pid " + strconv.Itoa(h.PID) + ")", now.Sub(h.Since)
}

// notef writes a line the user should see with c.Notef, or else under
// --debug.
func (c *Cache) notef(format string, args ...any) {
	if c.Notef != nil {
		c.Notef(format, args...)
		return
	}
	c.debugf("cache: "+format, args...)
}
