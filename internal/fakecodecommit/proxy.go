package fakecodecommit

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// serveProxy accepts connections on the CONNECT proxy's listener until it
// is closed.
func (s *Server) serveProxy() {
	defer s.wg.Done()
	for {
		c, err := s.proxyLn.Accept()
		if err != nil {
			return
		}
		if !s.enter() {
			c.Close()
			return
		}
		go func() {
			defer s.wg.Done()
			s.proxy(c)
		}()
	}
}

// track adds c to the connections Close ends, or reports false when the
// server is closing.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// proxy answers one proxy connection: a CONNECT to port 443 of one of the
// certificate's names is tunnelled to the HTTPS listener; anything else is
// refused and the connection closed.
func (s *Server) proxy(c net.Conn) {
	defer c.Close()
	if !s.track(c) {
		return
	}
	defer s.untrack(c)

	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		refuse(c, "400 Bad Request")
		return
	}
	if req.Method != http.MethodConnect {
		refuse(c, "405 Method Not Allowed")
		return
	}
	target := req.RequestURI
	s.mu.Lock()
	s.proxyHosts = append(s.proxyHosts, target)
	s.mu.Unlock()
	host, port, err := net.SplitHostPort(target)
	if err != nil || port != "443" || !s.names[strings.ToLower(host)] {
		refuse(c, "403 Forbidden")
		return
	}

	// The one address this proxy ever dials: its own HTTPS listener.
	s.mu.Lock()
	s.dials = append(s.dials, s.Addr)
	s.mu.Unlock()
	up, err := net.Dial("tcp", s.Addr)
	if err != nil {
		refuse(c, "502 Bad Gateway")
		return
	}
	defer up.Close()
	if !s.track(up) {
		return
	}
	defer s.untrack(up)

	c.SetReadDeadline(time.Time{})
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	var once sync.Once
	closeBoth := func() { once.Do(func() { c.Close(); up.Close() }) }
	done := make(chan struct{})
	go func() {
		io.Copy(up, br) // br first hands on anything read past the request
		closeBoth()
		close(done)
	}()
	io.Copy(c, up)
	closeBoth()
	<-done
}

// refuse answers a proxy request with status and no body.
func refuse(c net.Conn, status string) {
	io.WriteString(c, "HTTP/1.1 "+status+"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
}
