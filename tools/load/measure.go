package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Result is one measurement of one target. Every duration here is real elapsed time:
// measuring it is the point of this tool.
type Result struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	// FirstError describes the first failed request, to say why a target failed.
	FirstError string
}

// PerSecond is the rate of successful requests.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests-r.Errors) / r.Elapsed.Seconds()
}

// Target is one page to request: its URL and the cookie of the signed-in user.
type Target struct {
	Name   string
	URL    string
	Cookie string
}

// newClient returns an HTTP client keeping up to conns connections open to one host,
// following no redirect (a redirect from a page is an error here: the session was lost).
func newClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
			DisableCompression: true, IdleConnTimeout: time.Minute,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// get requests t once and reads the whole body; it returns an error for anything but 200.
func get(ctx context.Context, client *http.Client, t Target) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		return err
	}
	if t.Cookie != "" {
		req.Header.Set("Cookie", t.Cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", t.URL, resp.StatusCode)
	}
	return nil
}

// Closed runs clients concurrent loops requesting t for d (each loop sends its next
// request when the previous one is answered), as wrk does.
func Closed(ctx context.Context, t Target, clients int, d time.Duration) Result {
	client := newClient(clients)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu   sync.Mutex
		all  []time.Duration
		res  Result
		wg   sync.WaitGroup
		from = time.Now() // real elapsed time: the measurement
	)
	for range clients {
		wg.Go(func() {
			var lat []time.Duration
			errs, first := 0, ""
			for ctx.Err() == nil {
				start := time.Now() // real elapsed time: the measurement
				err := get(ctx, client, t)
				if ctx.Err() != nil {
					break // cut by the end of the measurement: not counted
				}
				lat = append(lat, time.Since(start))
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			res.Errors += errs
			if res.FirstError == "" {
				res.FirstError = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(from)
	res.Requests = len(all)
	res.P50, res.P99 = percentiles(all)
	return res
}

// Open sends requests to t at a fixed rate for d, whatever the answers (open loop), and
// measures each latency from the moment the request was due, so that a server falling
// behind shows in the percentiles (no coordinated omission). At most maxInFlight requests
// wait at once; beyond that a due request counts as an error.
func Open(ctx context.Context, t Target, rate int, d time.Duration) Result {
	const maxInFlight = 2000
	client := newClient(512)
	defer client.CloseIdleConnections()
	var (
		mu       sync.Mutex
		all      []time.Duration
		res      Result
		wg       sync.WaitGroup
		inFlight = make(chan struct{}, maxInFlight)
		interval = time.Second / time.Duration(rate)
		n        = int(d / interval)
		from     = time.Now() // real elapsed time: the measurement
	)
	for i := range n {
		due := from.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case inFlight <- struct{}{}:
		default:
			mu.Lock()
			res.Errors++
			all = append(all, time.Since(due))
			mu.Unlock()
			continue
		}
		wg.Go(func() {
			defer func() { <-inFlight }()
			err := get(ctx, client, t)
			lat := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			all = append(all, lat)
			if err != nil {
				res.Errors++
				if res.FirstError == "" {
					res.FirstError = err.Error()
				}
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(from)
	res.Requests = len(all)
	res.P50, res.P99 = percentiles(all)
	return res
}

// percentiles returns the median and the 99th percentile (nearest rank) of lat.
func percentiles(lat []time.Duration) (p50, p99 time.Duration) {
	if len(lat) == 0 {
		return 0, 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	rank := func(p int) time.Duration {
		i := (p*len(s)+99)/100 - 1
		return s[max(i, 0)]
	}
	return rank(50), rank(99)
}
