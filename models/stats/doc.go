// Package stats computes the statistics the prefecture reads: the annual figures of a
// commission, the regional roll-up, their definitions, the secrecy of small counts,
// and the annual report's tables.
package stats
