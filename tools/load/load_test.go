package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPercentilesNearestRank(t *testing.T) {
	var lat []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	p50, p99 := percentiles(lat)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond {
		t.Fatalf("p50 %s, p99 %s; want 50ms and 99ms", p50, p99)
	}
	if p50, p99 := percentiles([]time.Duration{7 * time.Millisecond}); p50 != 7*time.Millisecond || p99 != 7*time.Millisecond {
		t.Fatalf("one sample: p50 %s, p99 %s", p50, p99)
	}
	if p50, p99 := percentiles(nil); p50 != 0 || p99 != 0 {
		t.Fatalf("no sample: p50 %s, p99 %s", p50, p99)
	}
}

// serve starts a baseline on a loopback port for the test.
func serve(t *testing.T, kind string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := newBaseline(kind)
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String() + "/"
}

func TestBaselinesServeTheSameEightKilobytePage(t *testing.T) {
	var bodies []string
	for _, kind := range []string{"floor", "ceiling"} {
		resp, err := http.Get(serve(t, kind))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: status %d, type %q", kind, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if n := strings.Count(string(b), "<tr>"); n != 51 {
			t.Fatalf("%s: %d table rows, want 50 and the header", kind, n)
		}
		if len(b) < 7000 || len(b) > 10000 {
			t.Fatalf("%s: %d bytes, want about 8 KB", kind, len(b))
		}
		bodies = append(bodies, string(b))
	}
	if bodies[0] != bodies[1] {
		t.Fatal("the floor and the ceiling send different pages")
	}
	if _, err := newBaseline("other"); err == nil {
		t.Fatal("an unknown baseline was accepted")
	}
}

func TestClosedAndOpenLoopsCountRequestsAndErrors(t *testing.T) {
	ctx := context.Background()
	floor := Target{Name: "floor", URL: serve(t, "floor")}
	r := Closed(ctx, floor, 4, 300*time.Millisecond)
	if r.Requests == 0 || r.Errors != 0 || r.P50 <= 0 || r.P50 > r.P99 || r.PerSecond() <= 0 {
		t.Fatalf("closed loop on the floor: %+v", r)
	}
	o := Open(ctx, floor, 100, 500*time.Millisecond)
	if o.Requests != 50 || o.Errors != 0 || o.P50 > o.P99 {
		t.Fatalf("open loop at 100 req/s for 0.5 s: %+v, want 50 requests", o)
	}
	missing := Target{Name: "missing", URL: floor.URL + "absent"}
	m := Closed(ctx, missing, 2, 200*time.Millisecond)
	if m.Requests == 0 || m.Errors != m.Requests || !strings.Contains(m.FirstError, "status 404") || m.PerSecond() != 0 {
		t.Fatalf("closed loop on a missing page: %+v", m)
	}
}

func TestMedianResultTakesTheMiddleRate(t *testing.T) {
	rs := []Result{
		{Requests: 300, Elapsed: time.Second},
		{Requests: 100, Elapsed: time.Second},
		{Requests: 200, Elapsed: time.Second},
	}
	if m := medianResult(rs); m.Requests != 200 {
		t.Fatalf("median of 100, 300, 200 req/s: %+v", m)
	}
	if m := medianResult(nil); m.Requests != 0 {
		t.Fatalf("median of nothing: %+v", m)
	}
}
