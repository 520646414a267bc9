package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"seance/models"
	"seance/models/keyring"
	"seance/models/sitting"
)

// crash is the crash-safety check (issue 18 point 5): the demo portal is killed with
// SIGKILL in the middle of a ballot storm, started again on the same database, and every
// ballot that got a success answer must be there exactly once (its receipt recorded
// once, the member's page showing it unless a later unanswered ballot replaced it) and
// the audit chain must verify. stormFor is how long the storm runs before the kill.
func crash(ctx context.Context, o options, out io.Writer, stormFor time.Duration) error {
	dir, err := os.MkdirTemp("", "seance-crash-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL, dbName := o.db, "PostgreSQL"
	if dbURL == "" {
		dbURL, dbName = filepath.Join(dir, "demo.db"), "SQLite"
	}
	bin, err := buildPortal(ctx, dir)
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	key := "SEANCE_SECRET_KEY=" + keyring.NewKey() // the same key across the restart
	logPath := filepath.Join(dir, "portal.log")
	fmt.Fprintf(os.Stderr, "crash: seeding the demo portal on %s (%s)…\n", addr, dbName)
	portal, err := startPortal(ctx, bin, "demo", addr, dbURL, logPath, key)
	if err != nil {
		return err
	}
	defer func() { _ = portal.Process.Kill() }()
	base := "http://" + addr
	var members []*User
	for i := 1; i <= 19; i++ {
		m, err := signIn(base, fmt.Sprintf("membre%02d@demo.example", i))
		if err != nil {
			return err
		}
		members = append(members, m)
	}
	voteID, voters, acting, err := openVote(members)
	if err != nil {
		return err
	}

	// The storm, killed in its middle.
	var (
		mu       sync.Mutex
		acked    = map[*User]ballot{} // last ballot acknowledged with a receipt
		pending  = map[*User]ballot{} // a ballot sent after it whose answer never came
		receipts []string
		wg       sync.WaitGroup
	)
	stormCtx, stop := context.WithCancel(ctx)
	defer stop()
	for _, m := range voters {
		wg.Go(func() {
			castLoop(stormCtx, m, voteID, acting[m], func(b ballot, _ time.Duration, err error) {
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					// Only the first unanswered ballot may have been recorded (in flight at
					// the kill); the next ones were refused by the dead server.
					if _, ok := pending[m]; !ok {
						pending[m] = b
					}
					return
				}
				acked[m], receipts = b, append(receipts, b.receipt)
				delete(pending, m)
			})
		})
	}
	time.Sleep(stormFor) // real time: let the storm run before the kill
	if err := portal.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	// The deferred Kill above now targets the restarted process.
	_ = portal.Wait()
	time.Sleep(500 * time.Millisecond) // real time: the members' requests fail against the dead server
	stop()
	wg.Wait()
	if len(receipts) == 0 {
		return fmt.Errorf("no ballot was acknowledged in %s before the kill (log in %s)", stormFor, logPath)
	}

	// The restart on the same database, then the checks.
	fmt.Fprintf(os.Stderr, "crash: killed after %d acknowledged ballots; restarting\n", len(receipts))
	portal, err = startPortal(ctx, bin, "serve", addr, dbURL, logPath, key, "SEANCE_MAIL_OUTBOX_ONLY=true")
	if err != nil {
		return err
	}
	db, err := models.Open(dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, r := range receipts {
		var n int
		norm := sitting.NormalizeReceipt(r)
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sitting_receipts WHERE receipt = ?", norm).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("acknowledged receipt %s is recorded %d times after the restart", r, n)
		}
	}
	var rows, distinct int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT voter_user_id) FROM sitting_ballots WHERE vote_id = ?", voteID).Scan(&rows, &distinct); err != nil {
		return err
	}
	if rows != distinct {
		return fmt.Errorf("%d ballot rows for %d voters after the restart", rows, distinct)
	}
	for _, m := range voters { // sessions live in the database: the same cookies work
		if err := checkCurrent(m, voteID, acked[m].choice, pending[m].choice); err != nil {
			return fmt.Errorf("after the restart: %w", err)
		}
	}
	verify := exec.CommandContext(ctx, bin, "audit", "verify")
	verify.Env = append(os.Environ(), "DATABASE_URL="+dbURL, key)
	outb, err := verify.CombinedOutput()
	if err != nil {
		return fmt.Errorf("seance audit verify after the restart: %v\n%s", err, outb)
	}
	fmt.Fprintf(out, "Crash safety (%s): SIGKILL after %s of a ballot storm by %d voters; %d ballots had been acknowledged, each receipt "+
		"is recorded once after the restart, %d ballot rows for %d voters, every member's page shows their last acknowledged "+
		"(or unanswered) choice, and `seance audit verify` says: %s\n", dbName, stormFor, len(voters), len(receipts), rows, distinct,
		strings.TrimSpace(string(outb)))
	return nil
}
