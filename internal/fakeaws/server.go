package fakeaws

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Fault is an injected answer: an HTTP status and an AWS error code and
// message, written in the error format of the fake that answers it.
type Fault struct {
	Status        int
	Code, Message string
}

// server is what every fake shares: an http server on a loopback port, a
// count of requests and of calls per operation, a latency and a queue of
// faults.
type server struct {
	url string
	ln  net.Listener
	hs  *http.Server

	mu      sync.Mutex
	total   int
	calls   map[string]int
	latency time.Duration
	held    chan struct{} // while not nil, answers wait for it to close
	faults  []Fault
}

// listen opens a loopback port for a server that serve starts.
func listen() (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	return &server{url: "http://" + ln.Addr().String(), ln: ln, calls: make(map[string]int)}, nil
}

// serve answers requests with h, counting every request.
func (s *server) serve(h http.Handler) {
	s.hs = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.total++
			s.mu.Unlock()
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go s.hs.Serve(s.ln)
}

// close stops the server and drops its connections.
func (s *server) close() {
	s.hs.Close()
}

// begin counts a call of op, waits for the latency and while answers are
// held (or until the client gives up), and returns the next injected fault,
// if there is one.
func (s *server) begin(r *http.Request, op string) (Fault, bool) {
	s.mu.Lock()
	s.calls[op]++
	latency, held := s.latency, s.held
	var f Fault
	faulted := len(s.faults) > 0
	if faulted {
		f, s.faults = s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
	}
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
		}
	}
	return f, faulted
}

func (s *server) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

func (s *server) callCount(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

func (s *server) setLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// hold makes answers wait until release is called.
func (s *server) hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held := make(chan struct{})
	s.held = held
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.held == held {
				s.held = nil
			}
			s.mu.Unlock()
			close(held)
		})
	}
}

func (s *server) failNext(f []Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// writeJSON answers v as JSON with status, as application/json unless a
// Content-Type is set already. Other headers must be set before too.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// requestID returns a random id in the UUID form AWS request ids take.
func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// rotating serves one set of credentials and replaces it with a new one when
// it comes within 15 minutes of expiry, as EC2 and ECS rotate role
// credentials before they expire.
type rotating struct {
	keys     *Keys
	prefix   string
	lifetime time.Duration

	mu sync.Mutex
	c  Credentials
}

func newRotating(keys *Keys, prefix string, lifetime time.Duration) *rotating {
	return &rotating{keys: keys, prefix: prefix, lifetime: lifetime,
		c: keys.Issue(prefix, time.Now().Add(lifetime))}
}

// current returns the credentials served now.
func (r *rotating) current() Credentials {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Until(r.c.Expiration) < 15*time.Minute {
		r.c = r.keys.Issue(r.prefix, time.Now().Add(r.lifetime))
	}
	return r.c
}
