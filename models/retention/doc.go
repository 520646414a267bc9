// Package retention anonymises the files whose retention period has passed: the
// schedule of what falls due, and the anonymisation itself, which reaches the files,
// the persons, the votes' texts and the written contributions.
package retention
