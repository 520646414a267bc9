// Command load measures the portal's signed-in pages under load, against two
// baselines served with the same fiber and template versions (see baseline.go), in one
// interleaved run: each main page at several client counts (closed loop, as wrk),
// a fixed request rate on the dashboard and the file list (open loop), and a ballot
// storm on the demo's open vote with a check that no acknowledged ballot was lost or
// doubled. It builds and starts `seance demo` itself (SQLite in a temporary folder, or
// the PostgreSQL database in DATABASE_URL, which must hold only demo data).
//
//	go run ./tools/load                      # or: make bench-load
//	DATABASE_URL=postgres://… go run ./tools/load -d 5s
//
// Its markdown output goes into docs/BENCHMARKS.md with the machine description it
// prints. All durations it reads are real elapsed time: measuring them is its purpose.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"seance/models"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type options struct {
	d, rateD, stormD time.Duration
	reps, rate       int
	clients          []int
	db               string
	// only, when set, keeps the pages whose "role path" it matches (and the two
	// baselines), and leaves out the ballot storm and the cold start: a partial run.
	only *regexp.Regexp
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	baseline := fs.String("baseline", "", "internal: serve the floor or the ceiling baseline on -addr")
	addr := fs.String("addr", "", "internal: address for -baseline")
	var o options
	fs.DurationVar(&o.d, "d", 5*time.Second, "duration of each closed-loop measurement")
	fs.DurationVar(&o.rateD, "rate-d", 10*time.Second, "duration of each fixed-rate measurement")
	fs.DurationVar(&o.stormD, "storm-d", 10*time.Second, "duration of the ballot storm")
	fs.IntVar(&o.reps, "reps", 3, "interleaved repetitions (the median is reported)")
	fs.IntVar(&o.rate, "rate", 300, "requests per second of the fixed-rate measurements")
	clients := fs.String("clients", "50,200", "client counts of the closed-loop measurements")
	only := fs.String("only", "", "a regular expression: measure only the pages whose \"role path\" it matches (e.g. 'secretariat /dossiers/'), without the ballot storm and the cold start")
	crashAfter := fs.Duration("crash", 0, "instead of measuring: kill the portal with SIGKILL this long into a ballot storm, restart it and check that no acknowledged ballot was lost or doubled and the audit chain verifies")
	cold := fs.Int("cold", 0, "instead of measuring: only time this many restarts of `seance serve` (exec to the first answer)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *baseline != "" {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		return serveBaseline(*baseline, ln)
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q is not a client count", s)
		}
		o.clients = append(o.clients, n)
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			return fmt.Errorf("-only: %w", err)
		}
		o.only = re
	}
	o.db = os.Getenv("DATABASE_URL")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *crashAfter > 0 {
		return crash(ctx, o, out, *crashAfter)
	}
	if *cold > 0 {
		return onlyColdStart(ctx, out, *cold)
	}
	return measureAll(ctx, o, out)
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startBaseline runs this program again as the floor or the ceiling server.
func startBaseline(ctx context.Context, kind string) (string, *exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	a, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-baseline", kind, "-addr", a)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	return "http://" + a + "/", cmd, waitHealthy(ctx, "http://"+a+"/", time.Minute)
}

// page is one target of the closed-loop table.
type page struct {
	Target
	role    string
	clients []int // nil: the run's client counts
}

func measureAll(ctx context.Context, o options, out io.Writer) error {
	dir, err := os.MkdirTemp("", "seance-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	floorURL, floorCmd, err := startBaseline(ctx, "floor")
	if floorCmd != nil {
		defer floorCmd.Process.Kill()
	}
	if err != nil {
		return err
	}
	ceilURL, ceilCmd, err := startBaseline(ctx, "ceiling")
	if ceilCmd != nil {
		defer ceilCmd.Process.Kill()
	}
	if err != nil {
		return err
	}
	dbURL, dbName := o.db, "PostgreSQL"
	if dbURL == "" {
		dbURL, dbName = filepath.Join(dir, "demo.db"), "SQLite"
	}
	portalAddr, err := freeAddr()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "load: building and seeding the demo portal on %s (%s)…\n", portalAddr, dbName)
	bin, err := buildPortal(ctx, dir)
	if err != nil {
		return err
	}
	portal, err := startPortal(ctx, bin, "demo", portalAddr, dbURL, filepath.Join(dir, "portal.log"))
	if err != nil {
		return err
	}
	defer portal.Process.Kill()
	base := "http://" + portalAddr
	loadBefore := loadAverage()

	// Sign in the roles and find the pages to measure; the first failure stops the run.
	var setupErr error
	sign := func(email string) *User {
		if setupErr != nil {
			return nil
		}
		u, err := signIn(base, email)
		setupErr = err
		return u
	}
	link := func(u *User, path, pattern string) string {
		if setupErr != nil {
			return ""
		}
		l, err := u.firstLink(path, regexp.MustCompile(pattern))
		setupErr = err
		return l
	}
	sec, member := sign("secretariat@demo.example"), sign("membre01@demo.example")
	pref, asso := sign("prefecture@demo.example"), sign("association1@demo.example")
	session := link(sec, "/seances", `href="(/seances/\d+)"`)
	file := link(sec, "/dossiers", `href="(/dossiers/\d+)"`)
	minutes := link(sec, "/proces-verbaux", `href="(/seances/\d+/pv)"`)
	console := link(sec, "/sitting", `href="(/sitting/\d+)"`)
	report := link(pref, "/statistiques/rapports", `href="(/statistiques/rapports/\d{4}\.xlsx)"`)
	if setupErr != nil {
		return setupErr
	}
	// /composition redirects to the commission's composition page.
	_, composition, err := sec.do("GET", "/composition", nil, "")
	if err != nil || composition == "" {
		return fmt.Errorf("no redirect from /composition (%v)", err)
	}
	at := func(u *User, role, path string, clients ...int) page {
		return page{Target: Target{Name: path, URL: base + path, Cookie: u.Cookie}, role: role, clients: clients}
	}
	pages := []page{
		{Target: Target{Name: "floor", URL: floorURL}},
		{Target: Target{Name: "ceiling", URL: ceilURL}},
		at(sec, "secretariat", "/"),
		at(sec, "secretariat", "/seances"),
		at(sec, "secretariat", session),
		at(sec, "secretariat", "/dossiers"),
		at(sec, "secretariat", file),
		at(sec, "secretariat", composition),
		at(sec, "secretariat", console),
		at(sec, "secretariat", minutes),
		at(member, "member", "/"),
		at(member, "member", "/votes"),
		at(asso, "association", "/"),
		at(pref, "prefecture", "/"),
		at(pref, "prefecture", "/statistiques"),
		at(sec, "secretariat", minutes+".pdf", 10),
		at(sec, "secretariat", minutes+".xlsx", 10),
		at(pref, "prefecture", report, 10),
	}
	if o.only != nil {
		pages = slices.DeleteFunc(pages, func(p page) bool { return p.role != "" && !o.only.MatchString(p.role+" "+p.Name) })
	}
	// Closed loops, interleaved: every target once per repetition and client count.
	results := map[string][]Result{}
	key := func(p page, c int) string { return p.role + " " + p.Name + " " + strconv.Itoa(c) }
	for rep := range o.reps {
		for _, c := range o.clients {
			for _, p := range pages {
				cs := p.clients
				if cs == nil {
					cs = []int{c}
				} else if c != o.clients[0] {
					continue
				}
				for _, n := range cs {
					fmt.Fprintf(os.Stderr, "load: rep %d/%d, %d clients, %s %s\n", rep+1, o.reps, n, p.role, p.Name)
					results[key(p, n)] = append(results[key(p, n)], Closed(ctx, p.Target, n, o.d))
				}
			}
		}
	}
	// Fixed rate (open loop) on the floor and every page (the exports aside).
	var rated []page
	for _, p := range pages {
		if p.Name != "ceiling" && p.clients == nil {
			rated = append(rated, p)
		}
	}
	rateRes := map[string]Result{}
	for _, p := range rated {
		fmt.Fprintf(os.Stderr, "load: %d req/s on %s %s\n", o.rate, p.role, p.Name)
		rateRes[p.role+" "+p.Name] = Open(ctx, p.Target, o.rate, o.rateD)
	}
	if o.only != nil {
		writeTables(out, o, pages, rated, results, rateRes, loadBefore, dbName)
		return nil
	}
	// The ballot storm: every titulaire signed in, on the demo's open vote.
	var members []*User
	for i := 1; i <= 19; i++ {
		members = append(members, sign(fmt.Sprintf("membre%02d@demo.example", i)))
	}
	if setupErr != nil {
		return setupErr
	}
	db, err := models.Open(dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	count := func(voteID string) (rows, voters int, err error) {
		err = db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT voter_user_id) FROM sitting_ballots WHERE vote_id = ?", voteID).Scan(&rows, &voters)
		return rows, voters, err
	}
	fmt.Fprintln(os.Stderr, "load: ballot storm")
	storm, stormErr := ballotStorm(ctx, members, o.stormD, count)
	fmt.Fprintln(os.Stderr, "load: cold start")
	cold, coldErr := coldStart(ctx, bin, dir, 5)

	writeTables(out, o, pages, rated, results, rateRes, loadBefore, dbName)
	fmt.Fprintln(out)
	if coldErr != nil {
		fmt.Fprintf(out, "Cold start: FAILED: %v\n\n", coldErr)
	} else {
		fmt.Fprintf(out, "%s\n\n", cold)
	}
	if stormErr != nil {
		fmt.Fprintf(out, "Ballot storm: FAILED: %v\n", stormErr)
		return stormErr
	}
	if coldErr != nil {
		return coldErr
	}
	r := storm.Result
	fmt.Fprintf(out, "Ballot storm on vote %s: %d voters casting and changing their ballot for %s (POST then the page it redirects to): "+
		"%.0f ballots/s, p50 %s, p99 %s, %s; %s.\n", storm.VoteID, storm.Voters, o.stormD, r.PerSecond(), ms(r.P50), ms(r.P99), errs(r), storm.Checked)
	return nil
}

// writeTables writes the closed-loop and fixed-rate tables.
func writeTables(out io.Writer, o options, pages, rated []page, results map[string][]Result, rateRes map[string]Result, loadBefore, dbName string) {
	key := func(p page, c int) string { return p.role + " " + p.Name + " " + strconv.Itoa(c) }
	fmt.Fprintf(out, "Machine: %d CPU (%s), %s/%s, %s; database %s; load average %s before, %s after.\n",
		runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version(), dbName, loadBefore, loadAverage())
	fmt.Fprintf(out, "Closed loop, %s per measurement, median of %d interleaved repetitions.\n\n", o.d, o.reps)
	fmt.Fprintln(out, "| page | role | clients | req/s | p50 | p99 | ÷ floor | ÷ ceiling | errors |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, c := range o.clients {
		fl := medianResult(results[key(pages[0], c)])
		ce := medianResult(results[key(pages[1], c)])
		for _, p := range pages {
			rs, ok := results[key(p, c)]
			if !ok {
				continue
			}
			r := medianResult(rs)
			fmt.Fprintf(out, "| `%s` | %s | %d | %.0f | %s | %s | %.2f | %.3f | %s |\n", p.Name, cmpOr(p.role, "—"), c, r.PerSecond(),
				ms(r.P50), ms(r.P99), ratio(r, fl), ratio(r, ce), errs(r))
		}
	}
	fmt.Fprintf(out, "\nFixed rate, %d req/s for %s (open loop; latency from the moment each request was due).\n\n", o.rate, o.rateD)
	fmt.Fprintln(out, "| page | role | served req/s | p50 | p99 | errors |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|")
	for _, p := range rated {
		r := rateRes[p.role+" "+p.Name]
		fmt.Fprintf(out, "| `%s` | %s | %.0f | %s | %s | %s |\n", p.Name, cmpOr(p.role, "—"), r.PerSecond(), ms(r.P50), ms(r.P99), errs(r))
	}
}

// medianResult returns the result with the median rate.
func medianResult(rs []Result) Result {
	if len(rs) == 0 {
		return Result{}
	}
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b Result) int {
		switch {
		case a.PerSecond() < b.PerSecond():
			return -1
		case a.PerSecond() > b.PerSecond():
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

func ratio(r, base Result) float64 {
	if base.PerSecond() == 0 {
		return 0
	}
	return r.PerSecond() / base.PerSecond()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func errs(r Result) string {
	if r.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", r.Errors, r.FirstError)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
