package server

import (
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seance/app/config"
)

// clientAddressMiddleware sets the request's remote address to the client's, so that
// c.IP() (login rate limits, the audit log) gives it: the proxy header is read only when
// the direct peer is a trusted proxy (config.Proxies), otherwise the peer is the client.
// Fiber's own ProxyHeader is left unset: it takes the left-most address of the header,
// which the client writes.
func clientAddressMiddleware(cfg *config.Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if cfg.ProxyHeader == "" {
			return c.Next()
		}
		// The peer is read from the connection itself, and the request's address is set on
		// every request: a keep-alive connection from a proxy carries many clients' requests,
		// and the address set for one must not be taken for the peer of the next.
		conn := c.Context().Conn()
		if conn == nil {
			return c.Next()
		}
		tcp, ok := conn.RemoteAddr().(*net.TCPAddr)
		if !ok {
			return c.Next()
		}
		peer, ok := netip.AddrFromSlice(tcp.IP)
		if !ok {
			return c.Next()
		}
		client := clientAddress(peer.Unmap(), c.Get(cfg.ProxyHeader), cfg.Proxies)
		c.Context().SetRemoteAddr(&net.TCPAddr{IP: client.AsSlice()})
		return c.Next()
	}
}

// clientAddress returns the address of the client of a request received from peer with
// the proxy header value header (a comma-separated list, each proxy appending the address
// it received from). Only a trusted peer's header counts; it is read from the right,
// skipping the trusted proxies, and the first other address is the client's, provided
// it is a valid IP address. Anything else gives the peer: what a client writes at the
// left of the header is never believed.
func clientAddress(peer netip.Addr, header string, proxies []netip.Prefix) netip.Addr {
	if !trusted(peer, proxies) || strings.TrimSpace(header) == "" {
		return peer
	}
	hops := strings.Split(header, ",")
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return peer
		}
		if !trusted(a, proxies) {
			return a
		}
		last = a
	}
	return last // every hop is a trusted proxy: the left-most one is the client
}

// parseHop reads one address of a proxy header: an IP, possibly with a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
