package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"seance/models/keyring"
)

// ColdStart is how long `seance serve` takes from exec to its first answer.
type ColdStart struct {
	First  time.Duration // on a new database: the migrations run
	Median time.Duration // on the migrated database, median of the restarts
	Starts int           // restarts measured
}

func (cs ColdStart) String() string {
	return fmt.Sprintf("Cold start of `seance serve` (exec to the first answer of /healthz, SQLite): %s on a new database "+
		"(migrations), %s median of %d restarts on the migrated one.", ms(cs.First), ms(cs.Median), cs.Starts)
}

// coldStart starts `bin serve` on a new SQLite database in dir, then restarts it n times,
// and measures each time from exec to the first 200 on /healthz (real elapsed time: that
// is the measure). Each run is stopped with SIGKILL before the next; the database is
// SQLite whatever DATABASE_URL says, so that the figure is the process's, not a server's.
func coldStart(ctx context.Context, bin, dir string, n int) (ColdStart, error) {
	db := filepath.Join(dir, "coldstart.db")
	env := []string{"DATABASE_URL=" + db, "SEANCE_SECRET_KEY=" + keyring.NewKey(), "SEANCE_MAIL_OUTBOX_ONLY=true",
		"SEANCE_CHECKPOINT_DIR=" + filepath.Join(dir, "coldstart.d")}
	var times []time.Duration
	for i := 0; i <= n; i++ {
		addr, err := freeAddr()
		if err != nil {
			return ColdStart{}, err
		}
		d, err := timeStart(ctx, bin, addr, env)
		if err != nil {
			return ColdStart{}, err
		}
		times = append(times, d)
	}
	rest := slices.Clone(times[1:])
	slices.Sort(rest)
	return ColdStart{First: times[0], Median: rest[len(rest)/2], Starts: n}, nil
}

// timeStart starts `bin serve` on addr and returns how long it took to answer /healthz.
func timeStart(ctx context.Context, bin, addr string, env []string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(append(os.Environ(), env...), "SEANCE_ADDR="+addr)
	client := &http.Client{Timeout: time.Second}
	start := time.Now() // real elapsed time: the measure
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	for {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		if time.Since(start) > time.Minute || ctx.Err() != nil {
			return 0, fmt.Errorf("seance serve on %s did not answer /healthz within a minute: %v", addr, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// onlyColdStart builds the portal and reports its cold start over n restarts.
func onlyColdStart(ctx context.Context, out io.Writer, n int) error {
	dir, err := os.MkdirTemp("", "seance-cold-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := buildPortal(ctx, dir)
	if err != nil {
		return err
	}
	cs, err := coldStart(ctx, bin, dir, n)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, cs)
	return nil
}
