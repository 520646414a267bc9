package server

import (
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	proxy := netip.MustParseAddr("10.1.2.3")
	for _, tt := range []struct {
		name   string
		peer   netip.Addr
		header string
		want   string
	}{
		{"direct client, no header", netip.MustParseAddr("198.51.100.7"), "", "198.51.100.7"},
		{"direct client forging the header", netip.MustParseAddr("198.51.100.7"), "203.0.113.9", "198.51.100.7"},
		{"one proxy", proxy, "198.51.100.7", "198.51.100.7"},
		{"forged prefix through the proxy", proxy, "203.0.113.9, 198.51.100.7", "198.51.100.7"},
		{"forged prefix through two proxies", proxy, "203.0.113.9, 198.51.100.7, 192.0.2.1", "198.51.100.7"},
		{"garbage appended by the client", proxy, "198.51.100.7, pas-une-adresse", "10.1.2.3"},
		{"garbage in the forged prefix is never read", proxy, "<script>, 198.51.100.7", "198.51.100.7"},
		{"address with a port", proxy, "198.51.100.7:4711", "198.51.100.7"},
		{"IPv6", proxy, "2001:db8::1", "2001:db8::1"},
		{"IPv4-mapped IPv6", proxy, "::ffff:198.51.100.7", "198.51.100.7"},
		{"only proxies", proxy, "10.9.9.9, 192.0.2.1", "10.9.9.9"},
		{"proxy without header", proxy, " ", "10.1.2.3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := clientAddress(tt.peer, tt.header, proxies); got.String() != tt.want {
				t.Errorf("clientAddress(%s, %q) = %s, want %s", tt.peer, tt.header, got, tt.want)
			}
		})
	}
}
