package models_test

import (
	"testing"

	"seance/models/migrations"
)

// TestMigrationIDsAreUnique: bun identifies a migration by its number; two files with
// the same number (from branches developed side by side) would make one of them look
// applied when it is not.
func TestMigrationIDsAreUnique(t *testing.T) {
	seen := map[string]string{}
	for _, m := range migrations.Migrations.Sorted() {
		if prev, ok := seen[m.Name]; ok {
			t.Errorf("migration number %s used twice (%s and %s)", m.Name, prev, m.Comment)
		}
		seen[m.Name] = m.Comment
	}
	if len(seen) == 0 {
		t.Fatal("no migration registered")
	}
}
