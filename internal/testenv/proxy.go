package testenv

import (
	"bytes"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to a target (PostgreSQL, SMTP) and can
// take it down and bring it back: Cut closes every open connection and
// refuses new ones, as a crashed or unplugged server would; Restore lets
// connections through again. WithholdReplyTo keeps a server's answer from
// its client, as a network that lost it would.
type Proxy struct {
	Addr   string
	target string
	ln     net.Listener

	mu       sync.Mutex
	down     bool
	conns    map[net.Conn]struct{}
	withhold []byte // armed by WithholdReplyTo; nil when not
}

// StartProxy listens on a free local port until the test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.Cut() })
	return p
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *Proxy) forward(c net.Conn) {
	if !p.track(c) {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(up) {
		c.Close()
		if up != nil {
			up.Close()
		}
		return
	}
	done := make(chan struct{}, 2)
	held, over := make(chan struct{}), make(chan struct{})
	go func() { p.send(up, c, held); done <- struct{}{} }()
	go func() { answer(c, up, held, over); done <- struct{}{} }()
	<-done
	close(over)
	c.Close()
	up.Close()
}

// WithholdReplyTo arms the proxy: the next connection whose client sends
// bytes containing word (say "commit", which a PostgreSQL driver sends to
// end a transaction) gets nothing more back from the server. The server
// still receives and acts on what was sent; the client waits until it
// gives up (its deadline) and closes the connection.
func (p *Proxy) WithholdReplyTo(word string) {
	p.mu.Lock()
	p.withhold = bytes.ToLower([]byte(word))
	p.mu.Unlock()
}

// send copies the client's bytes to the server, closing held first when
// they carry the armed word (so that the server's reply comes after it).
func (p *Proxy) send(dst, src net.Conn, held chan struct{}) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			if p.withhold != nil && bytes.Contains(bytes.ToLower(buf[:n]), p.withhold) {
				p.withhold = nil
				close(held)
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// answer copies the server's bytes to the client until held is closed;
// then it drops them until the connection is over.
func answer(dst, src net.Conn, held, over chan struct{}) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-held:
			<-over
			return
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// track registers c unless the proxy is down.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// Cut closes every connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
