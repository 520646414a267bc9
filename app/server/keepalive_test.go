package server

import (
	"bufio"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"seance/app/config"
)

// TestIssue11_ForwardedForOnKeepAliveConnection: behind a reverse proxy, one connection
// carries the requests of many clients. Found by the load tool: the first client's
// address stuck to the connection (the middleware overwrote the connection's remote
// address, then took it for the peer of the next request, an untrusted address whose
// header it ignored), so every client of that proxy connection shared the first one's
// login rate limit and was written under its address in the audit log.
func TestIssue11_ForwardedForOnKeepAliveConnection(t *testing.T) {
	cfg := &config.Config{ProxyHeader: "X-Forwarded-For", Proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(clientAddressMiddleware(cfg))
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(c.IP()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { _ = app.Shutdown(); _ = ln.Close() })

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, tt := range []struct{ header, want string }{
		{"198.51.100.7", "198.51.100.7"},
		{"203.0.113.9", "203.0.113.9"},
		{"", "127.0.0.1"}, // the proxy itself, without a header
		{"198.51.100.8", "198.51.100.8"},
	} {
		req := "GET / HTTP/1.1\r\nHost: seance\r\n"
		if tt.header != "" {
			req += "X-Forwarded-For: " + tt.header + "\r\n"
		}
		if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
		resp.Body.Close()
		if b.String() != tt.want {
			t.Errorf("X-Forwarded-For %q on the same connection: client %q, want %q", tt.header, b.String(), tt.want)
		}
	}
}
