// Package minutes holds the procès-verbal of a séance (draft, validation, approval,
// lock, versions and sealed snapshots), who may read it, the data it is built from,
// and the results of a séance once its procès-verbal is approved.
package minutes
